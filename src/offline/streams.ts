// The offline commands' input and output (score, templates): files or standard input read as
// batches of lines, standard output written with backpressure and its failures reported. Kept
// apart from the model so that `templates` loads neither k-means nor the scorer.

import { open } from 'node:fs/promises';
import { createReadStream, fstatSync } from 'node:fs';
import type { MaskRuleConfig } from '../model/types.js';
import { maskRuleProblem } from '../model/mask.js';
import { EXIT_OUTPUT, outputErrorMessage, watchOutput } from '../commands/output.js';
import { CommandError, EXIT_USAGE, type CommandIo } from '../commands/args.js';

/**
 * Runs the output part of a command: a closed standard output ends it quietly, another write
 * error is reported, exit 1 (see output.ts); a CommandError (an unreadable file, a bad line) is
 * reported as `<name>: <message>`, exit 2.
 */
export async function withOutput(name: string, io: CommandIo, body: (out: { closed: boolean }) => Promise<number>): Promise<number> {
  const out = watchOutput(io.stdout);
  try {
    const code = await body(out);
    if (out.error === null) return code;
    io.stderr.write(outputErrorMessage(name, out.error));
    return EXIT_OUTPUT;
  } catch (err) {
    if (err instanceof CommandError) {
      io.stderr.write(`${name}: ${err.message}\n`);
      return EXIT_USAGE;
    }
    throw err;
  } finally {
    out.dispose();
  }
}

/** Opens a file for streaming, or standard input for `-`; a CommandError names the file it cannot read. */
export async function openInput(path: string, what: string, io: CommandIo): Promise<NodeJS.ReadableStream> {
  if (path === '-') {
    // Node reads a directory on standard input (`< dir`) as empty: say so instead of "no lines".
    if (io.stdin === process.stdin && isDirectoryFd(0)) throw new CommandError(`cannot read ${what} '-' (standard input): it is a directory`);
    return io.stdin;
  }
  try {
    const fh = await open(path, 'r');
    const st = await fh.stat();
    if (st.isDirectory()) {
      await fh.close();
      throw new CommandError(`cannot read ${what} '${path}': it is a directory`);
    }
    return createReadStream('', { fd: fh, highWaterMark: 1 << 16 });
  } catch (err) {
    if (err instanceof CommandError) throw err;
    throw new CommandError(`cannot read ${what} '${path}': ${(err as Error).message}`);
  }
}

function isDirectoryFd(fd: number): boolean {
  try {
    return fstatSync(fd).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Calls `onLines` with the lines of a stream, batch by batch as they arrive
 * (LF or CRLF line ends; a last line without a line end counts; invalid UTF-8
 * becomes U+FFFD). A line longer than `maxChars` comes cut to its first
 * `maxChars` characters (the rest is read past, never held). Batching keeps
 * per-line overhead low; awaiting `onLines` gives output backpressure.
 */
export async function forEachLines(
  stream: NodeJS.ReadableStream,
  what: string,
  onLines: (lines: string[]) => void | Promise<void>,
  until?: { readonly closed: boolean },
  maxChars = Infinity,
): Promise<void> {
  const decoder = new TextDecoder('utf-8');
  // The unfinished last line, as the chunks it arrived in: only new text is searched for a line
  // end, and the pieces are joined once (re-searching a growing string was quadratic: an 80 MB
  // line took 17 s). Only its first maxChars (+1, to tell a CR before the line end) are kept: a
  // line of 600 MB exceeded the longest string V8 can make.
  let pending: string[] = [];
  let pendingChars = 0;
  const keep = maxChars + 1;
  const line = (piece: string): string => {
    const whole = pending.length > 0 ? pending.join('') + piece : piece;
    // Past maxChars + 1 the cut comes before any CR of the line end.
    return detached(whole.length > keep ? whole.slice(0, maxChars) : stripCr(whole).slice(0, maxChars));
  };
  const emit = async (text: string, final: boolean): Promise<void> => {
    const lines: string[] = [];
    let start = 0;
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
      lines.push(line(text.slice(start, nl)));
      pending = [];
      pendingChars = 0;
      start = nl + 1;
    }
    if (start < text.length && pendingChars < keep) {
      const rest = text.slice(start, start + (keep - pendingChars));
      pending.push(rest);
      pendingChars += rest.length;
    }
    if (final && pending.length > 0) {
      lines.push(line(''));
      pending = [];
      pendingChars = 0;
    }
    if (lines.length > 0) await onLines(lines);
  };
  try {
    for await (const chunk of stream as AsyncIterable<Buffer | string>) {
      const text = typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
      if (text.length > 0) await emit(text, false);
      // Leaving the loop destroys the stream: `tail -f log | score ... - | head` ends with head.
      if (until?.closed === true) return;
    }
    await emit(decoder.decode(), true);
  } catch (err) {
    if (err instanceof CommandError) throw err;
    throw new CommandError(`error reading ${what}: ${(err as Error).message}`);
  }
}

/**
 * A copy of a line that does not hold on to the chunk it was cut from. V8 makes a slice of 13
 * characters or more a view into its parent string, and so is every slice of that view: a
 * template's token, a slot's value or a failure word kept by the model would keep the whole 64 KB
 * read chunk alive (15 MB more peak memory for `score --train F F` on 300,000 lines). Concatenating
 * makes a new string, and its slice is a view of that one only.
 */
function detached(s: string): string {
  return s.length < 13 ? s : (' ' + s).slice(1);
}

function stripCr(s: string): string {
  return s.length > 0 && s.charCodeAt(s.length - 1) === 13 ? s.slice(0, -1) : s;
}

/** Writes text, waiting while the destination is full; does nothing once it is closed. */
export function writeOut(out: NodeJS.WritableStream, text: string, state: { closed: boolean }): Promise<void> | void {
  if (state.closed) return;
  if (out.write(text)) return;
  return new Promise((resolve) => {
    const done = (): void => {
      out.removeListener('drain', done);
      out.removeListener('error', done);
      resolve();
    };
    out.once('drain', done);
    out.once('error', done);
  });
}

/** The --mask rules; throws naming the first bad one as the user wrote it. */
export function masksFrom(values: readonly string[] | undefined): MaskRuleConfig[] {
  return (values ?? []).map((pattern) => {
    const problem = maskRuleProblem({ pattern });
    if (problem !== null) throw new Error(`bad --mask ${JSON.stringify(pattern)}: ${problem}`);
    return { pattern };
  });
}
