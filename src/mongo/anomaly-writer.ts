// The sink: one document per anomalous line in the source's target collection.
import { MongoBulkWriteError, type Collection, type Document, type MongoClient } from 'mongodb';
import { setFieldValue } from './field-path.js';
import type { InputFields } from '../config/schema.js';

export interface AnomalyRecord {
  source: string;
  inputId: unknown;
  message: unknown;
  /** Length of the input's message when `message` holds only its start (see copiedMessage). */
  messageLength?: number;
  /** The configured host name (the input's field may be an array holding it). */
  hostname: string;
  timestamp: unknown;
  /** BSON size of the input's timestamp when it was too large to copy (see copiedTimestamp). */
  timestampSize?: number;
  /** The input's LEVEL_FIELD value (see copiedLevel). */
  level?: unknown;
  score: number;
  reasons: readonly string[];
  template: string;
  templateId: string;
  modelVersion: string;
  threshold: number;
  detectedAt: Date;
}

/** MongoDB's duplicate-key error: the unique (source, input_id) index already holds the line. */
const DUPLICATE_KEY = 11000;

/**
 * Inserts one document per anomalous line, unordered. The unique index on (source, input_id)
 * refuses a line written before (a batch repeated after a crash between this write and the
 * checkpoint), so such duplicates are counted as already written, and the first write stays.
 * Plain inserts, not upserts: an upsert is a lookup plus a write per line, several times slower.
 * Returns how many documents were new.
 */
export async function writeAnomalies(
  client: MongoClient,
  target: { db: string; collection: string },
  fields: InputFields,
  records: AnomalyRecord[],
  now = Date.now(),
): Promise<number> {
  if (records.length === 0) return 0;
  await recheckIndexes(client, target, fields, now);
  const coll: Collection = client.db(target.db).collection(target.collection);
  try {
    const res = await coll.insertMany(records.map((r) => toDocument(r, fields)), { ordered: false });
    return res.insertedCount;
  } catch (err) {
    if (err instanceof MongoBulkWriteError) {
      const errors = Array.isArray(err.writeErrors) ? err.writeErrors : [err.writeErrors];
      if (errors.length > 0 && errors.every((e) => e.code === DUPLICATE_KEY)) return err.insertedCount;
    }
    throw err;
  }
}

function toDocument(r: AnomalyRecord, fields: InputFields): Document {
  const doc: Document = { source: r.source, input_id: r.inputId };
  setFieldValue(doc, fields.message, r.message);
  setFieldValue(doc, fields.hostname, r.hostname);
  doc.anomaly_score = r.score;
  doc.reasons = r.reasons;
  doc.template = r.template;
  doc.template_id = r.templateId;
  doc.model_version = r.modelVersion;
  doc.threshold = r.threshold;
  doc.detected_at = r.detectedAt;
  if (r.timestamp !== undefined) setFieldValue(doc, fields.timestamp, r.timestamp);
  if (r.level !== undefined && fields.level !== undefined) setFieldValue(doc, fields.level, r.level);
  if (r.messageLength !== undefined) {
    doc.message_truncated = true;
    doc.message_length = r.messageLength;
  }
  if (r.timestampSize !== undefined) {
    doc.timestamp_omitted = true;
    doc.timestamp_size = r.timestampSize;
  }
  return doc;
}

/**
 * How often a thread makes sure the indexes of a target it writes to exist. A target collection
 * dropped while the daemon runs (to clear old anomalies) is created again by the next insert
 * without them, and without the unique index a batch written again after a crash would be
 * written twice; so its indexes come back within this time.
 */
const INDEX_RECHECK_MS = 60_000;
const indexesCheckedAt = new Map<string, number>();

async function recheckIndexes(client: MongoClient, target: { db: string; collection: string }, fields: { hostname: string; timestamp: string }, now: number): Promise<void> {
  const key = `${target.db}\u0000${target.collection}`;
  const at = indexesCheckedAt.get(key);
  if (at !== undefined && now - at < INDEX_RECHECK_MS) return;
  indexesCheckedAt.set(key, now);
  // A server refusing (a duplicate-ridden target) is reported by the start-up check, which retries;
  // the anomalies are written meanwhile.
  await ensureTargetIndexes(client, target, fields).catch(() => undefined);
}

/** Indexes on the daemon's own target collection; the unique one is what makes writes idempotent. */
export async function ensureTargetIndexes(
  client: MongoClient,
  target: { db: string; collection: string },
  fields: { hostname: string; timestamp: string },
): Promise<void> {
  const coll = client.db(target.db).collection(target.collection);
  await coll.createIndex({ source: 1, input_id: 1 }, { unique: true, name: 'source_input_id_unique' });
  await coll.createIndex({ [fields.hostname]: 1, [fields.timestamp]: -1 }, { name: 'host_time' });
  await coll.createIndex({ detected_at: -1 }, { name: 'detected_at' });
}
