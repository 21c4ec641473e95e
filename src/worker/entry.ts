// The piscina task entry point: runs one task and returns its result or its failure as data.
import { STALE_CLIENT_MS, discardSharedIf } from '../mongo/client.js';
import { CheckpointTaken } from '../mongo/checkpoints.js';
import { isConnectivityError } from '../mongo/errors.js';
import { forgetRecentIds } from './late-lines.js';
import { UnusableModelError, forgetModel } from './model-cache.js';
import { collectGarbage } from './collect-garbage.js';
import type { WorkerResult, WorkerTask } from './protocol.js';
import { scoreBatch } from './score-batch.js';

export default async function runTask(task: WorkerTask & { sourceName: string }): Promise<WorkerResult> {
  if (task.kind === 'forget') {
    forgetRecentIds(task.modelFile);
    return { kind: 'forgotten', held: forgetModel(task.modelFile) };
  }
  try {
    // Training's module is loaded by the first training task: it pulls in k-means (ml-kmeans and
    // about 260 modules under it), which the scoring threads, running the same entry, never need.
    // (The thread's connection counts as working by the calls that reached MongoDB, which its
    // handle hears itself, not by a task that succeeded: mongo/client.ts.)
    return task.kind === 'train' ? await (await import('./train-host.js')).trainHost(task, task.sourceName) : await scoreBatch(task);
  } catch (err) {
    const replaced = discardSharedIf(task.source.uri, err);
    const message = (err instanceof Error ? err.message : String(err)) + (replaced ? ` (this thread's connection had failed every call for ${STALE_CLIENT_MS / 1000} s: replaced)` : '');
    if (err instanceof UnusableModelError) return { kind: 'failed', cause: 'model', message };
    if (err instanceof CheckpointTaken) return { kind: 'failed', cause: 'taken', message };
    if (isConnectivityError(err)) return { kind: 'failed', cause: 'database', message };
    return { kind: 'failed', cause: 'internal', message: err instanceof Error && err.stack ? err.stack : message };
  } finally {
    // A training thread runs one training at a time and keeps nothing of it.
    if (task.kind === 'train') collectGarbage();
  }
}
