// `score --train TRAIN_FILE [--threshold X] [--mask REGEX]... INPUT_FILE|-`
// Trains a model on TRAIN_FILE and prints one JSON object per line of the
// input, in order: {"line", "score", "anomaly", "template", "reasons"}.
// Both files are streamed; neither is held in memory.

import { fstatSync, statSync } from 'node:fs';
// Only light modules here: the trainer's (k-means pulls in about 260 modules, 0.1 s) load after
// the second thread has started, so that it boots meanwhile.
import { DEFAULT_THRESHOLD } from '../model/calibration.js';
import { MAX_LINE_CHARS } from '../model/types.js';
import { Familiarity } from '../model/familiarity.js';
import { isBlank } from '../model/mask.js';
import { EXIT_OK, commandArgs, type CommandIo } from '../commands/args.js';
import { ScoreLineJson } from './score-line-json.js';
import { destroyStream, forEachLines, masksFrom, openInput, withOutput, writeOut } from './streams.js';
import { TokenizerThread } from './tokenizer-thread.js';
import type { Tokenized } from '../model/mask.js';
import type { MaskRuleConfig } from '../model/types.js';
import type { ModelTrainer } from '../model/trainer.js';
import type { OutputState } from '../commands/output.js';

const SCORE_USAGE = `usage: anomaly-detector score --train TRAIN_FILE [--threshold X] [--mask REGEX]... INPUT_FILE
  Trains on TRAIN_FILE (one log line per line) and prints one JSON object per
  line of INPUT_FILE (- for standard input):
  {"line": N, "score": 0..1, "anomaly": true|false, "template": "...", "reasons": [...]}
  --threshold X   anomaly threshold in [0, 1] (default ${DEFAULT_THRESHOLD})
  --mask REGEX    extra masking rule: matches become a variable (repeatable)
`;

/** A decimal number (`0.7`, `.5`, `+1`, `5e-1` as YAML's THRESHOLD takes it), not `0x1`, `Infinity` or `` (Number('') is 0). */
const DECIMAL = /^\s*[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?\s*$/;

/**
 * Whether a file argument reads the process's standard input as a stream: `-`, or a path to it
 * (`/dev/stdin`, `/proc/self/fd/0`) when it is a pipe or a terminal. Training on `/dev/stdin` with
 * `-` as input left the input empty: the training had read the whole pipe. (A regular file on
 * standard input is opened anew through such a path, and can be read twice.)
 */
function readsStandardInput(file: string): boolean {
  if (file === '-') return true;
  try {
    const own = fstatSync(0);
    const named = statSync(file);
    return !own.isFile() && named.dev === own.dev && named.ino === own.ino;
  } catch {
    return false;
  }
}

/** Whether two paths name one named pipe or socket (`mkfifo f; score --train f f`). */
function samePipe(a: string, b: string): boolean {
  try {
    const x = statSync(a);
    const y = statSync(b);
    return x.dev === y.dev && x.ino === y.ino && (x.isFIFO() || x.isSocket());
  } catch {
    return false;
  }
}

/**
 * `tokenizerThread`: whether to tokenize in a second thread (tokenizer-thread.ts); by default, when
 * the machine has a second processor. The output is the same either way.
 */
export async function runScoreCommand(args: string[], io: CommandIo, opts: { tokenizerThread?: boolean } = {}): Promise<number> {
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
  if (readsStandardInput(trainFile) && readsStandardInput(inputFile)) return fail('the training file and the input cannot both be standard input');
  if (samePipe(trainFile, inputFile)) return fail(`the training file and the input are the same pipe '${inputFile}', which can be read once: the training would read every line and leave the input empty (save it to a file first)`);
  let extraMasks: MaskRuleConfig[];
  try {
    extraMasks = masksFrom(options.get('mask'));
  } catch (err) {
    return fail((err as Error).message);
  }
  // Started first: it boots while this thread loads the trainer's modules and opens the files.
  const thread = opts.tokenizerThread === undefined ? TokenizerThread.start(extraMasks) : opts.tokenizerThread ? new TokenizerThread(extraMasks) : null;
  try {
    let trainer: ModelTrainer;
    try {
      trainer = new (await import('../model/trainer.js')).ModelTrainer({ extraMasks });
    } catch (err) {
      return fail((err as Error).message);
    }
    return await withOutput('score', io, (out) => score(out, trainer));
  } finally {
    await thread?.close();
  }

  /** forEachLines, with the lines tokenized in the thread when there is one. */
  async function eachBatch(
    stream: NodeJS.ReadableStream,
    what: string,
    each: (lines: string[], tokenized: Tokenized[] | null) => void | Promise<void>,
    until?: OutputState,
  ): Promise<void> {
    if (thread === null) return forEachLines(stream, what, (lines) => each(lines, null), until, MAX_LINE_CHARS);
    return thread.pipeline((give) => forEachLines(stream, what, give, until, MAX_LINE_CHARS), each);
  }

  async function score(out: OutputState, trainer: ModelTrainer): Promise<number> {
    // Both files are opened first: a missing input is reported before a long training, not after.
    const trainStream = await openInput(trainFile, 'training file', io);
    /** A file's stream that failed or was not read: closed now, not by the garbage collector (which warns on stderr). */
    const close = (stream: NodeJS.ReadableStream): void => {
      if (stream !== io.stdin) destroyStream(stream);
    };
    let input: NodeJS.ReadableStream;
    try {
      input = await openInput(inputFile, 'input file', io);
    } catch (err) {
      close(trainStream);
      throw err;
    }
    let sawLogLine = false;
    try {
      await eachBatch(trainStream, `training file '${trainFile}'`, (lines, tokenized) => {
        for (let i = 0; i < lines.length; i++) {
          const l = lines[i]!;
          if (!sawLogLine) sawLogLine = !isBlank(l);
          trainer.add(l, tokenized?.[i]);
        }
      });
    } catch (err) {
      close(input);
      throw err;
    }
    // Not an error (an empty history is a legitimate state), but a silent run would look like "no anomalies".
    if (!sawLogLine) io.stderr.write(`score: warning: training file '${trainFile}' has no log lines: the model knows nothing of this host's routine: every input line is new to it: a message scores about 0.48 the first time and less each time it comes back, whatever it says, unless it carries failure words, so at the default threshold only lines with failure words are flagged, and a routine line is not told from an unusual one\n`);
    const model = trainer.finish();
    // The input is the host's stream in order, as the daemon sees it: a new message that keeps coming back weighs less.
    const familiar = new Familiarity();
    // Exactly these keys, in this order: the output format is an interface.
    const json = new ScoreLineJson(threshold);
    let n = 0;
    await eachBatch(
      input,
      inputFile === '-' ? 'standard input' : `input file '${inputFile}'`,
      (lines, tokenized) => {
        if (out.closed) return;
        let text = '';
        for (let i = 0; i < lines.length; i++) text += json.format(++n, model.score(lines[i]!, familiar, tokenized?.[i])) + '\n';
        return writeOut(io.stdout, text, out);
      },
      out,
    );
    return EXIT_OK;
  }
}
