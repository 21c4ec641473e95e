// Runs an offline command (score, templates) in process on in-memory streams, as the CLI would
// on the process's own: what it printed on each, and its exit status.
import { PassThrough, Readable } from 'node:stream';
import type { CommandIo } from '../../src/commands/args.js';

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runCommand(
  command: (args: string[], io: CommandIo) => Promise<number>,
  args: string[],
  stdinText: string | Buffer = '',
): Promise<Run> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  stdout.on('data', (b: Buffer) => out.push(b));
  stderr.on('data', (b: Buffer) => err.push(b));
  const stdin = Readable.from([typeof stdinText === 'string' ? Buffer.from(stdinText) : stdinText]);
  const code = await command(args, { stdout, stderr, stdin });
  return { code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') };
}
