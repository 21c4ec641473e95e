// Per (source, host) reading position, stored in the target database's state collection.
import type { MongoClient } from 'mongodb';
import type { FamiliarityState } from '../model/familiarity.js';

/**
 * The host's familiarity log (model/familiarity.ts) as of `last_id`, for the model version it was
 * recorded with: saved in the same update as the checkpoint, so the two always agree.
 */
export interface SavedFamiliarity extends FamiliarityState {
  model_version: string;
}

/** What to save of the familiarity log: all of it, or (unchanged entries) only its line count. */
export type FamiliarityUpdate = { full: SavedFamiliarity } | { lines: number };

export interface CheckpointDoc {
  _id: string;
  source: string;
  host: string;
  /** The last input _id whose line was scored (and, if anomalous, written). */
  last_id: unknown;
  lines_scored: number;
  anomalies: number;
  skipped: number;
  updated_at: Date;
  familiar?: unknown;
}

export function checkpointKey(source: string, host: string): string {
  // JSON keeps the pair unambiguous whatever characters the names contain.
  return JSON.stringify([source, host]);
}

export interface StateRef {
  db: string;
  collection: string;
}

export async function loadCheckpoint(client: MongoClient, state: StateRef, source: string, host: string): Promise<CheckpointDoc | null> {
  return client
    .db(state.db)
    .collection<CheckpointDoc>(state.collection)
    .findOne({ _id: checkpointKey(source, host) }, { enableUtf8Validation: false });
}

/** Moves the checkpoint; called only after the anomalies of the batch were acknowledged. */
export async function saveCheckpoint(
  client: MongoClient,
  state: StateRef,
  source: string,
  host: string,
  lastId: unknown,
  counts: { scored: number; anomalies: number; skipped: number },
  familiar?: FamiliarityUpdate,
): Promise<void> {
  const set: Record<string, unknown> = { source, host, last_id: lastId, updated_at: new Date() };
  if (familiar !== undefined) {
    if ('full' in familiar) set.familiar = familiar.full;
    else set['familiar.lines'] = familiar.lines;
  }
  await client
    .db(state.db)
    .collection<CheckpointDoc>(state.collection)
    .updateOne(
      { _id: checkpointKey(source, host) },
      {
        $set: set,
        $inc: { lines_scored: counts.scored, anomalies: counts.anomalies, skipped: counts.skipped },
      },
      { upsert: true },
    );
}

/** The newest _id of the host right now: where a host seen for the first time starts reading. */
export async function newestInputId(
  client: MongoClient,
  input: { db: string; collection: string; hostnameField: string },
  host: string,
): Promise<unknown> {
  const doc = await client
    .db(input.db)
    .collection(input.collection)
    .find({ [input.hostnameField]: host }, { projection: { _id: 1 }, sort: { _id: -1 }, limit: 1 })
    .next();
  return doc ? doc._id : null;
}
