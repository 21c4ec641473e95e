// Per (source, host) reading position, stored in the target database's state collection.
import { Binary, ObjectId, type Document, type MongoClient } from 'mongodb';
import { hasObjectIds, readableBefore } from './line-reader.js';
import { parseFamiliarityState, type FamiliarityChange, type FamiliarityEntry, type FamiliarityState } from '../model/familiarity.js';

/**
 * The host's familiarity log (model/familiarity.ts) as of `last_id`, for the model version it was
 * recorded with: saved in the same update as the checkpoint, so the two always agree. Entries
 * are fields named after their key, so that a batch sets and unsets only the entries it changed
 * (the whole log is up to about 75 KB; a batch with one new message changes one entry). `rev`
 * is new with every save: a change is applied only to the revision it was made against.
 */
interface StoredFamiliarity {
  model_version: string;
  rev: string;
  lines: number;
  entries: Record<string, Binary>;
}

/** An entry's field name: a letter first, so that no server reads the path as an array index. */
function entryField(key: number): string {
  return `k${key}`;
}

/**
 * An entry packed as little-endian doubles: key, last, routine, run, then its sightings. One value
 * per entry instead of a subdocument: a server that decodes the whole state document for every
 * save (FerretDB, 3 to 4 times slower with subdocuments) spends most of a save on it, and
 * MongoDB still sets and unsets single entries.
 */
export function packEntry(e: FamiliarityEntry): Binary {
  const values = [e.key, e.last, e.routine, e.run, ...e.seen];
  const bytes = Buffer.alloc(8 * values.length);
  values.forEach((v, i) => bytes.writeDoubleLE(v, 8 * i));
  return new Binary(bytes);
}

/** A packed entry as packEntry wrote it; anything else is passed on as it is, for parseFamiliarityState to judge. */
function unpackEntry(stored: unknown): unknown {
  if (!(stored instanceof Binary)) return stored;
  const bytes = Buffer.from(stored.buffer.buffer, stored.buffer.byteOffset, stored.buffer.length);
  if (bytes.length % 8 !== 0 || bytes.length < 32) return null;
  const values: number[] = [];
  for (let i = 0; i < bytes.length; i += 8) values.push(bytes.readDoubleLE(i));
  const [key, last, routine, run, ...seen] = values as [number, number, number, number, ...number[]];
  return { key, last, routine, run, seen };
}

/** The whole log as the checkpoint document holds it. */
export function storedFamiliarity(version: string, rev: string, state: FamiliarityState): StoredFamiliarity {
  const entries: Record<string, Binary> = {};
  for (const e of state.entries) entries[entryField(e.key)] = packEntry(e);
  return { model_version: version, rev, lines: state.lines, entries };
}

/** The fields of the checkpoint document a batch's change sets and unsets. */
export function familiarityChangeFields(rev: string, change: FamiliarityChange): { $set: Record<string, unknown>; $unset: Record<string, ''> } {
  const $set: Record<string, unknown> = { 'familiar.rev': rev, 'familiar.lines': change.lines };
  for (const e of change.set) $set[`familiar.entries.${entryField(e.key)}`] = packEntry(e);
  const $unset: Record<string, ''> = {};
  for (const k of change.drop) $unset[`familiar.entries.${entryField(k)}`] = '';
  return { $set, $unset };
}

/**
 * The log saved in a checkpoint document for `version`, or null when there is none (or another
 * model's, or not one at all), with its revision; `rev` is null in the layout of earlier
 * versions (an array of entries), which is read but must be written whole before a batch may
 * change single entries.
 */
export function savedFamiliarity(doc: CheckpointDoc | null, version: string): { state: FamiliarityState; rev: string | null } | null {
  const saved = doc?.familiar as Partial<Record<keyof StoredFamiliarity, unknown>> | undefined;
  if (typeof saved !== 'object' || saved === null || saved.model_version !== version) return null;
  const { lines, entries, rev } = saved;
  if (Array.isArray(entries)) {
    const state = parseFamiliarityState({ lines, entries });
    return state === null ? null : { state, rev: null };
  }
  if (typeof entries !== 'object' || entries === null) return null;
  const fields = Object.entries(entries);
  // Entries of earlier versions are subdocuments; a change since may have packed some of them.
  const state = parseFamiliarityState({ lines, entries: fields.map(([, e]) => unpackEntry(e)) });
  // Each entry under its own key's name, or a change would set one and leave the other behind.
  if (state === null || !state.entries.every((e, i) => fields[i]![0] === entryField(e.key))) return null;
  return { state, rev: typeof rev === 'string' ? rev : null };
}

/** The revision of the log saved in a checkpoint document, whatever its model; null if none. */
export function savedRevision(doc: CheckpointDoc | null): string | null {
  const rev = (doc?.familiar as { rev?: unknown } | undefined)?.rev;
  return typeof rev === 'string' ? rev : null;
}

/**
 * What to save of the familiarity log, as revision `rev`: the whole log, or what one batch
 * changed in revision `since`, which must then be the one saved with the checkpoint. When it is
 * not (another daemon's save, a document edited or deleted by hand, a save applied although its
 * reply was lost that the scoring thread did not take up), the whole log is written instead.
 */
export interface FamiliarityUpdate {
  version: string;
  rev: string;
  full: () => FamiliarityState;
  change: { since: string; change: FamiliarityChange } | null;
}

/**
 * Ids saved with a checkpoint (`at`): every id the host's record of recent ids
 * (worker/late-lines.ts) read in (after, at], the window behind the checkpoint. About 250 at 50
 * lines per second, stored packed (12 bytes each, 3 KB).
 */
export interface SavedRecentIds {
  at: ObjectId;
  after: ObjectId;
  ids: ObjectId[];
}

function storedRecentIds(r: SavedRecentIds): { at: ObjectId; after: ObjectId; ids: Binary } {
  const packed = Buffer.alloc(12 * r.ids.length);
  r.ids.forEach((id, i) => packed.set(id.id, 12 * i));
  return { at: r.at, after: r.after, ids: new Binary(packed) };
}

/**
 * The ids saved with the checkpoint document when they were saved with checkpoint `at` and it
 * still stands there; null otherwise (none saved, an earlier version's document, a checkpoint
 * moved by hand).
 */
export function savedRecentIds(doc: CheckpointDoc | null, at: ObjectId): SavedRecentIds | null {
  const r = doc?.recent as { at?: unknown; after?: unknown; ids?: unknown } | undefined;
  if (typeof r !== 'object' || r === null || !(r.at instanceof ObjectId) || !r.at.equals(at)) return null;
  if (!(doc!.last_id instanceof ObjectId) || !doc!.last_id.equals(at)) return null;
  if (!(r.after instanceof ObjectId) || !(r.ids instanceof Binary)) return null;
  const bytes = r.ids.buffer;
  if (bytes.length % 12 !== 0) return null;
  const ids: ObjectId[] = [];
  for (let k = 0; k < bytes.length; k += 12) ids.push(new ObjectId(Buffer.from(bytes.subarray(k, k + 12))));
  return { at: r.at, after: r.after, ids };
}

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
  /** SavedRecentIds, stored packed. */
  recent?: unknown;
  /**
   * The daemon run (its lease owner) that claimed the document when it started the host: only
   * that run's saves move the checkpoint (saveCheckpoint). Missing in documents written by
   * earlier versions or replaced by hand, which the next save claims.
   */
  writer?: string;
}

/**
 * A save refused because another daemon run claimed the host's state document since this one did:
 * a standby took the lease while this run's batch was in flight (a pause or an outage longer than
 * the lease's TTL), and scores the host now. The batch's anomalies are written (idempotently); its
 * checkpoint, counts and memory of new messages are not, so the standby's stand.
 */
export class CheckpointTaken extends Error {
  constructor(readonly writer: string | null) {
    super(`the host's state document was claimed by another daemon run (${writer ?? 'unknown'}) since this one started the host; its checkpoint is not moved`);
  }
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
    // From the primary whatever the connection string prefers: a secondary may lag behind the last save.
    .findOne({ _id: checkpointKey(source, host) }, { enableUtf8Validation: false, readPreference: 'primary' });
}

/**
 * Claims the host's state document for this daemon run (`writer`, its lease owner) and reads it;
 * null when there is none yet. Called when a host starts, with the lease held, before its first
 * batch: from then on a run that held the lease before, with a batch still in flight, can no
 * longer move the checkpoint (saveCheckpoint). Claimed first, read second, so the checkpoint read
 * is the one that earlier run's last accepted save left.
 */
export async function claimCheckpoint(client: MongoClient, state: StateRef, source: string, host: string, writer: string): Promise<CheckpointDoc | null> {
  await client.db(state.db).collection<CheckpointDoc>(state.collection).updateOne({ _id: checkpointKey(source, host) }, { $set: { writer } });
  return loadCheckpoint(client, state, source, host);
}

/** The documents a save by `writer` may change: its own, or one no run has claimed (see CheckpointDoc.writer). */
function writableBy(writer: string): Document {
  return { $or: [{ writer }, { writer: { $exists: false } }] };
}

/**
 * Moves the checkpoint; called only after the anomalies of the batch were acknowledged, and only
 * when the state document is `writer`'s (claimCheckpoint), else throws CheckpointTaken. Returns
 * how the familiarity log was saved: whole, as a change, or not at all. `recent`, the ids read
 * just behind the new checkpoint, replaces those saved before; without it they stay, tied to the
 * checkpoint they were saved with (savedRecentIds).
 */
export async function saveCheckpoint(
  client: MongoClient,
  state: StateRef,
  source: string,
  host: string,
  writer: string,
  lastId: unknown,
  counts: { scored: number; anomalies: number; skipped: number },
  familiar?: FamiliarityUpdate,
  recent?: SavedRecentIds,
): Promise<'full' | 'change' | 'none'> {
  const collection = client.db(state.db).collection<CheckpointDoc>(state.collection);
  const _id = checkpointKey(source, host);
  const checkpoint = { source, host, writer, last_id: lastId, updated_at: new Date(), ...(recent ? { recent: storedRecentIds(recent) } : {}) };
  const $inc = { lines_scored: counts.scored, anomalies: counts.anomalies, skipped: counts.skipped };
  if (familiar?.change) {
    const { since, change } = familiar.change;
    const fields = familiarityChangeFields(familiar.rev, change);
    const update: Record<string, unknown> = { $set: { ...checkpoint, ...fields.$set }, $inc };
    // MongoDB before 5.0 refuses an empty $unset.
    if (change.drop.length > 0) update.$unset = fields.$unset;
    const r = await collection.updateOne({ _id, 'familiar.model_version': familiar.version, 'familiar.rev': since, ...writableBy(writer) }, update);
    if (r.matchedCount === 1) return 'change';
  }
  const whole = familiar === undefined ? {} : { familiar: storedFamiliarity(familiar.version, familiar.rev, familiar.full()) };
  try {
    // Matches the document unless another run claimed it; then the upsert's insert collides on _id.
    await collection.updateOne({ _id, ...writableBy(writer) }, { $set: { ...checkpoint, ...whole }, $inc }, { upsert: true });
  } catch (err) {
    if ((err as { code?: unknown }).code !== 11000) throw err;
    const doc = await loadCheckpoint(client, state, source, host);
    throw new CheckpointTaken(typeof doc?.writer === 'string' ? doc.writer : null);
  }
  return familiar === undefined ? 'none' : 'full';
}

/**
 * The newest _id of the host right now: where a host seen for the first time starts reading. An
 * ObjectId when the host has any, and not one made after this machine's clock (readableBefore: a
 * writer whose clock is ahead must not start the host in the future; with ObjectIds all made
 * ahead, none: they are read when their time comes); another type only for a host without
 * ObjectIds (MongoDB sorts dates and timestamps above ObjectIds).
 */
export async function newestInputId(
  client: MongoClient,
  input: { db: string; collection: string; hostnameField: string },
  host: string,
): Promise<unknown> {
  const coll = client.db(input.db).collection(input.collection);
  const newest = (id: Document) => coll.find({ [input.hostnameField]: host, _id: id }, { projection: { _id: 1 }, sort: { _id: -1 }, limit: 1 }).next();
  const doc = await newest({ $lt: readableBefore(Date.now(), 0) });
  if (doc !== null) return doc._id;
  if (await hasObjectIds(coll, input.hostnameField, host)) return null;
  const other = await newest({ $not: { $type: 'objectId' } });
  return other !== null ? other._id : null;
}
