// The sink: one document per anomalous line in the source's target collection.
import { MongoBulkWriteError, type Collection, type Document, type MongoClient } from 'mongodb';

export interface AnomalyRecord {
  source: string;
  inputId: unknown;
  message: unknown;
  /** Length of the input's message when `message` holds only its start (see copiedMessage). */
  messageLength?: number;
  hostname: unknown;
  timestamp: unknown;
  score: number;
  reasons: string[];
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
  fields: { message: string; hostname: string; timestamp: string },
  records: AnomalyRecord[],
): Promise<number> {
  if (records.length === 0) return 0;
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

function toDocument(r: AnomalyRecord, fields: { message: string; hostname: string; timestamp: string }): Document {
  const doc: Document = {
    source: r.source,
    input_id: r.inputId,
    [fields.message]: r.message,
    [fields.hostname]: r.hostname,
    anomaly_score: r.score,
    reasons: r.reasons,
    template: r.template,
    template_id: r.templateId,
    model_version: r.modelVersion,
    threshold: r.threshold,
    detected_at: r.detectedAt,
  };
  if (r.timestamp !== undefined) doc[fields.timestamp] = r.timestamp;
  if (r.messageLength !== undefined) {
    doc.message_truncated = true;
    doc.message_length = r.messageLength;
  }
  return doc;
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
