// Part 7: the offline `score` command (`node dist/src/cli.js score --train FILE FILE`) on mixed
// lines: it trains on the file and prints one JSON object per line. Throughput = input lines /
// wall time of the whole command (process start, training, scoring, output). Two inputs of the
// same messages: the messages alone, and whole lines with the header each sample line had in its
// system's raw `.log` file (perf-lines.ts).
//
// The comparison with the original Drain parser (Python, logpai's logparser, the package
// logparser3) is measured in the same run on the same lines when a Python with it installed is
// found (DRAIN_PYTHON, else .cache/drain/bin/python, else python3). The speed of both depends on
// the machine (this project's figures differed 4-5 times between two machines of 2 vCPUs), so
// only a ratio measured on one machine means anything. Drain parses with its usual settings
// (depth 4, similarity 0.5) and no masking rules of its own: with them it would only be slower.
// Without such a Python the reference figures given to this project are used, and the figure
// says so: about 13,000 lines/s on one homogeneous log and about 3,500 lines/s on a mix.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchContext } from './perf-context.js';
import { distinctMessages, generateLines } from './perf-lines.js';
import { formatSummary, profileFiles, summarize } from './perf-profile.js';
import { failed, int, median, runsNote, secs, type Figure } from './perf-report.js';

const CLI = new URL('../src/cli.js', import.meta.url).pathname;
export const DRAIN_MIXED_LINES_PER_SEC = 3500;
export const DRAIN_HOMOGENEOUS_LINES_PER_SEC = 13000;

/**
 * Parses argv[1] with logparser's Drain and prints the seconds it took (reading the file, parsing,
 * writing its structured output, as its users run it) and the package's version.
 */
const DRAIN_DRIVER = `
import sys, time, os, tempfile
from importlib.metadata import version
from logparser.Drain import LogParser
d, name = os.path.split(os.path.abspath(sys.argv[1]))
out = tempfile.mkdtemp(dir=sys.argv[2])
t = time.perf_counter()
LogParser('<Content>', indir=d, outdir=out, depth=4, st=0.5, rex=[]).parse(name)
print(time.perf_counter() - t, version('logparser3'))
`;

/** Where the README installs logparser: found there without DRAIN_PYTHON. */
const DRAIN_VENV_PYTHON = new URL('../../.cache/drain/bin/python', import.meta.url).pathname;

/** The Python that has logparser's Drain, or null. */
function drainPython(): string | null {
  const py = process.env.DRAIN_PYTHON || (existsSync(DRAIN_VENV_PYTHON) ? DRAIN_VENV_PYTHON : 'python3');
  const r = spawnSync(py, ['-c', 'import logparser.Drain'], { stdio: 'ignore', timeout: 60_000 });
  return r.status === 0 ? py : null;
}

/** Drain's wall time on `file` (one run: it is the slow side), or why it failed. */
function runDrain(py: string, file: string, tmp: string): { ms: number; version: string } | string {
  const out = mkdtempSync(join(tmp, 'drain-'));
  try {
    const r = spawnSync(py, ['-c', DRAIN_DRIVER, file, out], { encoding: 'utf8', maxBuffer: 64 << 20 });
    const last = (r.stdout ?? '').trim().split('\n').pop() ?? '';
    const [seconds, version] = last.split(' ');
    if (r.status !== 0 || !Number.isFinite(Number(seconds))) return `Drain exited with ${r.status ?? r.signal}: ${(r.stderr ?? '').trim().split('\n').pop() ?? ''}`;
    return { ms: Number(seconds) * 1000, version: version ?? '?' };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

interface CommandRun {
  ms: number;
  outLines: number;
  code: number | null;
  stderr: string;
}

function runScore(file: string, nodeArgs: string[] = []): Promise<CommandRun> {
  return new Promise((res) => {
    const t = performance.now();
    const child = spawn(process.execPath, [...nodeArgs, CLI, 'score', '--train', file, file], { stdio: ['ignore', 'pipe', 'pipe'] });
    let outLines = 0;
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      for (let i = d.indexOf(10); i >= 0; i = d.indexOf(10, i + 1)) outLines++;
    });
    child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
    child.on('close', (code) => res({ ms: performance.now() - t, outLines, code, stderr }));
  });
}

export async function benchOffline(ctx: BenchContext): Promise<Figure[]> {
  const lines = ctx.quick ? 50_000 : 300_000;
  // The same messages twice: alone (a document's message field, the Content column), and as
  // whole lines with their systems' headers, as a log file holds them. Both tools are slower on
  // whole lines (more tokens, a timestamp in each), so each is compared on the same lines.
  const messages = await mixFigures(ctx, lines, false);
  const whole = await mixFigures(ctx, lines, true);
  return [...messages, ...whole, await manyTypes(ctx)];
}

/** Our wall time and throughput on `lines` mixed lines, and the comparison with Drain on the same file. */
async function mixFigures(ctx: BenchContext, lines: number, wholeLines: boolean): Promise<Figure[]> {
  const file = join(ctx.tmp, wholeLines ? 'offline-mixed-whole.log' : 'offline-mixed.log');
  writeFileSync(file, `${generateLines(3, lines, wholeLines).join('\n')}\n`);
  const n = int(lines);
  const what = wholeLines ? `${n} mixed whole lines (with their headers)` : `${n} mixed messages`;
  ctx.log(`  ${what}:`);
  const target = `≥ 20x Drain (≥ ${int(20 * DRAIN_MIXED_LINES_PER_SEC)} lines/s)`;
  const ms = await timedRuns(ctx, file, lines, '');
  if (typeof ms === 'string') return [failed('7', `offline score on ${what}`, target, ms)];
  if (ctx.profileDir) {
    const dir = join(ctx.profileDir, wholeLines ? 'offline-whole' : 'offline');
    mkdirSync(dir, { recursive: true });
    await runScore(file, ['--cpu-prof', `--cpu-prof-dir=${dir}`]);
    ctx.log(formatSummary(summarize(profileFiles(dir).main, `offline score, ${what}`)));
  }
  const rate = (lines / median(ms)) * 1000;
  const ours = [
    { part: '7', name: `offline \`score --train F F\` on ${what}: wall time (train + score + JSON output)`, value: secs(median(ms)), target: '-', pass: null, note: runsNote(ms, secs) },
    { part: '7', name: `offline score throughput on ${what} (input lines / wall time)`, value: `${int(rate)} lines/s`, target: '-', pass: null, note: runsNote(ms.map((m) => (lines / m) * 1000), int) },
  ];
  return [...ours, drainFigure(ctx, file, lines, rate, target, what)];
}

/** Our throughput against Drain's on the same lines: measured now when possible, else the reference figures. */
function drainFigure(ctx: BenchContext, file: string, lines: number, rate: number, target: string, what: string): Figure {
  const py = drainPython();
  if (py === null) {
    ctx.log('  no Python with logparser3 (set DRAIN_PYTHON): comparing with the reference figures');
    const ratio = rate / DRAIN_MIXED_LINES_PER_SEC;
    return {
      part: '7',
      name: `speed on ${what} vs the original Drain on mixed systems (reference: ${int(DRAIN_MIXED_LINES_PER_SEC)} lines/s)`,
      value: `${ratio.toFixed(1)}x`,
      target,
      pass: ratio >= 20,
      note: `Drain NOT measured in this run (reference figures, ${int(DRAIN_HOMOGENEOUS_LINES_PER_SEC)} lines/s homogeneous, ${int(DRAIN_MIXED_LINES_PER_SEC)} mixed, measured on another occasion: compare with care); vs homogeneous: ${(rate / DRAIN_HOMOGENEOUS_LINES_PER_SEC).toFixed(1)}x`,
    };
  }
  ctx.log(`  the original Drain (${py}) on the same ${int(lines)} lines, one run...`);
  const drain = runDrain(py, file, ctx.tmp);
  if (typeof drain === 'string') {
    ctx.log(`  ${drain}`);
    return failed('7', `speed on ${what} vs the original Drain, measured on the same lines`, target, drain);
  }
  const drainRate = (lines / drain.ms) * 1000;
  ctx.log(`  Drain: ${secs(drain.ms)} for ${int(lines)} lines (${int(drainRate)} lines/s)`);
  const ratio = rate / drainRate;
  return {
    part: '7',
    name: `speed on ${what} vs the original Drain (logparser3 ${drain.version}) measured on the same lines in this run`,
    value: `${ratio.toFixed(1)}x`,
    target: `≥ 20x Drain (≥ ${int(20 * drainRate)} lines/s)`,
    pass: ratio >= 20,
    note: `Drain ${secs(drain.ms)} (${int(drainRate)} lines/s; one run: depth 4, similarity 0.5, no masking rules)`,
  };
}

// A host with thousands of message types that share only a trailing value: each line used to be
// compared with every template of its length (5 min 7 s for these 20,000 lines, before the
// template index kept to the tokens that can decide a match).
async function manyTypes(ctx: BenchContext): Promise<Figure> {
  const lines = 20_000;
  const types = 4_000;
  const file = join(ctx.tmp, 'offline-many-types.log');
  writeFileSync(file, `${distinctMessages(lines, types).join('\n')}\n`);
  const name = `offline score on ${int(lines)} lines of ${int(types)} message types sharing only a trailing number`;
  const ms = await timedRuns(ctx, file, lines, 'many message types, ');
  if (typeof ms === 'string') return failed('7', name, '-', ms);
  return { part: '7', name, value: secs(median(ms)), target: '-', pass: null, note: runsNote(ms, secs) };
}

/** Wall times of ctx.runs `score --train F F` runs on `file`, logged; or why a run failed. */
async function timedRuns(ctx: BenchContext, file: string, lines: number, label: string): Promise<number[] | string> {
  const ms: number[] = [];
  for (let r = 1; r <= ctx.runs; r++) {
    const run = await runScore(file);
    if (run.code !== 0 || run.outLines !== lines) {
      const why = `score command exited with ${run.code} and printed ${run.outLines} of ${lines} lines${run.stderr ? `: ${run.stderr.trim().split('\n')[0]}` : ''}`;
      ctx.log(`  ${why}`);
      return why;
    }
    ms.push(run.ms);
    ctx.log(`  ${label}run ${r}: ${secs(run.ms)} for ${int(lines)} lines (${int((lines / run.ms) * 1000)} lines/s)`);
  }
  return ms;
}
