// Models loaded by this scoring thread, keyed by file. A retrained model gets a new version;
// the next task naming it reloads the file, so the swap is atomic per batch. Each host is scored
// by one thread only (see Supervisor), so each model is held once in the process, and dropped
// when its host leaves the daemon (ForgetTask).
import { HostModel, MODEL_FORMAT_VERSION } from '../model/detector.js';
import { Familiarity, type FamiliarityDraft } from '../model/familiarity.js';
import type { ScoreResult } from './protocol.js';
import { ModelFileError, readModelFile } from '../store/model-files.js';

export interface Cached {
  version: string;
  model: HostModel;
  /**
   * The new messages this host wrote since the model was trained (familiarity.ts). A retrained
   * model has learned them, so it starts a new one; after a restart, the one saved with the
   * checkpoint goes on (score-batch.ts).
   */
  familiar: Familiarity;
  /** Whether the log saved with the checkpoint has been looked at (and taken when it belongs to this model and this checkpoint). */
  restored: boolean;
  /**
   * The revision of the log saved with the checkpoint when it is this log, so that a batch saves
   * only what it changed; null until this thread has written it whole (or taken it).
   */
  savedRev: string | null;
  /** A batch whose checkpoint save failed without saying whether the server applied it. */
  inDoubt: InDoubtSave | null;
  /**
   * Saved batches the supervisor has not heard of (a save found applied after its reply was lost,
   * and any that failed after it): it still sends the checkpoint `from`; `result` holds their
   * counts and the checkpoint they reached.
   */
  unreported: { from: string | null; result: ScoreResult } | null;
  /** Anomaly documents inserted by tries whose saves were not applied: reported with the next result. */
  writtenUnreported: number;
}

/**
 * What a batch would have kept had its save's reply arrived. The save may have been applied (a
 * reply lost with the connection); the next batch of the host looks up the revision it wrote and
 * takes the batch up if so (score-batch.ts), instead of scoring its lines and counting them again.
 */
export interface InDoubtSave {
  /** The checkpoint the batch read after: the next batch must start there for this to apply. */
  from: string | null;
  rev: string;
  draft: FamiliarityDraft;
  /** The lines read (for the thread's record of recent ids) and the batch's last id. */
  ids: unknown[];
  lastId: unknown;
  result: ScoreResult;
}
const cache = new Map<string, Cached>();

export class UnusableModelError extends Error {}

/** Drops the model of a file (a host that left the configuration); whether one was held. */
export function forgetModel(file: string): boolean {
  return cache.delete(file);
}

export async function modelFor(file: string, version: string): Promise<Cached> {
  const hit = cache.get(file);
  if (hit && hit.version === version) return hit;
  let loaded;
  try {
    loaded = await readModelFile(file);
  } catch (err) {
    if (err instanceof ModelFileError || (err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new UnusableModelError((err as Error).message);
    }
    throw err;
  }
  if (loaded.header.format !== MODEL_FORMAT_VERSION) {
    throw new UnusableModelError(`${file}: model format ${loaded.header.format}, this version reads ${MODEL_FORMAT_VERSION}`);
  }
  let model: HostModel;
  try {
    model = HostModel.deserialize(loaded.body);
  } catch (err) {
    throw new UnusableModelError(`${file}: ${(err as Error).message}`);
  }
  const entry = { version: loaded.header.version, model, familiar: new Familiarity(), restored: false, savedRev: null, inDoubt: null, unreported: null, writtenUnreported: 0 };
  cache.set(file, entry);
  return entry;
}
