// Bench-only thread: scores lines it generated itself. Two of them side by side (perf-child.ts
// `threads`) measure what this machine's cores give scoring when no batch crosses between threads,
// the ceiling of the pool figure (part 2).
import { readFileSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { DEFAULT_THRESHOLD, HostModel } from '../src/model/detector.js';
import { Familiarity } from '../src/model/familiarity.js';
import { generateLines } from './perf-lines.js';

const { modelFile, seed, lines: total, warmup } = workerData as { modelFile: string; seed: number; lines: number; warmup: number };
const port = parentPort!;
const model = HostModel.deserialize(readFileSync(modelFile, 'utf8'));
const lines = generateLines(seed, total + warmup);
for (let i = total; i < lines.length; i++) model.score(lines[i]!);
// Timed only once every thread is ready, so that they run side by side.
port.once('message', () => {
  const familiar = new Familiarity();
  let over = 0;
  const t = performance.now();
  for (let i = 0; i < total; i++) if (model.score(lines[i]!, familiar).score >= DEFAULT_THRESHOLD) over++;
  port.postMessage({ ms: performance.now() - t, over });
});
port.postMessage('ready');
