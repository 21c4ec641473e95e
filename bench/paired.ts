// `node dist/bench/paired.js OLD_DIST NEW_DIST [tokenize|train|score] [--rounds N] [--lines N]`:
// one build against another in ONE process, their rounds alternating, printing the median ratio
// of the new build's time to the old one's. On a shared machine whose speed moves by a third
// within minutes, comparing runs of `npm run bench` cannot show a change of 5-10%; alternating
// rounds see the same machine. OLD_DIST is another build's `dist`, for example:
//   d=$PWD; git worktree add /tmp/old HEAD~1 && (cd /tmp/old && ln -s "$d/node_modules" . && npx tsc -p tsconfig.json)
// and then OLD_DIST is /tmp/old/dist (the link gives the old build this checkout's packages).
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { generateLines } from './perf-lines.js';
import { median } from './perf-report.js';

interface Build {
  tokenize(line: string): { tokens: string[] };
  trainer(): { add(line: string): void; finish(): { score(line: string, familiar?: unknown): unknown } };
  familiarity(): unknown;
}

async function load(dist: string): Promise<Build> {
  const at = (p: string): string => pathToFileURL(resolve(dist, p)).href;
  const mask = (await import(at('src/model/mask.js'))) as { tokenize: Build['tokenize'] };
  type Trainer = new (o: object) => ReturnType<Build['trainer']>;
  // ModelTrainer is in trainer.js since 2026-11-23, in detector.js before (an old build's).
  const detector = (await import(at('src/model/detector.js'))) as { ModelTrainer?: Trainer };
  const trainer = (await import(at('src/model/trainer.js'))) as { ModelTrainer?: Trainer };
  const ModelTrainer = trainer.ModelTrainer ?? detector.ModelTrainer;
  if (ModelTrainer === undefined) throw new Error(`${dist}: no ModelTrainer in src/model/trainer.js or detector.js`);
  const fam = (await import(at('src/model/familiarity.js'))) as { Familiarity: new () => unknown };
  return {
    tokenize: (l) => mask.tokenize(l),
    trainer: () => new ModelTrainer({ maxTemplates: 5000, extraMasks: [] }),
    familiarity: () => new fam.Familiarity(),
  };
}

const USAGE = 'usage: node dist/bench/paired.js OLD_DIST NEW_DIST [tokenize|train|score] [--rounds N] [--lines N]\n';

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const opt = (name: string, dflt: number): number => {
    const i = args.indexOf(name);
    if (i < 0) return dflt;
    const v = Number(args.splice(i, 2)[1]);
    if (!Number.isInteger(v) || v < 1) throw new Error(`${name} must be a positive integer`);
    return v;
  };
  const rounds = opt('--rounds', 40);
  const n = opt('--lines', 20_000);
  const [oldDist, newDist, what = 'tokenize'] = args;
  if (!oldDist || !newDist || !['tokenize', 'train', 'score'].includes(what)) {
    process.stderr.write(USAGE);
    process.exit(2);
  }
  const builds = [await load(oldDist), await load(newDist)];
  // Flat strings, as lines read from a file or a database are.
  const lines = generateLines(3, n).map((l) => Buffer.from(l).toString());
  const models = what === 'score' ? builds.map((b) => {
    const t = b.trainer();
    for (const l of generateLines(5, 50_000)) t.add(l);
    return t.finish();
  }) : [];
  const run = (k: number): number => {
    const b = builds[k]!;
    const t = performance.now();
    if (what === 'tokenize') for (const l of lines) b.tokenize(l);
    else if (what === 'train') {
      const tr = b.trainer();
      for (const l of lines) tr.add(l);
    } else {
      const fam = b.familiarity();
      for (const l of lines) models[k]!.score(l, fam);
    }
    return performance.now() - t;
  };
  for (let r = 0; r < 3; r++) {
    run(0);
    run(1);
  }
  const times: [number[], number[]] = [[], []];
  const ratios: number[] = [];
  for (let r = 0; r < rounds; r++) {
    // Alternate which goes first, so that neither always runs after the other's garbage.
    const first = r % 2;
    const a = run(first);
    const b = run(1 - first);
    const [o, nw] = first === 0 ? [a, b] : [b, a];
    times[0].push(o);
    times[1].push(nw);
    ratios.push(nw / o);
  }
  const us = (ms: number[]): string => ((median(ms) * 1000) / n).toFixed(2);
  process.stdout.write(`${what}, ${n} lines, ${rounds} rounds each: old ${us(times[0])} µs/line, new ${us(times[1])} µs/line (medians); new/old time, median of the paired rounds: ${median(ratios).toFixed(3)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).message}\n`);
  process.exit(1);
});
