// The sink: one document per anomalous line in the source's target collection.
import type { Collection, Document, MongoClient } from 'mongodb';

export interface AnomalyRecord {
  source: string;
  inputId: unknown;
  message: unknown;
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

/**
 * Upserts keyed on (source, input_id) with $setOnInsert: writing the same batch again after a
 * crash (written but not yet checkpointed) finds the documents already there and changes nothing.
 */
export async function writeAnomalies(
  client: MongoClient,
  target: { db: string; collection: string },
  fields: { message: string; hostname: string; timestamp: string },
  records: AnomalyRecord[],
): Promise<number> {
  if (records.length === 0) return 0;
  const coll: Collection = client.db(target.db).collection(target.collection);
  const res = await coll.bulkWrite(
    records.map((r) => ({
      updateOne: {
        filter: { source: r.source, input_id: r.inputId },
        update: { $setOnInsert: toDocument(r, fields) },
        upsert: true,
      },
    })),
    { ordered: false },
  );
  return res.upsertedCount;
}

function toDocument(r: AnomalyRecord, fields: { message: string; hostname: string; timestamp: string }): Document {
  const doc: Document = {
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
