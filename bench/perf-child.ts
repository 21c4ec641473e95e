// One measurement in a fresh process (so peak RSS and heap belong to it alone); prints one JSON
// line. Started by the benchmark (perf-proc.ts runChild), not meant to be run by hand:
//   train     --lines N --seed S [--save FILE]   training throughput and peak memory
//   score     --model FILE --lines N --seed S    scoring throughput, one thread
//   pool      --model FILE --lines N --seed S --workers W --batch B   scoring through piscina
//   threads   --model FILE --lines N --seed S --workers W   W threads each scoring lines it holds (no pool)
//   model-mem --model FILE                        heap of a deserialized model (needs --expose-gc)
//   model-heap --model FILE --dir DIR             what that heap is made of (two heap snapshots, diffed)
// train, score and pool accept --cpu-profile FILE: a CPU profile of the timed part only (the
// lines are then generated beforehand, so line generation stays out of the profile).
import { readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';
import { writeHeapSnapshot } from 'node:v8';
import { Piscina } from 'piscina';
import { Worker } from 'node:worker_threads';
import { DEFAULT_THRESHOLD, HostModel } from '../src/model/detector.js';
import { ModelTrainer } from '../src/model/trainer.js';
import { Familiarity } from '../src/model/familiarity.js';
import { generateLines, lineSource } from './perf-lines.js';
import { statusBytes } from './perf-proc.js';

/** Lines generated per untimed chunk while training; memory is sampled after each chunk. */
const CHUNK = 20_000;
const WARMUP = 20_000;

function opt(name: string, fallback?: string): string {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? process.argv[i + 1] : fallback;
  if (v === undefined) throw new Error(`--${name} is required`);
  return v;
}

const profileFile = process.argv.includes('--cpu-profile') ? opt('cpu-profile') : null;
let session: Session | null = null;

async function startProfile(): Promise<void> {
  if (!profileFile) return;
  session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
}

async function stopProfile(): Promise<void> {
  if (!session || !profileFile) return;
  const { profile } = await session.post('Profiler.stop');
  writeFileSync(profileFile, JSON.stringify(profile));
  session.disconnect();
  session = null;
}

async function train(): Promise<object> {
  const total = Number(opt('lines'));
  const src = lineSource(Number(opt('seed')));
  // Profiled runs generate every line first; measured runs generate them in untimed chunks.
  const all = profileFile ? generateLines(Number(opt('seed')), total) : null;
  const baselineRss = statusBytes('self', 'VmRSS');
  const baselineHeap = process.memoryUsage().heapUsed;
  const trainer = new ModelTrainer({ maxTemplates: 5000, extraMasks: [] });
  let addMs = 0;
  let peakHeap = 0;
  const chunk = new Array<string>(CHUNK);
  await startProfile();
  for (let done = 0; done < total; ) {
    const n = Math.min(CHUNK, total - done);
    for (let i = 0; i < n; i++) chunk[i] = all ? all[done + i]! : src.next();
    const t = performance.now();
    for (let i = 0; i < n; i++) trainer.add(chunk[i]!);
    addMs += performance.now() - t;
    done += n;
    peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
  }
  chunk.length = 0;
  const t = performance.now();
  const model = trainer.finish();
  const finishMs = performance.now() - t;
  await stopProfile();
  peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
  const t2 = performance.now();
  const text = model.serialize();
  const serializeMs = performance.now() - t2;
  const save = process.argv.includes('--save') ? opt('save') : null;
  if (save) writeFileSync(save, text);
  return {
    lines: total,
    source: src.description,
    addMs,
    finishMs,
    serializeMs,
    linesPerSec: (total / addMs) * 1000,
    templates: model.summary().templates,
    modelBytes: Buffer.byteLength(text),
    baselineRss,
    baselineHeap,
    peakRss: statusBytes('self', 'VmHWM'),
    peakHeap,
  };
}

function loadModel(): HostModel {
  return HostModel.deserialize(readFileSync(opt('model'), 'utf8'));
}

async function score(): Promise<object> {
  const model = loadModel();
  const total = Number(opt('lines'));
  const lines = generateLines(Number(opt('seed')), total + WARMUP);
  for (let i = total; i < lines.length; i++) model.score(lines[i]!);
  let over = 0;
  // As the daemon scores: a stream, remembering the new messages (familiarity.ts).
  const familiar = new Familiarity();
  await startProfile();
  const t = performance.now();
  for (let i = 0; i < total; i++) if (model.score(lines[i]!, familiar).score >= DEFAULT_THRESHOLD) over++;
  const ms = performance.now() - t;
  await stopProfile();
  return { lines: total, ms, linesPerSec: (total / ms) * 1000, overThreshold: over };
}

async function pool(): Promise<object> {
  const total = Number(opt('lines'));
  const workers = Number(opt('workers'));
  const batch = Number(opt('batch'));
  const lines = generateLines(Number(opt('seed')), total + WARMUP * workers);
  const batches: string[][] = [];
  for (let i = 0; i < total; i += batch) batches.push(lines.slice(i, Math.min(total, i + batch)));
  const warm: string[][] = [];
  for (let i = total; i < lines.length; i += batch) warm.push(lines.slice(i, i + batch));
  const p = new Piscina({
    filename: new URL('./perf-score-worker.js', import.meta.url).href,
    minThreads: workers,
    maxThreads: workers,
    // As the daemon's scoring threads take them (supervisor.ts): two tasks at a time, so a thread
    // finds its next batch waiting when it finishes one, instead of idling while the main thread
    // hears of the result and posts the next (about 10% of the pool's throughput here).
    concurrentTasksPerWorker: 2,
    workerData: { modelFile: opt('model') },
  });
  // Model loading and JIT warm-up happen here, outside the timed part.
  await Promise.all(warm.map((b) => p.run(b)));
  await startProfile();
  const t = performance.now();
  const results = (await Promise.all(batches.map((b) => p.run(b)))) as Array<{ n: number; over: number }>;
  const ms = performance.now() - t;
  await stopProfile();
  await p.destroy();
  const n = results.reduce((a, r) => a + r.n, 0);
  if (n !== total) throw new Error(`pool scored ${n} of ${total} lines`);
  return { lines: total, ms, linesPerSec: (total / ms) * 1000, overThreshold: results.reduce((a, r) => a + r.over, 0), workers, batch };
}

/**
 * W threads, each scoring its own lines side by side, with no batch passed between threads: what
 * the cores give this work, against which the pool's per-worker figure is read.
 */
async function threads(): Promise<object> {
  const total = Number(opt('lines'));
  const workers = Number(opt('workers'));
  // A thread's next message: 'ready' once it holds its lines and model, then its result.
  const next = <T>(w: Worker): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      w.once('message', resolve);
      w.once('error', reject);
    });
  const started = Array.from({ length: workers }, (_, i) => {
    const w = new Worker(new URL('./perf-score-thread.js', import.meta.url), {
      workerData: { modelFile: opt('model'), seed: Number(opt('seed')) + i, lines: total, warmup: WARMUP },
    });
    return { w, ready: next<string>(w) };
  });
  await Promise.all(started.map((s) => s.ready));
  const done = started.map(({ w }) => next<{ ms: number; over: number }>(w));
  for (const { w } of started) w.postMessage('go');
  const results = await Promise.all(done);
  await Promise.all(started.map(({ w }) => w.terminate()));
  const perThread = results.map((r) => (total / r.ms) * 1000);
  return { lines: total, workers, perThread, linesPerSec: (total * workers * 1000) / Math.max(...results.map((r) => r.ms)) };
}

function gcOrThrow(): () => void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('this mode needs node --expose-gc');
  return () => {
    gc();
    gc();
  };
}

const offHeap = (m: NodeJS.MemoryUsage): number => m.heapUsed + m.external;

function modelMem(): object {
  const gc = gcOrThrow();
  const text = readFileSync(opt('model'), 'utf8');
  const lines = generateLines(7, 100_000);
  // The first model a thread loads and scores also compiles the code that does it (about 0.5 MB,
  // once per thread, not per model): measured on a second one.
  const warm = HostModel.deserialize(text, { keepText: false });
  const warmFamiliar = new Familiarity();
  for (let i = 0; i < 5_000; i++) warm.score(lines[i]!, warmFamiliar);
  gc();
  const m0 = process.memoryUsage();
  const t = performance.now();
  // As a scoring thread holds it (model-cache.ts): without a copy of its text.
  const model = HostModel.deserialize(text, { keepText: false });
  const loadMs = performance.now() - t;
  gc();
  const m1 = process.memoryUsage();
  // The shape cache fills while scoring (bounded by detector.ts SHAPE_CACHE), and so does the
  // memory of new messages the daemon keeps beside each model (familiarity.ts FAMILIAR_MAX).
  const familiar = new Familiarity();
  for (const l of lines) model.score(l, familiar);
  gc();
  const m2 = process.memoryUsage();
  // Everything measured stays referenced until here, so no measurement sees it freed early.
  return {
    textBytes: Buffer.byteLength(text),
    lines: lines.length,
    loadMs,
    heapDelta: m1.heapUsed - m0.heapUsed,
    externalDelta: m1.external - m0.external,
    totalDelta: offHeap(m1) - offHeap(m0),
    afterScoringDelta: offHeap(m2) - offHeap(m0),
    templates: model.summary().templates,
    newMessagesRemembered: familiar.size,
    warmTemplates: warm.summary().templates,
  };
}

interface HeapSnapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[]] } };
  nodes: number[];
  strings: string[];
}

/** Self size by kind of object (constructor name, or "(string)", "(array)"...). */
function heapByKind(file: string): Map<string, { size: number; count: number }> {
  const snap = JSON.parse(readFileSync(file, 'utf8')) as HeapSnapshot;
  const f = snap.snapshot.meta.node_fields;
  const types = snap.snapshot.meta.node_types[0];
  const [ti, ni, si] = [f.indexOf('type'), f.indexOf('name'), f.indexOf('self_size')];
  const out = new Map<string, { size: number; count: number }>();
  for (let i = 0; i < snap.nodes.length; i += f.length) {
    const type = types[snap.nodes[i + ti]!]!;
    const key = type === 'object' ? snap.strings[snap.nodes[i + ni]!]! : `(${type})`;
    const e = out.get(key) ?? { size: 0, count: 0 };
    e.size += snap.nodes[i + si]!;
    e.count++;
    out.set(key, e);
  }
  return out;
}

function modelHeap(): object {
  const gc = gcOrThrow();
  const dir = opt('dir');
  const text = readFileSync(opt('model'), 'utf8');
  gc();
  const before = writeHeapSnapshot(join(dir, 'before.heapsnapshot'));
  const model = HostModel.deserialize(text);
  gc();
  const after = writeHeapSnapshot(join(dir, 'after.heapsnapshot'));
  const a = heapByKind(before);
  const b = heapByKind(after);
  const diff = [...b]
    .map(([k, v]) => ({ kind: k, bytes: v.size - (a.get(k)?.size ?? 0), count: v.count - (a.get(k)?.count ?? 0) }))
    .filter((x) => x.bytes > 0)
    .sort((x, y) => y.bytes - x.bytes);
  const total = diff.reduce((s2, x) => s2 + x.bytes, 0);
  return { templates: model.summary().templates, textBytes: text.length, total, top: diff.slice(0, 15) };
}

async function main(): Promise<void> {
  const mode = process.argv[2];
  const modes: Record<string, () => object | Promise<object>> = { train, score, pool, threads, 'model-mem': modelMem, 'model-heap': modelHeap };
  const result = modes[String(mode)] ? await modes[String(mode)]!() : null;
  if (result === null) throw new Error(`unknown mode ${String(mode)}`);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

await main();
