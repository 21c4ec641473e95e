// `score --train TRAIN_FILE [--threshold X] [--mask REGEX]... INPUT_FILE|-`
// Trains a model on TRAIN_FILE and prints one JSON object per line of the
// input, in order: {"line", "score", "anomaly", "template", "reasons"}.
// Both files are streamed; neither is held in memory.

import { open } from 'node:fs/promises';
import { createReadStream, fstatSync } from 'node:fs';
import { DEFAULT_THRESHOLD, ModelTrainer } from '../model/detector.js';
import { MAX_LINE_CHARS, type MaskRuleConfig } from '../model/types.js';
import { Familiarity } from '../model/familiarity.js';
import { isBlank, maskRuleProblem } from '../model/mask.js';
import { EXIT_OUTPUT, outputErrorMessage, watchOutput } from '../commands/output.js';
import { CommandError, EXIT_OK, EXIT_USAGE, commandArgs, type CommandIo } from '../commands/args.js';

const SCORE_USAGE = `usage: anomaly-detector score --train TRAIN_FILE [--threshold X] [--mask REGEX]... INPUT_FILE
  Trains on TRAIN_FILE (one log line per line) and prints one JSON object per
  line of INPUT_FILE (- for standard input):
  {"line": N, "score": 0..1, "anomaly": true|false, "template": "...", "reasons": [...]}
  --threshold X   anomaly threshold in [0, 1] (default ${DEFAULT_THRESHOLD})
  --mask REGEX    extra masking rule: matches become a variable (repeatable)
`;

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
    return whole.length > keep ? whole.slice(0, maxChars) : stripCr(whole).slice(0, maxChars);
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

/** A decimal number (`0.7`, `.5`, `+1`, `5e-1` as YAML's THRESHOLD takes it), not `0x1`, `Infinity` or `` (Number('') is 0). */
const DECIMAL = /^\s*[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?\s*$/;

export async function runScoreCommand(args: string[], io: CommandIo): Promise<number> {
  const parsed = commandArgs('score', SCORE_USAGE, args, { train: true, threshold: true, mask: true }, io);
  if (typeof parsed === 'number') return parsed;
  const { options, positional, fail } = parsed;
  const train = options.get('train');
  if (train === undefined) return fail('--train TRAIN_FILE is required');
  // Twice is a mistake to point out, not a choice to make silently.
  const twice = (name: string, values: string[]): string => `--${name} given ${values.length} times (${values.map((x) => `'${x}'`).join(', ')}): give it once`;
  if (train.length > 1) return fail(twice('train', train));
  // The threshold first: `--threshold FILE` took the input file as its value.
  let threshold = DEFAULT_THRESHOLD;
  const t = options.get('threshold');
  if (t !== undefined) {
    if (t.length > 1) return fail(twice('threshold', t));
    const raw = t[0]!;
    threshold = DECIMAL.test(raw) ? Number(raw) : NaN;
    if (!(threshold >= 0 && threshold <= 1)) return fail(`--threshold must be a number between 0 and 1, got '${raw}'`);
  }
  if (positional.length !== 1) return fail('exactly one INPUT_FILE (or - for standard input) is required');
  const trainFile = train[0]!;
  const inputFile = positional[0]!;
  if (trainFile === '-' && inputFile === '-') return fail('the training file and the input cannot both be standard input');
  let trainer: ModelTrainer;
  try {
    trainer = new ModelTrainer({ extraMasks: masksFrom(options.get('mask')) });
  } catch (err) {
    return fail((err as Error).message);
  }
  return withOutput('score', io, async (out) => {
    // Both files are opened first: a missing input is reported before a long training, not after.
    const trainStream = await openInput(trainFile, 'training file', io);
    let input: NodeJS.ReadableStream;
    try {
      input = await openInput(inputFile, 'input file', io);
    } catch (err) {
      if (trainStream !== io.stdin) (trainStream as NodeJS.ReadableStream & { destroy(): void }).destroy();
      throw err;
    }
    let sawLogLine = false;
    await forEachLines(trainStream, `training file '${trainFile}'`, (lines) => {
      for (const l of lines) {
        if (!sawLogLine) sawLogLine = !isBlank(l);
        trainer.add(l);
      }
    }, undefined, MAX_LINE_CHARS);
    // Not an error (an empty history is a legitimate state), but a silent run would look like "no anomalies".
    if (!sawLogLine) io.stderr.write(`score: warning: training file '${trainFile}' has no log lines: the model knows nothing of this host's routine: every input line is new to it and scores the same (about 0.48) unless it carries failure words, so at the default threshold only lines with failure words are flagged, and a routine line is not told from an unusual one\n`);
    const model = trainer.finish();
    // The input is the host's stream in order, as the daemon sees it: a new message that keeps coming back weighs less.
    const familiar = new Familiarity();
    let n = 0;
    await forEachLines(
      input,
      inputFile === '-' ? 'standard input' : `input file '${inputFile}'`,
      (lines) => {
        if (out.closed) return;
        let text = '';
        for (const l of lines) {
          const s = model.score(l, familiar);
          // Exactly these keys, in this order: the output format is an interface.
          text += JSON.stringify({ line: ++n, score: s.score, anomaly: s.score >= threshold, template: s.template, reasons: s.reasons }) + '\n';
        }
        return writeOut(io.stdout, text, out);
      },
      out,
      MAX_LINE_CHARS,
    );
    return EXIT_OK;
  });
}
