// A scoring task for host web1 as the supervisor sends it, for tests that drive the worker
// directly (runTask), and the check that a task scored.
import type { ScoreResult, ScoreTask, WorkerResult } from '../../src/worker/protocol.js';
import { deployedLine } from './familiar-stream.js';
import { incidentLine, routineLine, type Rng } from './log-lines.js';
import { insertLines } from './seed.js';
import type { TestBed } from './test-bed.js';

export const STATE_COLLECTION = 'anomaly_detector_state';

export interface TaskOptions {
  /** The input collection, also the source's name. */
  collection: string;
  modelFile: string;
  checkpoint: string | null;
  /** The server's connection string (a proxy's, say); the test bed's by default. */
  uri?: string;
  modelVersion?: string;
  batchSize?: number;
  /** The anomaly collection; `<collection>_anomaly` by default. */
  target?: string;
  /** The daemon run whose saves move the checkpoint (ScoreTask.writer); TASK_WRITER by default. */
  writer?: string;
}

/** The writer of the tasks built here, unless a test names another. */
export const TASK_WRITER = 'test-run';

export function scoreTask(bed: TestBed, o: TaskOptions): ScoreTask {
  return {
    kind: 'score',
    source: { uri: o.uri ?? bed.uri, inputDb: bed.inputName, collection: o.collection, host: 'web1', fields: { message: 'Message', hostname: 'Hostname', timestamp: 'timestamp' } },
    sourceName: o.collection,
    modelFile: o.modelFile,
    modelVersion: o.modelVersion ?? 'v1',
    checkpoint: o.checkpoint,
    batchSize: o.batchSize ?? 100,
    settleSeconds: 0,
    threshold: 0.5,
    ignore: [],
    target: { db: bed.targetName, collection: o.target ?? `${o.collection}_anomaly` },
    state: { db: bed.targetName, collection: STATE_COLLECTION },
    writer: o.writer ?? TASK_WRITER,
  };
}

export function scored(r: WorkerResult): ScoreResult {
  if (r.kind !== 'scored') throw new Error(`expected a scored batch, got ${JSON.stringify(r)}`);
  return r;
}

/** Inserts one batch of host web1 into `collection`: routine lines, a new message and an incident (marked `incident<tag>`); returns how many. */
export async function insertMixedBatch(bed: TestBed, collection: string, rng: Rng, tag: string): Promise<number> {
  const lines = [routineLine(rng), deployedLine(1), incidentLine(rng, `incident${tag}`), routineLine(rng)];
  await insertLines(bed.input, collection, lines.map((message) => ({ host: 'web1', message, incident: null })));
  return lines.length;
}
