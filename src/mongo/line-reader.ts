// Reading a host's lines from the operator's input collection. Never writes to it.
import { BSON, Binary, ObjectId, type Collection, type Document, type FindCursor, type MongoClient } from 'mongodb';
import type { LineSourceRef, SkipCounts } from '../worker/protocol.js';
import { fieldValue } from './field-path.js';
import { MAX_LINE_CHARS } from '../model/types.js';
import { withLevel } from '../model/level-word.js';
import type { InputFields } from '../config/schema.js';

/** Longest message text given to the model; longer messages are scored on their first part. */
export const MAX_SCORED_CHARS = MAX_LINE_CHARS;

/**
 * ObjectIds made up to this many seconds after this machine's clock are read at once; a line
 * whose id was made later (a writer whose clock is ahead) waits until this clock reaches it. Read
 * at once, it would carry the checkpoint ahead of every other writer of the host, whose lines would
 * then land behind it, beyond the late-line window, and never be read (a helper's line made a day
 * ahead silenced its host for that day, with nothing logged).
 */
export const AHEAD_SECONDS = 2;

/** The first ObjectId not to be read yet at `nowMs`: SETTLE_SECONDS back, else AHEAD_SECONDS ahead. */
export function readableBefore(nowMs: number, settleSeconds: number): ObjectId {
  const sec = Math.floor(nowMs / 1000);
  return ObjectId.createFromTime(settleSeconds > 0 ? sec - settleSeconds : sec + AHEAD_SECONDS + 1);
}

/**
 * The batch after `afterId` in `_id` order, at most `limit` lines and about MAX_BATCH_CHARS of
 * messages. `_id` (not the log timestamp) is the cursor: ObjectIds
 * grow with insertion, so late-delivered lines and devices with skewed clocks are still read once.
 * ObjectIds are read up to readableBefore: with settleSeconds > 0 only those older than that, for
 * writers that insert lines seconds after making their ids (lines landing just behind the
 * checkpoint: late-lines.ts). Without a checkpoint (a host that had no line when first seen),
 * ObjectIds are read first; only a host without any is read by its other _ids.
 */
export async function readLinesAfter(
  client: MongoClient,
  ref: LineSourceRef,
  afterId: unknown,
  limit: number,
  settleSeconds: number,
): Promise<{ docs: Document[]; more: boolean }> {
  const none = afterId === null || afterId === undefined;
  const idRange: Record<string, unknown> = {};
  if (!none) idRange.$gt = afterId;
  if (none || afterId instanceof ObjectId) idRange.$lt = readableBefore(Date.now(), settleSeconds);
  const coll = client.db(ref.inputDb).collection(ref.collection);
  const read = await readBatch(coll, ref, idRange, limit);
  if (!none || read.docs.length > 0) return read;
  // Comparisons match one BSON type only: `$lt` an ObjectId read ObjectIds alone. A host with
  // ObjectIds none of which can be read yet (younger than SETTLE_SECONDS, made ahead) waits for
  // them: a stray line of another type read now would become its checkpoint, and no ObjectId
  // would be read after it.
  if (await hasObjectIds(coll, ref.fields.hostname, ref.host)) return read;
  return readBatch(coll, ref, { $not: { $type: 'objectId' } }, limit);
}

/** The smallest ObjectId: `{$gte: MIN_OBJECT_ID}` is every ObjectId, as an index range. */
const MIN_OBJECT_ID = new ObjectId('000000000000000000000000');

/** Whether any line of the host has an ObjectId `_id` (one lookup on the (hostname, _id) index). */
export async function hasObjectIds(coll: Collection, hostnameField: string, host: string): Promise<boolean> {
  return (await coll.findOne({ [hostnameField]: host, _id: { $gte: MIN_OBJECT_ID } }, { projection: { _id: 1 } })) !== null;
}

async function readBatch(coll: Collection, ref: LineSourceRef, idFilter: Record<string, unknown>, limit: number): Promise<{ docs: Document[]; more: boolean }> {
  const filter: Document = { [ref.fields.hostname]: ref.host };
  if (Object.keys(idFilter).length > 0) filter._id = idFilter;
  const cursor = coll.find(filter, {
    projection: projectionFor(ref),
    sort: { _id: 1 },
    limit,
    // A stored string with invalid UTF-8 must not make the whole batch unreadable.
    enableUtf8Validation: false,
  });
  const docs: Document[] = [];
  const bySize = await drainBatch(cursor, (doc) => {
    docs.push(doc);
    return messageSize(fieldValue(doc, ref.fields.message));
  });
  // More are probably waiting when the batch is full, by count or by size.
  return { docs, more: docs.length >= limit || bySize };
}

/** Characters (or bytes) of messages one batch holds at most, beyond its last document. */
export const MAX_BATCH_CHARS = 16 * 1024 * 1024;

/**
 * Hands the cursor's documents to `take`, which returns the size of each one's message, until the
 * cursor ends or the messages hold MAX_BATCH_CHARS: 2,000 messages of a megabyte each exceeded a
 * scoring thread's heap, and the retried batch crashed it again, forever. Returns whether the
 * batch ended by size. Whole server batches at a time (one await per batch, not per document).
 */
async function drainBatch<T>(cursor: FindCursor<T>, take: (doc: T) => number): Promise<boolean> {
  let chars = 0;
  try {
    while (chars < MAX_BATCH_CHARS && (await cursor.hasNext())) {
      for (const doc of cursor.readBufferedDocuments()) {
        chars += take(doc);
        if (chars >= MAX_BATCH_CHARS) break;
      }
    }
  } finally {
    await cursor.close();
  }
  return chars >= MAX_BATCH_CHARS;
}

/** One host's part of a shared read: its lines after `after`, its checkpoint. */
export interface HostWant {
  host: string;
  after: ObjectId;
  /**
   * Also its lines from this id up to the checkpoint, for its check for late lines (late-lines.ts
   * lookBehindFor); ignored when after the checkpoint.
   */
  behindFrom?: ObjectId | null;
  /**
   * At most this many lines behind are taken (default: the batch's `limit`); with more, the check
   * counts on the server. A host whose lines come faster than a batch per late-line window holds
   * more than a batch behind its checkpoint.
   */
  behindLimit?: number;
}

/**
 * A host's batch from a shared read: its documents in `_id` order as the server sent them, raw
 * BSON one after another (a compact copy: it crosses to the host's scoring thread, where
 * unpackLines decodes it as the thread's own read would have).
 */
export interface SharedBatch {
  bson: Uint8Array;
  count: number;
  /** True when more lines of the host are probably waiting (its part or the whole read was full). */
  more: boolean;
  /**
   * Asked for (HostWant.behindFrom) and read whole: the host's lines from `from` (hex ObjectId) up
   * to its checkpoint, packed as `bson` is.
   */
  behind?: { from: string; bson: Uint8Array; count: number };
}

/**
 * The next batch of several hosts of one source in one query (shared-reads.ts): the lines after
 * each host's checkpoint, in `_id` order, at most `limit` per host. The whole read is sorted by
 * `_id` and cut at `limit` per host asked, or at MAX_BATCH_CHARS: each host gets a prefix of its
 * waiting lines, so nothing is skipped, and a host whose part may go on is told `more`.
 *
 * The server matched each document to a host; the documents are told apart again here by the host
 * field (a string, or an array holding host names). Should a document match none that way (a
 * HOSTNAME_FIELD path through an array of embedded documents, which MongoDB also searches), the
 * result is null, and each host reads alone: assigned to none, that line would be lost.
 */
export async function readHostsAfter(
  client: MongoClient,
  src: Omit<LineSourceRef, 'host'>,
  wants: readonly HostWant[],
  limit: number,
  settleSeconds: number,
  grouped = false,
): Promise<Map<string, SharedBatch> | null> {
  const parts = await readHostParts(client, src, wants, limit, settleSeconds, grouped, (raw) => raw);
  if (parts === null) return null;
  const out = new Map<string, SharedBatch>();
  for (const [host, part] of parts) {
    const batch: SharedBatch = { bson: pack(part.lines), count: part.lines.length, more: part.more };
    if (part.behind !== undefined) batch.behind = { from: part.behind.from, bson: pack(part.behind.lines), count: part.behind.lines.length };
    out.set(host, batch);
  }
  return out;
}

/** A host's part of a shared read, each line as `take` kept it (readHostParts). */
export interface HostPart<T> {
  lines: T[];
  more: boolean;
  /** Asked for (HostWant.behindFrom) and read whole: its lines from `from` (hex ObjectId) up to its checkpoint. */
  behind?: { from: string; lines: T[] };
}

/**
 * The read of readHostsAfter, each line kept as `take` makes it of its raw BSON and its decoded
 * document: raw, to be packed for another thread (the supervisor's shared reads), or decoded, by
 * a scoring thread reading for itself (score-batch.ts), which then decodes each line once.
 */
export async function readHostParts<T>(
  client: MongoClient,
  src: Omit<LineSourceRef, 'host'>,
  wants: readonly HostWant[],
  limit: number,
  settleSeconds: number,
  grouped: boolean,
  take: (raw: Uint8Array, doc: Document) => T,
): Promise<Map<string, HostPart<T>> | null> {
  const before = readableBefore(Date.now(), settleSeconds);
  const f = src.fields;
  const parts = new Map(
    wants.map((w) => {
      const from = w.behindFrom instanceof ObjectId && w.behindFrom.toHexString() <= w.after.toHexString() ? w.behindFrom : null;
      const behindLimit = w.behindLimit ?? limit;
      return [w.host, { after: w.after.toHexString(), fromId: from, from: from?.toHexString() ?? null, lines: [] as T[], behind: from === null ? null : ([] as T[]), behindLimit, full: false, passed: false }];
    }),
  );
  // A part of lines behind the checkpoint has its own room: sorted first, they must not crowd out the batches.
  let total = limit * wants.length;
  for (const p of parts.values()) if (p.from !== null) total += p.behindLimit;
  const starts = wants.map((w) => {
    const from = parts.get(w.host)!.fromId;
    return { host: w.host, low: from ?? w.after, inclusive: from !== null };
  });
  const clauses = groupByStart(starts, grouped ? GROUP_SECONDS : null).map((g) => ({
    [f.hostname]: g.hosts.length === 1 ? g.hosts[0] : { $in: g.hosts },
    _id: { [g.inclusive ? '$gte' : '$gt']: g.low, $lt: before },
  }));
  const cursor = client
    .db(src.inputDb)
    .collection(src.collection)
    .find(clauses.length === 1 ? clauses[0]! : { $or: clauses }, {
      projection: projectionFor(src),
      sort: { _id: 1 },
      limit: total,
      raw: true,
      enableUtf8Validation: false,
    }) as unknown as FindCursor<Uint8Array>;
  let read = 0;
  let unassigned = false;
  const bySize = await drainBatch(cursor, (raw) => {
    read++;
    const doc = BSON.deserialize(raw, RAW_LINE_OPTIONS);
    const id: unknown = doc._id;
    const v = fieldValue(doc, f.hostname);
    const names = typeof v === 'string' ? [v] : Array.isArray(v) ? [...new Set(v)] : [];
    let assigned = false;
    for (const name of names) {
      const part = typeof name === 'string' ? parts.get(name) : undefined;
      if (part === undefined || !(id instanceof ObjectId)) continue;
      // A host of the read; a line of its group's range that it has read already is passed over.
      assigned = true;
      const hex = id.toHexString();
      if (hex > part.after) {
        part.passed = true;
        if (part.lines.length < limit) part.lines.push(take(raw, doc));
        else part.full = true;
      } else if (part.from !== null && hex >= part.from && part.behind !== null) {
        // More behind the checkpoint than the part has room for: the check counts on the server instead.
        if (part.behind.length < part.behindLimit) part.behind.push(take(raw, doc));
        else part.behind = null;
      }
    }
    if (!assigned) unassigned = true;
    return messageSize(fieldValue(doc, f.message));
  });
  if (unassigned) return null;
  const cut = bySize || read >= total;
  const out = new Map<string, HostPart<T>>();
  for (const [host, part] of parts) {
    const hp: HostPart<T> = { lines: part.lines, more: part.full || cut };
    // Cut, the read may have ended before the checkpoint of a host: its lines behind are not whole,
    // unless the read went past it (in `_id` order, every line behind came before).
    if (part.behind !== null && part.from !== null && (!cut || part.passed)) hp.behind = { from: part.from, lines: part.behind };
    out.set(host, hp);
  }
  return out;
}

/**
 * On a server that tests a query's conditions against every stored line (FerretDB: no index
 * behind its filters), hosts whose reads start within this many ObjectId seconds of each other
 * share one condition of a shared read, from the earliest of their starts: ten conditions took
 * twice as long as one there. Hosts read in the same round have checkpoints within a poll of each
 * other; an idle host's checkpoint (its last line, perhaps days ago) or a look behind for late
 * lines starts a group of its own. The price is the lines a group's hosts read again between its
 * start and their own, passed over here: on MongoDB, whose `(hostname, _id)` index answers one
 * condition per host exactly, hosts are not grouped.
 */
export const GROUP_SECONDS = 2;

/**
 * The hosts of a shared read in groups of nearby starts (`low`: the first id of the host's range,
 * `inclusive`, or its checkpoint, whose line the read passes over), one condition each: `{host:
 * {$in}, _id from the group's first start}`. Within `windowSeconds` of a group's first start; with
 * null, each host alone.
 */
export function groupByStart(
  starts: ReadonlyArray<{ host: string; low: ObjectId; inclusive: boolean }>,
  windowSeconds: number | null,
): Array<{ hosts: string[]; low: ObjectId; inclusive: boolean }> {
  const sorted = [...starts].sort((a, b) => (a.low.toHexString() < b.low.toHexString() ? -1 : 1));
  const groups: Array<{ hosts: string[]; low: ObjectId; inclusive: boolean; second: number }> = [];
  for (const s of sorted) {
    const second = s.low.getTimestamp().getTime() / 1000;
    const last = groups[groups.length - 1];
    if (last !== undefined && windowSeconds !== null && second - last.second <= windowSeconds) {
      last.hosts.push(s.host);
      // Two starts at the group's first id: from it, if either reads from it.
      if (s.low.equals(last.low)) last.inclusive ||= s.inclusive;
    } else groups.push({ hosts: [s.host], low: s.low, inclusive: s.inclusive, second });
  }
  return groups.map(({ hosts, low, inclusive }) => ({ hosts, low, inclusive }));
}

/**
 * The raw documents of one host's part of a read in one buffer: each is a view of the server's
 * whole reply, so copied out, only the host's lines travel to its thread.
 */
function pack(raws: readonly Uint8Array[]): Uint8Array {
  let bytes = 0;
  for (const d of raws) bytes += d.byteLength;
  const out = new Uint8Array(bytes);
  let at = 0;
  for (const d of raws) {
    out.set(d, at);
    at += d.byteLength;
  }
  return out;
}

/** How raw lines are decoded: as the driver decodes a read with `enableUtf8Validation: false`. */
const RAW_LINE_OPTIONS = { validation: { utf8: false } } as const;

/** The documents of a SharedBatch, decoded. */
export function unpackLines(bson: Uint8Array): Document[] {
  const docs: Document[] = [];
  const view = new DataView(bson.buffer, bson.byteOffset, bson.byteLength);
  for (let at = 0; at < bson.byteLength; ) {
    const size = view.getInt32(at, true);
    docs.push(BSON.deserialize(bson.subarray(at, at + size), RAW_LINE_OPTIONS));
    at += size;
  }
  return docs;
}

/** Characters of a string message, bytes of a binary one (0 for anything else). */
function messageSize(v: unknown): number {
  return typeof v === 'string' ? v.length : v instanceof Binary ? v.length() : 0;
}

/**
 * A cursor over the host's training window, newest first, at most maxLines documents, and
 * with `untilId` only lines up to that _id (those already scored).
 * Streams: the caller consumes it document by document and never holds the window in memory.
 */
export function trainingCursor(client: MongoClient, ref: LineSourceRef, sinceMs: number, maxLines: number, untilId: unknown) {
  const filter: Document = { [ref.fields.hostname]: ref.host, [ref.fields.timestamp]: { $gte: new Date(sinceMs) } };
  if (untilId !== null && untilId !== undefined) filter._id = { $lte: untilId };
  return client
    .db(ref.inputDb)
    .collection(ref.collection)
    .find(
      filter,
      {
        projection: { _id: 0, [ref.fields.message]: 1, ...levelProjection(ref.fields) },
        sort: { [ref.fields.timestamp]: -1 },
        limit: maxLines,
        batchSize: 5000,
        allowDiskUse: true,
        enableUtf8Validation: false,
      },
    );
}

/**
 * Why a host's training window holds few lines, judged from its newest line: one findOne on the
 * (hostname, _id) index. Null when that line looks fine (the host is simply quiet). The usual
 * causes are a host name that matches no line exactly and timestamps stored as strings, which
 * the window's date comparison never matches.
 */
export async function trainingWindowHint(client: MongoClient, ref: LineSourceRef, sinceMs: number): Promise<string | null> {
  const newest = await client
    .db(ref.inputDb)
    .collection(ref.collection)
    .findOne({ [ref.fields.hostname]: ref.host }, { sort: { _id: -1 }, projection: { [ref.fields.timestamp]: 1 } });
  const f = ref.fields;
  if (newest === null) return `no line of ${ref.collection} has ${f.hostname} equal to ${JSON.stringify(ref.host)} (exact match, case and domain included)`;
  const ts = fieldValue(newest, f.timestamp);
  if (ts === undefined || ts === null) return `the host's newest line has no ${f.timestamp} field (TIMESTAMP_FIELD)`;
  if (!(ts instanceof Date)) {
    const shown = typeof ts === 'string' ? `a string (${JSON.stringify(ts.slice(0, 40))})` : `of type ${typeof ts}`;
    return `${f.timestamp} of the host's newest line is ${shown}, not a BSON date: the training window compares dates, so no such line is ever training data`;
  }
  if (ts.getTime() < sinceMs) return `the host's newest line is from ${ts.toISOString()}, before the training window`;
  return null;
}

export function projectionFor(ref: Pick<LineSourceRef, 'fields'>): Document {
  const f = ref.fields;
  return { [f.message]: 1, [f.hostname]: 1, [f.timestamp]: 1, ...levelProjection(f) };
}

/** The LEVEL_FIELD for a projection: every read of lines the model sees brings it (modelInput). */
function levelProjection(f: InputFields): Document {
  return f.level === undefined ? {} : { [f.level]: 1 };
}

/**
 * What the model reads of a line: its text, after the level its LEVEL_FIELD holds (level-word.ts),
 * as a header would write it. Training and scoring read the same, so a model trained without the
 * field is retrained when it is set (host-pipeline.ts).
 */
export function modelInput(doc: Document, fields: InputFields, text: string): string {
  return fields.level === undefined ? text : withLevel(text, fieldValue(doc, fields.level));
}

/** Longest level value copied into an anomaly document (a level is a word or a number; more is a collector's garbage). */
const MAX_COPIED_LEVEL_CHARS = 64;

/** The input's level as the anomaly document stores it: a number, or a string of up to 64 characters; else nothing. */
export function copiedLevel(doc: Document, fields: InputFields): { level?: unknown } {
  if (fields.level === undefined) return {};
  const v = fieldValue(doc, fields.level);
  return typeof v === 'number' || (typeof v === 'string' && v.length <= MAX_COPIED_LEVEL_CHARS) ? { level: v } : {};
}

export type MessageText =
  | { text: string; binary: boolean }
  | { text: null; skip: keyof SkipCounts };

/** The text the model scores, or why there is none. Binary payloads are decoded leniently. */
export function messageText(doc: Document, field: string): MessageText {
  const v = fieldValue(doc, field);
  if (v === undefined || v === null) return { text: null, skip: 'missingMessage' };
  if (typeof v === 'string') return { text: clip(v), binary: false };
  if (v instanceof Binary) return { text: clip(Buffer.from(v.buffer).toString('utf8')), binary: true };
  return { text: null, skip: 'nonStringMessage' };
}

/**
 * The message as the anomaly document stores it: the input's own value, or, for a message longer
 * than what is scored, the scored start of it with the full length. A copy of a message near the
 * 16 MiB document limit plus the anomaly's fields would exceed it, fail on every retry and stall
 * the host; the full message stays in the input document that `input_id` names.
 */
export function copiedMessage(raw: unknown, scored: string): { message: unknown; messageLength?: number } {
  const length = messageSize(raw);
  if (length <= MAX_SCORED_CHARS) return { message: raw };
  return { message: scored, messageLength: length };
}

/** Largest timestamp value (BSON bytes) an anomaly document copies; see copiedTimestamp. */
export const MAX_COPIED_TIMESTAMP_BYTES = 16 * 1024;

/**
 * The input's timestamp as the anomaly document stores it: its own value (a date, a number, a
 * date string), or, for a value larger than MAX_COPIED_TIMESTAMP_BYTES (a collector's bug: a
 * multi-megabyte string or object), nothing but its size. Copied whole, such a value pushed the
 * anomaly document past the 16 MiB limit: its insert failed on every retry and the host stalled.
 */
export function copiedTimestamp(raw: unknown): { timestamp: unknown; timestampSize?: number } {
  // Only a string or an object can be large (a UTF-16 unit is at most 3 bytes of UTF-8).
  const small = typeof raw === 'string' ? raw.length * 3 <= MAX_COPIED_TIMESTAMP_BYTES : typeof raw !== 'object' || raw === null || raw instanceof Date;
  if (small) return { timestamp: raw };
  const size = BSON.calculateObjectSize({ v: raw }) - 8;
  return size <= MAX_COPIED_TIMESTAMP_BYTES ? { timestamp: raw } : { timestamp: undefined, timestampSize: size };
}

function clip(s: string): string {
  return s.length > MAX_SCORED_CHARS ? s.slice(0, MAX_SCORED_CHARS) : s;
}

export function emptySkipCounts(): SkipCounts {
  return { missingMessage: 0, nonStringMessage: 0 };
}
