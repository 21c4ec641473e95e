// Parts 1-3: training throughput and memory, scoring throughput (one thread and a piscina pool),
// model size on disk and in memory. Each measurement runs in a fresh child process.
import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchContext } from './perf-context.js';
import { runChild } from './perf-proc.js';
import { formatSummary, profileFiles, summarize } from './perf-profile.js';
import { int, mb, median, runsNote, secs, type Figure } from './perf-report.js';

interface TrainResult {
  lines: number;
  source: string;
  addMs: number;
  finishMs: number;
  serializeMs: number;
  linesPerSec: number;
  templates: number;
  modelBytes: number;
  baselineRss: number;
  baselineHeap: number;
  peakRss: number;
  peakHeap: number;
}

interface RateResult {
  lines: number;
  ms: number;
  linesPerSec: number;
  overThreshold: number;
}

interface HeapResult {
  total: number;
  top: Array<{ kind: string; bytes: number; count: number }>;
}

interface MemResult {
  textBytes: number;
  loadMs: number;
  totalDelta: number;
  afterScoringDelta: number;
  templates: number;
}

const TRAIN_SEED = 1;
const SCORE_SEED = 2;
const POOL_WORKERS = 2;
const POOL_BATCH = 2000;

export function trainingLines(ctx: BenchContext): number {
  return ctx.quick ? 200_000 : 1_000_000;
}

/** Trains a model on `lines` mixed lines in a child process and saves it (shared by the parts). */
export async function trainModelFile(ctx: BenchContext, lines: number): Promise<string> {
  const file = join(ctx.tmp, `model-${lines}.json`);
  ctx.log(`  (training a ${int(lines)}-line model for the measurement)`);
  await runChild<TrainResult>(['train', '--lines', String(lines), '--seed', String(TRAIN_SEED), '--save', file]);
  return file;
}

function profileArgs(ctx: BenchContext, name: string): { dir: string; args: string[] } | null {
  if (!ctx.profileDir) return null;
  const dir = join(ctx.profileDir, name);
  mkdirSync(dir, { recursive: true });
  return { dir, args: ['--cpu-prof', `--cpu-prof-dir=${dir}`] };
}

export async function benchTraining(ctx: BenchContext): Promise<Figure[]> {
  const lines = trainingLines(ctx);
  const file = join(ctx.tmp, `model-${lines}.json`);
  const results: TrainResult[] = [];
  for (let r = 1; r <= ctx.runs; r++) {
    const res = await runChild<TrainResult>(['train', '--lines', String(lines), '--seed', String(TRAIN_SEED), ...(r === ctx.runs ? ['--save', file] : [])]);
    results.push(res);
    ctx.log(
      `  run ${r}: ${int(res.linesPerSec)} lines/s (add ${secs(res.addMs)}, finish ${secs(res.finishMs)}), ${res.templates} templates, ` +
        `peak RSS ${mb(res.peakRss)} (process before training ${mb(res.baselineRss)}), peak heap ${mb(res.peakHeap)} (before ${mb(res.baselineHeap)})`,
    );
  }
  ctx.rememberModel(lines, file);
  ctx.log(`  lines: ${results[0]!.source}`);
  const prof = profileArgs(ctx, 'training');
  if (prof) {
    const f = join(prof.dir, 'training.cpuprofile');
    await runChild(['train', '--lines', String(lines), '--seed', String(TRAIN_SEED), '--cpu-profile', f]);
    ctx.log(formatSummary(summarize([f], `training ${int(lines)} lines, one thread (ModelTrainer.add + finish only)`)));
  }
  const rate = results.map((r) => r.linesPerSec);
  const total = results.map((r) => r.addMs + r.finishMs);
  const rss = results.map((r) => r.peakRss);
  const heap = results.map((r) => r.peakHeap);
  const n = int(lines);
  return [
    { part: '1', name: `training throughput, one thread (${n} mixed lines)`, value: `${int(median(rate))} lines/s`, target: '≥ 200,000 lines/s per worker', pass: median(rate) >= 200_000, note: runsNote(rate, int) },
    {
      part: '1',
      name: `a ${n}-line host trains in (add + finish)`,
      value: secs(median(total)),
      target: lines >= 1_000_000 ? '< 10 s' : '< 10 s (for 1,000,000 lines)',
      pass: lines >= 1_000_000 ? median(total) < 10_000 : null,
      note: runsNote(total, secs),
    },
    { part: '1', name: 'training peak RSS (whole process: VmHWM)', value: mb(median(rss)), target: '-', pass: null, note: `${runsNote(rss, mb)}; process RSS before training ${mb(results[0]!.baselineRss)}` },
    { part: '1', name: 'training peak heap used (sampled every 20,000 lines)', value: mb(median(heap)), target: '-', pass: null, note: `${runsNote(heap, mb)}; before training ${mb(results[0]!.baselineHeap)}` },
  ];
}

export async function benchScoring(ctx: BenchContext): Promise<Figure[]> {
  const trained = trainingLines(ctx);
  const model = await ctx.modelFile(trained);
  const lines = ctx.quick ? 200_000 : 1_000_000;
  const args = ['--model', model, '--lines', String(lines), '--seed', String(SCORE_SEED)];
  const single: RateResult[] = [];
  const pooled: RateResult[] = [];
  const side: Array<RateResult & { perThread: number[] }> = [];
  for (let r = 1; r <= ctx.runs; r++) {
    const s = await runChild<RateResult>(['score', ...args]);
    single.push(s);
    const p = await runChild<RateResult>(['pool', ...args, '--workers', String(POOL_WORKERS), '--batch', String(POOL_BATCH)]);
    pooled.push(p);
    const t = await runChild<RateResult & { perThread: number[] }>(['threads', ...args, '--workers', String(POOL_WORKERS)]);
    side.push(t);
    ctx.log(
      `  run ${r}: one thread ${int(s.linesPerSec)} lines/s; pool of ${POOL_WORKERS} ${int(p.linesPerSec)} lines/s ` +
        `(${int(p.linesPerSec / POOL_WORKERS)} per worker); ${POOL_WORKERS} threads side by side, no pool, ` +
        `${t.perThread.map(int).join(' and ')} lines/s; ${s.overThreshold} of ${int(lines)} lines at or above the default threshold`,
    );
  }
  const prof = profileArgs(ctx, 'scoring');
  if (prof) {
    const f = join(prof.dir, 'scoring.cpuprofile');
    await runChild(['score', ...args, '--cpu-profile', f]);
    ctx.log(formatSummary(summarize([f], `scoring ${int(lines)} lines, one thread (HostModel.score loop only)`)));
    // Worker threads: whole-thread profiles (--cpu-prof), so model loading and messaging show too.
    const pdir = profileArgs(ctx, 'scoring-pool')!;
    const mainFile = join(pdir.dir, 'pool-main.cpuprofile');
    await runChild(['pool', ...args, '--workers', String(POOL_WORKERS), '--batch', String(POOL_BATCH), '--cpu-profile', mainFile], pdir.args);
    const files = profileFiles(pdir.dir);
    ctx.log(formatSummary(summarize(files.workers, `scoring through the pool: ${files.workers.length} worker threads together, whole life (includes model load)`)));
    ctx.log(formatSummary(summarize([mainFile], 'scoring through the pool: main thread during the timed part (dispatch, structured clone)')));
  }
  const one = single.map((r) => r.linesPerSec);
  const pool = pooled.map((r) => r.linesPerSec);
  const per = pool.map((x) => x / POOL_WORKERS);
  const ceiling = side.map((r) => r.linesPerSec / POOL_WORKERS);
  const model1 = `model of ${int(trained)} lines`;
  return [
    { part: '2', name: `scoring throughput in process, one thread (${model1})`, value: `${int(median(one))} lines/s`, target: '≥ 300,000 lines/s per worker', pass: median(one) >= 300_000, note: runsNote(one, int) },
    { part: '2', name: `scoring through a piscina pool of ${POOL_WORKERS} workers, total (batches of ${POOL_BATCH})`, value: `${int(median(pool))} lines/s`, target: '-', pass: null, note: runsNote(pool, int) },
    { part: '2', name: 'scoring through the pool, per worker', value: `${int(median(per))} lines/s`, target: '≥ 300,000 lines/s per worker', pass: median(per) >= 300_000, note: runsNote(per, int) },
    {
      part: '2',
      name: `${POOL_WORKERS} threads side by side, each scoring lines it holds (no pool, no batches shipped), per thread`,
      value: `${int(median(ceiling))} lines/s`,
      target: '-',
      pass: null,
      note: `${runsNote(ceiling, int)}; what the cores give this work: the pool's ceiling`,
    },
  ];
}

export async function benchModelSize(ctx: BenchContext): Promise<Figure[]> {
  const sizes = ctx.quick ? [100_000, 200_000] : [100_000, 1_000_000];
  const figures: Figure[] = [];
  const LIMIT = 5 * 1024 * 1024;
  for (const lines of sizes) {
    const file = await ctx.modelFile(lines);
    const bytes = statSync(file).size;
    const mem: MemResult[] = [];
    for (let r = 1; r <= ctx.runs; r++) mem.push(await runChild<MemResult>(['model-mem', '--model', file], ['--expose-gc']));
    const loaded = mem.map((m) => m.totalDelta);
    const used = mem.map((m) => m.afterScoringDelta);
    const load = mem.map((m) => m.loadMs);
    ctx.log(
      `  ${int(lines)} lines: ${mem[0]!.templates} templates, ${mb(bytes)} serialized; heap after deserializing ${loaded.map(mb).join(', ')}; ` +
        `after scoring 100,000 lines (shape cache filled) ${used.map(mb).join(', ')}; deserialize ${load.map((x) => `${x.toFixed(0)} ms`).join(', ')}`,
    );
    if (ctx.profileDir) {
      const dir = join(ctx.profileDir, `model-heap-${lines}`);
      mkdirSync(dir, { recursive: true });
      const h = await runChild<HeapResult>(['model-heap', '--model', file, '--dir', dir], ['--expose-gc']);
      ctx.log(`  heap snapshot diff after deserializing the ${int(lines)}-line model (${mb(h.total)} in new objects; self sizes by kind):`);
      for (const e of h.top) ctx.log(`      ${mb(e.bytes).padStart(9)}  ${String(e.count).padStart(7)} x ${e.kind}`);
    }
    const n = int(lines);
    figures.push(
      { part: '3', name: `model on disk, ${n} training lines (serialized bytes)`, value: mb(bytes), target: '≤ 5 MB per host', pass: bytes <= LIMIT, note: `${int(bytes)} bytes; deterministic (seeded)` },
      { part: '3', name: `model in memory, ${n} training lines (heap + external after deserialize, gc'd)`, value: mb(median(loaded)), target: '≤ 5 MB per host', pass: median(loaded) <= LIMIT, note: runsNote(loaded, mb) },
      { part: '3', name: `model in memory after scoring 100,000 lines (incl. shape cache), ${n}`, value: mb(median(used)), target: '-', pass: null, note: runsNote(used, mb) },
    );
  }
  return figures;
}
