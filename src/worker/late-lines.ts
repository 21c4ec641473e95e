// Lines that commit behind the checkpoint. ObjectIds follow the time a client made them, not the
// time the insert became visible: a writer with several inserts in flight (or several writers of
// one host) can make a line visible after the daemon has read past its id. Reading only
// `_id > checkpoint` would never see it. Each poll therefore also counts the host's lines in the
// last few ObjectId seconds up to the checkpoint; when MongoDB holds more there than this thread
// has read, the missing ones are fetched and scored with the batch.
import { ObjectId, type Collection, type Document, type MongoClient } from 'mongodb';
import { projectionFor } from '../mongo/line-reader.js';
import type { SavedRecentIds } from '../mongo/checkpoints.js';
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
  /**
   * The checkpoint when this thread started on the host: lines up to it were read by an earlier
   * run (or thread), so the search never goes behind it.
   */
  floor: ObjectId | null = null;
  /** When (epoch ms) MongoDB was last asked; see LATE_CHECK_EVERY_MS. */
  checkedAt = 0;
  /** Late lines found by the last try, kept until its batch is saved (then they are read ids). */
  found: ObjectId[] = [];
  /** The batch whose save is under way, or failed: perhaps applied all the same (see UnsavedBatch). */
  unsaved: UnsavedBatch | null = null;
  /** A try failed (perhaps within a check): the next one checks whatever the window's age or the time since the last check. */
  recheck = false;
  /**
   * A check came due at a batch read without the lines behind, where the next read can bring
   * them: one read with others (lookBehindFor did not see it coming: polls slower than the
   * cadence, as under load), or the thread's own read that started before the check came due
   * (dueCheckFrom). It waits for the next batch, read with them, instead of counting (missingIds).
   */
  askedBehind = false;
  /**
   * The start (ObjectId seconds) of the window the last check looked at. A check skipped since (a
   * full batch, or within LATE_CHECK_EVERY_MS) moved the window on without looking; the next one
   * looks from here, or a line landing meanwhile behind a checkpoint that moved more than the
   * window is never looked for.
   */
  since: number | null = null;

  /** @param at the checkpoint (EJSON) up to which the ids held were read. */
  constructor(public at: string | null) {}

  has(id: ObjectId): boolean {
    return this.ids.has(id.toHexString());
  }

  add(id: ObjectId): void {
    this.ids.set(id.toHexString(), id.getTimestamp().getTime() / 1000);
  }

  /**
   * Counts the ids made at or after `fromSecond`. All ids held are above the floor and at most
   * the checkpoint (the batch's last id, and late lines behind it).
   */
  countSince(fromSecond: number): number {
    let n = 0;
    for (const sec of this.ids.values()) if (sec >= fromSecond) n++;
    return n;
  }

  /**
   * The first second the next check looks at: the window behind `checkpoint`, reaching back to that
   * of the last check (or the floor), though not to lines made before any insert still in flight.
   */
  lookFrom(checkpoint: ObjectId, nowMs: number): number {
    const last = this.since ?? (this.floor !== null ? windowStart(this.floor) : Infinity);
    return Math.min(windowStart(checkpoint), Math.max(last, Math.ceil(nowMs / 1000) - IN_FLIGHT_HORIZON_SECONDS - LATE_WINDOW_SECONDS));
  }

  /**
   * Where a check at `nowMs` looks from: the window's first second (lookFrom), or, when the floor
   * is at or past it, just after the floor (lines up to it were read by an earlier run).
   */
  checkBound(checkpoint: ObjectId, nowMs: number): { id: ObjectId; afterIt: boolean } {
    const windowId = ObjectId.createFromTime(this.lookFrom(checkpoint, nowMs));
    return this.floor !== null && this.floor.toHexString() >= windowId.toHexString() ? { id: this.floor, afterIt: true } : { id: windowId, afterIt: false };
  }

  /** Forgets ids older than the next check looks at (lookFrom). */
  prune(checkpoint: ObjectId): void {
    const from = this.lookFrom(checkpoint, Date.now());
    for (const [hex, sec] of this.ids) if (sec < from) this.ids.delete(hex);
  }

  /** Nothing held yet: a record just started (a restart, or a checkpoint this thread did not reach). */
  get blank(): boolean {
    return this.floor === null && this.since === null && this.ids.size === 0;
  }

  /**
   * What the record will hold once a batch moving the checkpoint to `lastId` is saved (as keep()
   * leaves it), to be saved with that checkpoint: every id read in (after, lastId]. The window
   * (lookFrom) bounds it, and so does the floor: lines behind the floor were read by an earlier run,
   * and this record does not hold them. At most MAX_SAVED_IDS, the newest.
   */
  savedWith(batchIds: readonly unknown[], lastId: ObjectId): SavedRecentIds {
    let after = lastIdBefore(this.lookFrom(lastId, Date.now()));
    if (this.floor !== null && this.floor.toHexString() > after) after = this.floor.toHexString();
    const hex = new Set<string>();
    for (const h of this.ids.keys()) if (h > after) hex.add(h);
    for (const id of batchIds) if (id instanceof ObjectId && id.toHexString() > after) hex.add(id.toHexString());
    let kept = [...hex];
    if (kept.length > MAX_SAVED_IDS) {
      // Hex order is ObjectId order, time first: the newest are kept.
      kept.sort();
      after = kept[kept.length - MAX_SAVED_IDS - 1]!;
      kept = kept.slice(kept.length - MAX_SAVED_IDS);
    }
    return { at: lastId, after: ObjectId.createFromHexString(after), ids: kept.map((h) => ObjectId.createFromHexString(h)) };
  }

  /**
   * Starts a blank record from the one saved with its checkpoint: a restart (even after a kill)
   * looks behind the checkpoint at once, for lines that landed there since (the daemon stopped, or
   * was killed before its next check), and does not count the lines read before it as missing.
   */
  restore(saved: SavedRecentIds): void {
    for (const id of saved.ids) this.add(id);
    // The search may go behind the checkpoint down to `after`: every line read there is known.
    this.floor = saved.after;
    this.since = saved.after.getTimestamp().getTime() / 1000;
    this.recheck = true;
  }

  /** Takes the ids of a saved batch, which moved the checkpoint to `at` (its last id, `lastId`). */
  keep(ids: readonly unknown[], lastId: unknown, at: string | null): void {
    for (const id of ids) if (id instanceof ObjectId) this.add(id);
    if (lastId instanceof ObjectId) this.prune(lastId);
    this.at = at;
    this.found = [];
  }
}

/** At most this many ids are saved with a checkpoint (24 KB): a host writing over 600 lines per second keeps its newest seconds. */
export const MAX_SAVED_IDS = 2048;

/**
 * A batch as its save would leave it. A save that fails may have been applied (its reply lost);
 * the revision it wrote tells (score-batch.ts), and the record then takes the batch's ids instead
 * of starting over, so lines landing behind the new checkpoint are still found.
 */
export interface UnsavedBatch {
  rev: string;
  /** The checkpoint (EJSON) the save moves to: unchanged for a batch of late lines only. */
  to: string | null;
  ids: unknown[];
  lastId: unknown;
}

const recentByHost = new Map<string, RecentIds>();

/** This thread's record for one host (keyed by its model file, which names source and host), if it has one. */
export function heldRecentIds(hostKey: string): RecentIds | undefined {
  return recentByHost.get(hostKey);
}

/**
 * This thread's record for one host, for a batch read after `checkpoint`. A record that stands at
 * another checkpoint (one the supervisor read from the database, not explained by a save taken up
 * as applied) is started over: it does not hold the ids read up to there, and counting them as
 * missing would score those lines again.
 */
export function recentIdsFor(hostKey: string, checkpoint: string | null): RecentIds {
  let r = recentByHost.get(hostKey);
  if (r === undefined || r.at !== checkpoint) {
    r = new RecentIds(checkpoint);
    if (checkpoint === null) {
      // Reading from the host's first line: this record reads every line, so it may look behind
      // the first checkpoint it reaches (the floor is below any id). Nothing is behind no
      // checkpoint yet: the cadence starts now.
      r.floor = BELOW_EVERY_ID;
      r.checkedAt = Date.now();
    }
    recentByHost.set(hostKey, r);
  }
  return r;
}

const BELOW_EVERY_ID = new ObjectId('000000000000000000000000');

/** Drops this thread's record for one host (it left the configuration). */
export function forgetRecentIds(hostKey: string): void {
  recentByHost.delete(hostKey);
}

/** The last id an ObjectId second before `second` can hold: (it, ...] starts at `second`. */
function lastIdBefore(second: number): string {
  return (second - 1).toString(16).padStart(8, '0') + 'f'.repeat(16);
}

/**
 * The record to save with a new host's first checkpoint, `newest` (its newest stored line: what
 * came before is history, not scored): the ids stored in the window behind it. A thread takes it
 * up as after a restart (restore) and looks behind the checkpoint at once, so lines made before
 * `newest` but still in flight when the host was first seen are scored, and the stored ones are
 * not. Without it the first checkpoint was the record's floor, and such lines were never looked for.
 */
export async function recentAtStart(client: MongoClient, input: { db: string; collection: string; hostnameField: string }, host: string, newest: ObjectId): Promise<SavedRecentIds> {
  const window = ObjectId.createFromHexString(lastIdBefore(windowStart(newest)));
  const filter = { [input.hostnameField]: host, _id: { $gt: window, $lte: newest } };
  // The newest MAX_SAVED_IDS, as savedWith keeps them, and one more to start the window at.
  const docs = await client.db(input.db).collection(input.collection).find(filter, { projection: { _id: 1 }, sort: { _id: -1 }, limit: MAX_SAVED_IDS + 1 }).toArray();
  const ids = docs.map((d) => d._id as unknown).filter((id): id is ObjectId => id instanceof ObjectId);
  const after = ids.length > MAX_SAVED_IDS ? ids.pop()! : window;
  return { at: newest, after, ids: ids.reverse() };
}

function windowStart(checkpoint: ObjectId): number {
  return checkpoint.getTimestamp().getTime() / 1000 - LATE_WINDOW_SECONDS;
}

/** A checkpoint older than this (by its ObjectId time) has no insert still in flight behind it. */
const IN_FLIGHT_HORIZON_SECONDS = 3 * LATE_WINDOW_SECONDS;

/**
 * At most one check per host this often: a late line stays inside the window behind the
 * checkpoint for LATE_WINDOW_SECONDS (a few polls), so checking more often finds it no more surely; on a
 * server that scans for a count (FerretDB) a check per poll doubled the queries.
 */
const LATE_CHECK_EVERY_MS = 2000;

/**
 * The host's lines in the window up to `checkpoint` that this thread has not read, in `_id` order.
 * Looked for only where lines can still land: behind a checkpoint made in the last few seconds,
 * also while a short backlog is caught up in full batches (these move the checkpoint past the
 * window within a poll or two while lines behind it are still landing). An old backlog being
 * caught up, or an idle host, costs no query; with the recommended (hostname, _id) index the
 * check is a count on it, and a server without it (FerretDB) scans, so this matters.
 */
export async function findLateLines(
  client: MongoClient,
  ref: LineSourceRef,
  checkpoint: ObjectId,
  recent: RecentIds,
  read: { readsBehind: boolean; behind?: LinesBehind },
): Promise<Document[]> {
  const coll = client.db(ref.inputDb).collection(ref.collection);
  const { readsBehind, behind } = read;
  const unseen = await missingIds(coll, ref, checkpoint, recent, behind, readsBehind);
  // Those a failed try found are looked up again, wherever the window has gone since (an outage
  // backs the retries off beyond it).
  for (const id of recent.found) if (!unseen.some((u) => u.equals(id))) unseen.push(id);
  recent.found = unseen;
  if (unseen.length === 0) return [];
  const have = new Map((behind?.docs ?? []).map((d) => [String(d._id), d]));
  const missing = unseen.filter((id) => !have.has(id.toHexString()));
  const fetched = missing.length === 0 ? [] : await coll.find({ _id: { $in: missing } }, { projection: projectionFor(ref), sort: { _id: 1 }, enableUtf8Validation: false }).toArray();
  const docs = [...unseen.flatMap((id) => have.get(id.toHexString()) ?? []), ...fetched];
  return docs.sort((a, b) => ((a._id as ObjectId).toHexString() < (b._id as ObjectId).toHexString() ? -1 : 1));
}

/**
 * The host's lines from `from` up to the checkpoint, read with its batch (shared-reads.ts) because
 * the last batch said a check would be due (lookBehindFor): the check compares their ids with
 * those read, and costs no query of its own (on FerretDB each was a scan of the whole collection).
 */
export interface LinesBehind {
  from: ObjectId;
  docs: Document[];
}

/**
 * Where the host's next check for late lines will look from, when it is likely due at the next
 * poll (within a second): its batch is then read from there, and the check needs no query
 * (LinesBehind), or when a check waits for them (askedBehind). Null when no check is near: an idle
 * host, one whose record has just started, or one checked less than a second short of
 * LATE_CHECK_EVERY_MS ago. Never after the checkpoint.
 */
export function lookBehindFor(recent: RecentIds, checkpoint: ObjectId, nowMs: number): ObjectId | null {
  // Due a second from now; a check that waits for the lines behind, whatever the cadence.
  const soon = nowMs + 1000;
  const due = recent.askedBehind ? inFlight(checkpoint, soon) : cadenceDue(recent, checkpoint, soon);
  // Later checks look from as late or later (lookFrom only moves on with the clock).
  return due ? checkFrom(recent, checkpoint, nowMs) : null;
}

/**
 * Where a check for late lines made now would look from, when one is due now by the cadence (or a
 * retry, or a restart, asks for one: `recheck`); null when none is. A host that reads alone on a
 * server that scans for a count (FerretDB) reads its batch from there instead (score-batch.ts), and
 * the check compares the ids read with those held (LinesBehind) instead of counting: in bench part
 * 4 the counts of four hosts catching up were a third of the server's work.
 */
export function dueCheckFrom(recent: RecentIds, checkpoint: ObjectId, nowMs: number): ObjectId | null {
  return recent.recheck || cadenceDue(recent, checkpoint, nowMs) ? checkFrom(recent, checkpoint, nowMs) : null;
}

/**
 * Where a check at `nowMs` looks from (checkBound), when it can find anything: the host was read
 * past the floor, and the start is not after the checkpoint.
 */
function checkFrom(recent: RecentIds, checkpoint: ObjectId, nowMs: number): ObjectId | null {
  if (recent.floor === null || recent.floor.equals(checkpoint)) return null;
  const from = recent.checkBound(checkpoint, nowMs).id;
  return from.toHexString() <= checkpoint.toHexString() ? from : null;
}

/** Lines may still land behind the checkpoint at `nowMs`: it was made less than IN_FLIGHT_HORIZON_SECONDS before. */
function inFlight(checkpoint: ObjectId, nowMs: number): boolean {
  return nowMs / 1000 - checkpoint.getTimestamp().getTime() / 1000 <= IN_FLIGHT_HORIZON_SECONDS;
}

/** A check is due by the cadence: lines may still land behind the checkpoint, and the last check was LATE_CHECK_EVERY_MS ago. */
function cadenceDue(recent: RecentIds, checkpoint: ObjectId, nowMs: number): boolean {
  return inFlight(checkpoint, nowMs) && nowMs - recent.checkedAt >= LATE_CHECK_EVERY_MS;
}

/**
 * With `readsBehind`, the host's next batch read can bring its lines behind the checkpoint: a
 * shared read (lookBehindFor), or its thread's own on a server that scans for a count (dueCheckFrom).
 */
async function missingIds(coll: Collection, ref: LineSourceRef, checkpoint: ObjectId, recent: RecentIds, behind: LinesBehind | undefined, readsBehind: boolean): Promise<ObjectId[]> {
  if (recent.floor === null) recent.floor = checkpoint;
  // Nothing read since this thread started on the host: nothing can be behind it yet.
  if (recent.floor.equals(checkpoint)) return [];
  const now = Date.now();
  const from = recent.lookFrom(checkpoint, now);
  const bound = recent.checkBound(checkpoint, now);
  const low = bound.id.toHexString();
  // Lines read with the batch from where this check looks, or before: the check is free, so it is
  // made whatever the cadence.
  const given = behind !== undefined && behind.from.toHexString() <= low ? behind : undefined;
  if (!recent.recheck && given === undefined) {
    if (!cadenceDue(recent, checkpoint, now)) return [];
    // Due, and the next read can bring the lines behind (came due after this one started, or
    // lookBehindFor did not see it coming): a check of one poll later, where counting now is a
    // scan of the whole input on a server without the (hostname, _id) index. With polls slower
    // than the cadence every check counted, each count slowed the polls further, and the latency
    // kept growing.
    if (readsBehind && !recent.askedBehind) {
      recent.askedBehind = true;
      return [];
    }
  }
  recent.checkedAt = now;
  recent.askedBehind = false;
  let ids: unknown[];
  if (given !== undefined) {
    const top = checkpoint.toHexString();
    ids = given.docs.map((d) => d._id as unknown).filter((id) => {
      const hex = id instanceof ObjectId ? id.toHexString() : '';
      return hex <= top && (bound.afterIt ? hex > low : hex >= low);
    });
  } else {
    const lower = bound.afterIt ? { $gt: bound.id } : { $gte: bound.id };
    const filter = { [ref.fields.hostname]: ref.host, _id: { ...lower, $lte: checkpoint } };
    // The usual case: as many lines stored there as read, and nothing is transferred.
    const stored = await coll.countDocuments(filter);
    ids = stored <= recent.countSince(from) ? [] : (await coll.find(filter, { projection: { _id: 1 } }).toArray()).map((d) => d._id as unknown);
  }
  // Done (a failure above leaves both for the retry): the next check starts from this window.
  recent.recheck = false;
  recent.since = windowStart(checkpoint);
  return ids.filter((id): id is ObjectId => id instanceof ObjectId && !recent.has(id));
}
