// Models loaded by this scoring thread, keyed by file. A retrained model gets a new version;
// the next task naming it reloads the file, so the swap is atomic per batch. Each host is scored
// by one thread only (see Supervisor), so each model is held once in the process, and dropped
// when its host leaves the daemon (ForgetTask).
import { HostModel, MODEL_FORMAT_VERSION } from '../model/detector.js';
import { Familiarity } from '../model/familiarity.js';
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
  /**
   * The revision of the log saved with the checkpoint when it is this log, so that a batch saves
   * only what it changed; null until this thread has written it whole (or taken it).
   */
  savedRev: string | null;
  /**
   * The checkpoint (EJSON) the log belongs to; undefined until the log saved with the checkpoint
   * has been looked at. A task from another checkpoint (the supervisor read it again after a
   * failed task, whose save the server may have applied although its reply was lost) has the
   * thread look again (score-batch.ts).
   */
  at: string | null | undefined;
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
    // The file holds the text; a scoring thread never writes a model back.
    model = HostModel.deserialize(loaded.body, { keepText: false });
  } catch (err) {
    throw new UnusableModelError(`${file}: ${(err as Error).message}`);
  }
  const entry = { version: loaded.header.version, model, familiar: new Familiarity(), savedRev: null, at: undefined };
  cache.set(file, entry);
  return entry;
}
