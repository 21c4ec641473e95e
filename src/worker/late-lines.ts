// Lines that commit behind the checkpoint. ObjectIds follow the time a client made them, not the
// time the insert became visible: a writer with several inserts in flight (or several writers of
// one host) can make a line visible after the daemon has read past its id. Reading only
// `_id > checkpoint` would never see it. Each poll therefore also counts the host's lines in the
// last few ObjectId seconds up to the checkpoint; when MongoDB holds more there than this thread
// has read, the missing ones are fetched and scored with the batch.
import { ObjectId, type Document, type MongoClient } from 'mongodb';
import type { LineSourceRef } from './protocol.js';

/**
 * How far behind the checkpoint, in ObjectId seconds, late lines are looked for: concurrent
 * inserts land within milliseconds to about a second. Writers that hold lines longer (a collector
 * buffering through an outage) need SETTLE_SECONDS.
 */
export const LATE_WINDOW_SECONDS = 3;

/** The ids one host has read within the window, by this thread since it started scoring the host. */
export class RecentIds {
  private readonly ids = new Map<string, number>();
  /** False until the window has been taken as read once (after a start, lines before the checkpoint were read by an earlier run). */
  primed = false;

  get size(): number {
    return this.ids.size;
  }

  has(id: ObjectId): boolean {
    return this.ids.has(id.toHexString());
  }

  add(id: ObjectId): void {
    this.ids.set(id.toHexString(), id.getTimestamp().getTime() / 1000);
  }

  /** Counts the ids in [fromSecond, checkpoint]. */
  countUpTo(fromSecond: number, checkpoint: ObjectId): number {
    const cp = checkpoint.toHexString();
    let n = 0;
    for (const [hex, sec] of this.ids) if (sec >= fromSecond && hex <= cp) n++;
    return n;
  }

  /** Forgets ids older than the window behind `checkpoint`. */
  prune(checkpoint: ObjectId): void {
    const from = windowStart(checkpoint);
    for (const [hex, sec] of this.ids) if (sec < from) this.ids.delete(hex);
  }
}

const recentByHost = new Map<string, RecentIds>();

/** This thread's record for one host (keyed by its model file, which names source and host). */
export function recentIdsFor(hostKey: string): RecentIds {
  let r = recentByHost.get(hostKey);
  if (r === undefined) {
    r = new RecentIds();
    recentByHost.set(hostKey, r);
  }
  return r;
}

function windowStart(checkpoint: ObjectId): number {
  return checkpoint.getTimestamp().getTime() / 1000 - LATE_WINDOW_SECONDS;
}

/**
 * The host's lines in the window up to `checkpoint` that this thread has not read, in `_id` order.
 * `active`: the batch after the checkpoint had lines; an idle host whose checkpoint is older than
 * twice the window is not checked (nothing made that long ago is still in flight).
 */
export async function findLateLines(
  client: MongoClient,
  ref: LineSourceRef,
  checkpoint: ObjectId,
  recent: RecentIds,
  active: boolean,
  projection: Document,
): Promise<Document[]> {
  const from = windowStart(checkpoint);
  if (!active && recent.primed && Date.now() / 1000 - from > 3 * LATE_WINDOW_SECONDS) return [];
  const coll = client.db(ref.inputDb).collection(ref.collection);
  const filter = { [ref.fields.hostname]: ref.host, _id: { $gte: ObjectId.createFromTime(Math.floor(from)), $lte: checkpoint } };
  if (recent.primed) {
    // Cheap in the usual case: a count on the (hostname, _id) index, nothing transferred.
    const stored = await coll.countDocuments(filter);
    if (stored <= recent.countUpTo(Math.floor(from), checkpoint)) return [];
  }
  const ids = (await coll.find(filter, { projection: { _id: 1 } }).toArray()).map((d) => d._id as unknown);
  if (!recent.primed) {
    for (const id of ids) if (id instanceof ObjectId) recent.add(id);
    recent.primed = true;
    return [];
  }
  const unseen = ids.filter((id): id is ObjectId => id instanceof ObjectId && !recent.has(id));
  if (unseen.length === 0) return [];
  return coll.find({ _id: { $in: unseen } }, { projection, sort: { _id: 1 }, enableUtf8Validation: false }).toArray();
}
