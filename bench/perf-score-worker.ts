// Bench-only piscina worker: holds one deserialized model and scores the batches of lines it is
// given, so the pool figure measures scoring through the pool and not MongoDB.
import { readFileSync } from 'node:fs';
import { workerData } from 'node:worker_threads';
import { DEFAULT_THRESHOLD, HostModel } from '../src/model/detector.js';
import { Familiarity } from '../src/model/familiarity.js';

const model = HostModel.deserialize(readFileSync((workerData as { modelFile: string }).modelFile, 'utf8'));
const familiar = new Familiarity();

export default function scoreLines(lines: string[]): { n: number; over: number } {
  let over = 0;
  for (const line of lines) if (model.score(line, familiar).score >= DEFAULT_THRESHOLD) over++;
  return { n: lines.length, over };
}
