// The offline commands' input and output (score, templates): files or standard input read as
// batches of lines, standard output written with backpressure and its failures reported. Kept
// apart from the model so that `templates` loads neither k-means nor the scorer.

import { open } from 'node:fs/promises';
import { createReadStream, fstatSync } from 'node:fs';
import type { MaskRuleConfig } from '../model/types.js';
import { maskRuleProblem } from '../model/mask.js';
import { EXIT_OUTPUT, outputErrorMessage, watchOutput, type OutputState } from '../commands/output.js';
import { CommandError, EXIT_USAGE, type CommandIo } from '../commands/args.js';

/**
 * Runs the output part of a command: a closed standard output ends it quietly, another write
 * error is reported, exit 1 (see output.ts); a CommandError (an unreadable file, a bad line) is
 * reported as `<name>: <message>`, exit 2.
 */
export async function withOutput(name: string, io: CommandIo, body: (out: OutputState) => Promise<number>): Promise<number> {
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

/** Closes a stream now, its file with it (NodeJS.ReadableStream does not declare destroy, every stream here has it). */
export function destroyStream(stream: NodeJS.ReadableStream): void {
  (stream as NodeJS.ReadableStream & { destroy(): void }).destroy();
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
 * becomes U+FFFD; a byte order mark at the start is read past). A line longer
 * than `maxChars` comes cut to its first `maxChars` characters (the rest is
 * read past, never held). Batching keeps per-line overhead low; awaiting
 * `onLines` gives output backpressure. When `until` (the output) closes, reading stops, also while
 * it waits for more of a quiet stream: `onLines` may return before the output it makes is
 * written (tokenizer-thread.ts reads ahead), and `tail -f log | score ... - | head -1` must end
 * when head does, not at the log's next line.
 *
 * Lines are cut from the bytes and each is decoded on its own: a line end is
 * never inside a UTF-8 sequence, so this decodes as one decoder over the whole
 * stream would. Each line is then a string of its own: cut from a decoded
 * chunk, it was a view into the chunk (V8 makes a slice of 13 characters or
 * more one), which the tokenizer reads 12% slower, and whose pieces kept by the
 * model (a template's token, a slot's value) would keep the whole 64 KB chunk alive.
 */
export async function forEachLines(
  stream: NodeJS.ReadableStream,
  what: string,
  onLines: (lines: string[]) => void | Promise<void>,
  until?: Pick<OutputState, 'closed' | 'onClose'>,
  maxChars = Infinity,
): Promise<void> {
  // Destroyed, the stream ends the loop below (as an error, heard as the end since `until` is closed).
  until?.onClose(() => destroyStream(stream));
  // The unfinished last line, as the pieces of the chunks it arrived in: only new bytes are
  // searched for a line end, and the pieces are joined once (re-searching a growing line was
  // quadratic: an 80 MB line took 17 s). Only its first keepBytes are kept, enough for maxChars + 1
  // characters (to tell a CR before the line end) at 3 bytes a character and a sequence cut at the
  // end: a line of 600 MB exceeded the longest string V8 can make.
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let cutShort = false;
  const keepBytes = 3 * maxChars + 6;
  // A byte order mark is read past at the start of the stream only, as one decoder over it would.
  let first = true;
  // A string chunk's last UTF-16 unit when it is the first half of a pair, completed by the next chunk.
  let carry = '';
  const decode = (bytes: Buffer, start: number, end: number): string => {
    const text = bytes.toString('utf8', start, end);
    if (!first) return text;
    first = false;
    return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  };
  /** What the unfinished line still has room for of bytes[start, end), noting when some is left out. */
  const kept = (bytes: Buffer, start: number, end: number): Buffer => {
    const room = keepBytes - pendingBytes;
    if (end - start > room) cutShort = true;
    return bytes.subarray(start, start + Math.min(room, end - start));
  };
  /** The line ending at `end`; the stream's last one (`last`, no line end) only when it has text. */
  const line = (bytes: Buffer, start: number, end: number, last = false): string | null => {
    let text: string;
    if (pending.length === 0) text = decode(bytes, start, end);
    else {
      const whole = Buffer.concat([...pending, kept(bytes, start, end)]);
      text = decode(whole, 0, whole.length);
    }
    const short = cutShort;
    pending = [];
    pendingBytes = 0;
    cutShort = false;
    // A stream of only a byte order mark has no line: its text is empty.
    if (last && text === '') return null;
    // Cut short, the line has more than maxChars + 1 characters: its CR (if any) lies beyond the cut.
    return short ? text.slice(0, maxChars) : stripCr(text).slice(0, maxChars);
  };
  const emit = async (bytes: Buffer, final: boolean): Promise<void> => {
    const lines: string[] = [];
    let start = 0;
    for (let nl = bytes.indexOf(10); nl >= 0; nl = bytes.indexOf(10, start)) {
      lines.push(line(bytes, start, nl)!);
      start = nl + 1;
    }
    if (start < bytes.length) {
      const rest = kept(bytes, start, bytes.length);
      if (rest.length > 0) {
        // A copy: a view would keep the whole chunk alive while the line goes on.
        pending.push(Buffer.from(rest));
        pendingBytes += rest.length;
      }
    }
    if (final && (pending.length > 0 || cutShort)) {
      const last = line(EMPTY, 0, 0, true);
      if (last !== null) lines.push(last);
    }
    if (lines.length > 0) await onLines(lines);
  };
  try {
    for await (const chunk of stream as AsyncIterable<Uint8Array | string>) {
      let bytes: Buffer;
      if (typeof chunk === 'string') {
        let text = carry + chunk;
        carry = '';
        const last = text.charCodeAt(text.length - 1);
        if (last >= 0xd800 && last <= 0xdbff) {
          carry = text.slice(-1);
          text = text.slice(0, -1);
        }
        bytes = Buffer.from(text, 'utf8');
      } else bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      if (bytes.length > 0) await emit(bytes, false);
      // Leaving the loop destroys the stream: `tail -f log | score ... - | head` ends with head.
      if (until?.closed === true) return;
    }
    await emit(Buffer.from(carry, 'utf8'), true);
  } catch (err) {
    if (until?.closed === true) return;
    if (err instanceof CommandError) throw err;
    throw new CommandError(`error reading ${what}: ${(err as Error).message}`);
  }
}

const EMPTY = Buffer.alloc(0);

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
