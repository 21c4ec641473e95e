// Real labelled failures: detection on a log whose lines carry their own
// label, in the format of the loghub supercomputer logs (BGL, Thunderbird):
// the first field is "-" for a normal line and an alert category otherwise.
//
//   node dist/bench/labelled.js FILE [--train-share 0.7] [--seed N] [--dump OUT.jsonl]
//
// The label is cut off and the rest of the raw line (header with the
// system's own level, then the message) is what the model sees, as the
// `score` command would. Two splits:
// - chronological: the first share trains, the rest is scored in order
//   (the daemon's situation; later months bring messages the training never
//   held);
// - random: a seeded random share trains (as 30 days of history would cover
//   the routine messages), the rest is scored in order.
// Training lines keep their failures: the model never sees a label.
// No such file ships with the repository (research licence); the README says
// where the figures came from.

import { appendFileSync, readFileSync } from 'node:fs';
import { Familiarity } from '../src/model/familiarity.js';
import { DEFAULT_THRESHOLD } from '../src/model/detector.js';
import { ModelTrainer } from '../src/model/trainer.js';
import { Rng } from '../src/seeded-random.js';
import { auc, f3, prf } from './metrics.js';

interface Labelled {
  line: string;
  failure: boolean;
}

interface Args {
  file: string;
  trainShare: number;
  seed: number;
  /** Appends every scored line (split, label, score, reasons, evidence) as JSON lines. */
  dump: string | null;
}

const USAGE = 'usage: node dist/bench/labelled.js FILE [--train-share 0.7] [--seed N] [--dump OUT.jsonl]';

function parseArgs(argv: readonly string[]): Args {
  const args: Args = { file: '', trainShare: 0.7, seed: 1, dump: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = (): number => {
      const v = Number(argv[++i]);
      if (!Number.isFinite(v)) throw new Error(`${a} needs a number`);
      return v;
    };
    if (a === '--train-share') args.trainShare = value();
    else if (a === '--seed') args.seed = value();
    else if (a === '--dump') {
      const f = argv[++i];
      if (f === undefined) throw new Error('--dump needs a file');
      args.dump = f;
    }
    else if (a === '--help' || a === '-h') {
      process.stdout.write(`${USAGE}\n`);
      process.exit(0);
    } else if (a.startsWith('--')) throw new Error(`unknown option ${a}\n${USAGE}`);
    else args.file = a;
  }
  if (args.file === '') throw new Error(USAGE);
  if (!(args.trainShare > 0 && args.trainShare < 1)) throw new Error('--train-share must be between 0 and 1');
  return args;
}

/** Lines of a loghub-style labelled log: label, a space, the raw line. */
export function parseLabelled(text: string): Labelled[] {
  const out: Labelled[] = [];
  for (const raw of text.split(/\r?\n/)) {
    if (raw.trim() === '') continue;
    const space = raw.indexOf(' ');
    if (space <= 0) throw new Error(`not a labelled line (label, space, line): ${raw.slice(0, 80)}`);
    out.push({ line: raw.slice(space + 1), failure: raw.slice(0, space) !== '-' });
  }
  return out;
}

function evaluate(name: string, train: readonly Labelled[], test: readonly Labelled[], dump: string | null): void {
  const trainer = new ModelTrainer();
  for (const l of train) trainer.add(l.line);
  const model = trainer.finish();
  let tp = 0;
  let fp = 0;
  let fn = 0;
  const pos: number[] = [];
  const neg: number[] = [];
  const familiar = new Familiarity();
  for (const l of test) {
    const scored = dump === null ? model.score(l.line, familiar) : model.explain(l.line, familiar);
    if (dump !== null) appendFileSync(dump, JSON.stringify({ split: name, failure: l.failure, line: l.line.slice(0, 300), ...scored }) + '\n');
    const s = scored.score;
    const flagged = s >= DEFAULT_THRESHOLD;
    (l.failure ? pos : neg).push(s);
    if (flagged && l.failure) tp++;
    else if (flagged) fp++;
    else if (l.failure) fn++;
  }
  const [p, r, f1] = prf(tp, fp, fn);
  const trainFailures = train.filter((l) => l.failure).length;
  console.log(
    `| ${name} | ${train.length} (${trainFailures} failures) | ${test.length} (${pos.length} failures) | ${f3(p)} | ${f3(r)} | ${f3(f1)} | ${f3(fp / neg.length)} (${fp}/${neg.length}) | ${f3(auc(pos, neg))} |`,
  );
}

function main(): void {
  const args = parseArgs(process.argv.slice(2));
  const lines = parseLabelled(readFileSync(args.file, 'utf8'));
  const cut = Math.round(lines.length * args.trainShare);
  console.log(`${args.file}: ${lines.length} lines, ${lines.filter((l) => l.failure).length} labelled failures; threshold ${DEFAULT_THRESHOLD}\n`);
  console.log('| split | training lines | scored lines | precision | recall | F1 | FP rate on normal lines | AUC |');
  console.log('|---|---|---|---|---|---|---|---|');
  evaluate('chronological', lines.slice(0, cut), lines.slice(cut), args.dump);
  const idx = new Rng(args.seed).shuffle(lines.map((_, i) => i));
  const trainIdx = idx.slice(0, cut).sort((a, b) => a - b);
  const testIdx = idx.slice(cut).sort((a, b) => a - b);
  evaluate(`random (seed ${args.seed})`, trainIdx.map((i) => lines[i]!), testIdx.map((i) => lines[i]!), args.dump);
}

main();
