// `npm run bench` (node dist/bench/run.js [PART...] [--quick] [--runs N] [--profile[=DIR]]):
// performance figures of the model and the daemon on this machine, each the median of several
// runs, ending with a markdown table (figure, value, target, result) for the README.
// Parts: training scoring size e2e latency scale offline (default: all; numbers 1-7 work too).
// Not part of `npm test`. Cleans up after itself: servers, daemons, databases, temp files.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchContext } from './perf-context.js';
import { killDaemonsNow, openDb, type BenchDb } from './perf-db.js';
import { benchEndToEnd } from './perf-e2e.js';
import { benchLatency } from './perf-latency.js';
import { benchModelSize, benchScoring, benchTraining, trainModelFile } from './perf-model.js';
import { benchOffline } from './perf-offline.js';
import { cpuModel, cpuShareSince, cpuShareStart, threadSpeed } from './perf-proc.js';
import { failed, markdownTable, type Figure } from './perf-report.js';
import { benchScale } from './perf-scale.js';
import { benchStateWrites } from './perf-state.js';

interface Part {
  name: string;
  title: string;
  run(ctx: BenchContext): Promise<Figure[]>;
}

const PARTS: Part[] = [
  { name: 'training', title: 'training throughput and peak memory', run: benchTraining },
  { name: 'scoring', title: 'scoring throughput (one thread, piscina pool)', run: benchScoring },
  { name: 'size', title: 'model size on disk and in memory', run: benchModelSize },
  { name: 'e2e', title: 'end-to-end daemon throughput vs a plain driver baseline', run: benchEndToEnd },
  { name: 'latency', title: 'detection latency at 1,000 lines/s over 10 hosts', run: benchLatency },
  { name: 'scale', title: 'scale: 200 hosts x 5,000 history lines', run: benchScale },
  { name: 'offline', title: 'offline `score` command vs the original Drain', run: benchOffline },
  { name: 'state', title: 'memory of new messages saved with each checkpoint', run: benchStateWrites },
];

const USAGE = `usage: node dist/bench/run.js [PART...] [--quick] [--runs N] [--profile[=DIR]]
parts: ${PARTS.map((p, i) => `${i + 1}=${p.name}`).join(' ')} (default: all)
  --quick          smaller sizes and shorter loads (figures not comparable with the targets)
  --runs N         runs per figure, median reported (default 3; slow parts do fewer and say so)
  --profile[=DIR]  one extra CPU-profiled run per part, not counted (part 6 profiles its single
                   run instead); prints where the time goes; keeps the profiles in DIR when given
`;

function parseArgs(argv: string[]): { parts: Part[]; quick: boolean; runs: number; profile: string | true | null } {
  const picked: Part[] = [];
  let quick = false;
  let runs = 3;
  let profile: string | true | null = null;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--quick') quick = true;
    else if (a === '--runs') runs = Number(argv[++i]);
    else if (a.startsWith('--runs=')) runs = Number(a.slice(7));
    else if (a === '--profile') profile = true;
    else if (a.startsWith('--profile=')) profile = a.slice(10);
    else if (a === '--help' || a === '-h') {
      process.stdout.write(USAGE);
      process.exit(0);
    } else {
      const p = /^\d$/.test(a) ? PARTS[Number(a) - 1] : PARTS.find((x) => x.name === a);
      if (!p) {
        process.stderr.write(`unknown part or option: ${a}\n${USAGE}`);
        process.exit(2);
      }
      if (!picked.includes(p)) picked.push(p);
    }
  }
  if (!Number.isInteger(runs) || runs < 1) {
    process.stderr.write(`--runs must be a positive integer\n${USAGE}`);
    process.exit(2);
  }
  return { parts: picked.length > 0 ? PARTS.filter((p) => picked.includes(p)) : PARTS, quick, runs, profile };
}

/** 1-minute load average: other work on the machine skews the figures, so each part reports it. */
function loadAverage(): string {
  try {
    return readFileSync('/proc/loadavg', 'utf8').split(' ')[0]!;
  } catch {
    return 'n/a';
  }
}

function freeH(): string {
  try {
    return execFileSync('free', ['-h'], { encoding: 'utf8' }).trimEnd();
  } catch {
    return '(free not available)';
  }
}

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  const tmp = mkdtempSync(join(tmpdir(), 'ad-bench-'));
  const profileDir = opts.profile === null ? null : opts.profile === true ? join(tmp, 'profiles') : opts.profile;
  // Holders rather than plain variables: they are set inside closures.
  const dbState: { opening: Promise<BenchDb> | null; opened: BenchDb | null } = { opening: null, opened: null };
  const models = new Map<number, Promise<string>>();
  const out = (s: string): void => void process.stdout.write(`${s}\n`);

  const emergency = (): void => {
    killDaemonsNow();
    dbState.opened?.killNow();
    rmSync(tmp, { recursive: true, force: true });
    process.exit(130);
  };
  process.on('SIGINT', emergency);
  process.on('SIGTERM', emergency);

  const ctx: BenchContext = {
    quick: opts.quick,
    runs: opts.runs,
    profileDir,
    tmp,
    log: out,
    db: () =>
      (dbState.opening ??= openDb().then((d) => {
        dbState.opened = d;
        out(`  (database: ${d.describe})`);
        return d;
      })),
    modelFile(lines) {
      let m = models.get(lines);
      if (!m) {
        m = trainModelFile(ctx, lines);
        models.set(lines, m);
      }
      return m;
    },
    rememberModel(lines, file) {
      models.set(lines, Promise.resolve(file));
    },
  };

  const started = new Date();
  const speed = await threadSpeed();
  const header = [
    `# anomaly-detector benchmark`,
    ``,
    `- date: ${started.toISOString()}`,
    `- machine: nproc ${cpus().length} (${cpuModel()}); one thread runs the reference loop (3e8 steps) in ${(speed.oneThreadMs / 1000).toFixed(2)} s (a slower loop means slower figures: compare machines by it); measured parallel speed-up of 2 CPU-bound threads: ${speed.speedup.toFixed(2)}x`,
    `- load average at start: ${loadAverage()} (other processes on this machine slow the figures down; each part reports the CPU they used)`,
    `- node ${process.version}; mode: ${opts.quick ? 'QUICK (reduced sizes; not comparable with the targets)' : 'full'}; runs per figure: ${opts.runs}`,
    `- memory (free -h):`,
    ...freeH()
      .split('\n')
      .map((l) => `      ${l}`),
  ];
  out(header.join('\n'));

  const figures: Figure[] = [];
  try {
    for (const part of opts.parts) {
      const idx = PARTS.indexOf(part) + 1;
      out(`\n## ${idx}. ${part.title}`);
      const t = performance.now();
      const cpu0 = cpuShareStart();
      const load0 = loadAverage();
      try {
        figures.push(...(await part.run(ctx)));
      } catch (err) {
        const msg = err instanceof Error ? err.message : String(err);
        out(`  FAILED: ${msg}`);
        figures.push(failed(String(idx), part.title, '-', msg.split('\n')[0]!.slice(0, 200)));
      }
      out(`  (part took ${((performance.now() - t) / 1000).toFixed(0)} s; ${cpuShareSince(cpu0)}; load average ${load0} -> ${loadAverage()})`);
    }
  } finally {
    killDaemonsNow();
    if (dbState.opening) await (await dbState.opening.catch(() => null))?.close();
    // A --profile=DIR outside the temporary directory is kept; everything else goes.
    rmSync(tmp, { recursive: true, force: true });
  }
  out(`\n## Results (${started.toISOString().slice(0, 10)}, nproc ${cpus().length}, ${((Date.now() - started.getTime()) / 1000).toFixed(0)} s)\n`);
  out(header.slice(2).join('\n'));
  out('');
  out(markdownTable(figures));
  if (profileDir && opts.profile !== true) out(`\nCPU profiles kept in ${profileDir}`);
}

await main();
