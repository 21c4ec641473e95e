import { BSON, type MongoClient } from 'mongodb';
import type { DaemonConfig } from '../config/schema.js';

/** Counting stops here: beyond it the exact backlog does not change what an operator does. */
export const LAG_COUNT_LIMIT = 1_000_000;

/** Lines of the host stored after its checkpoint, i.e. not yet scored. */
export async function hostLag(
  client: MongoClient,
  cfg: Pick<DaemonConfig, 'inputDb' | 'fields'>,
  collection: string,
  host: string,
  checkpoint: string | null,
): Promise<number> {
  const filter: Record<string, unknown> = { [cfg.fields.hostname]: host };
  if (checkpoint !== null) filter._id = { $gt: BSON.EJSON.parse(checkpoint, { relaxed: false }) };
  return client.db(cfg.inputDb).collection(collection).countDocuments(filter, { limit: LAG_COUNT_LIMIT });
}
