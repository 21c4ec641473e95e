import type { MongoClient } from 'mongodb';

export async function ensureStateIndexes(client: MongoClient, state: { db: string; collection: string }): Promise<void> {
  await client.db(state.db).collection(state.collection).createIndex({ source: 1, host: 1 }, { name: 'source_host' });
}

/**
 * The input indexes the daemon's queries want: polling by (host, _id) and training by
 * (host, timestamp). Created only with CREATE_INPUT_INDEXES: the input collections are the operator's.
 */
export async function ensureInputIndexes(
  client: MongoClient,
  input: { db: string; collection: string },
  fields: { hostname: string; timestamp: string },
): Promise<void> {
  const coll = client.db(input.db).collection(input.collection);
  await coll.createIndex({ [fields.hostname]: 1, _id: 1 }, { name: 'anomaly_detector_host_id' });
  await coll.createIndex({ [fields.hostname]: 1, [fields.timestamp]: -1 }, { name: 'anomaly_detector_host_time' });
}
