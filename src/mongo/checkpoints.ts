// Per (source, host) reading position, stored in the target database's state collection.
import type { MongoClient } from 'mongodb';

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
): Promise<void> {
  await client
    .db(state.db)
    .collection<CheckpointDoc>(state.collection)
    .updateOne(
      { _id: checkpointKey(source, host) },
      {
        $set: { source, host, last_id: lastId, updated_at: new Date() },
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
