import { MongoNetworkError, MongoServerSelectionError, MongoTopologyClosedError, MongoNotConnectedError } from 'mongodb';

/** True when the error means "the database cannot be reached right now" (retry later), not a bad request. */
export function isConnectivityError(err: unknown): boolean {
  if (
    err instanceof MongoServerSelectionError ||
    err instanceof MongoNetworkError ||
    err instanceof MongoTopologyClosedError ||
    err instanceof MongoNotConnectedError
  ) {
    return true;
  }
  const e = err as { name?: string; code?: string | number; message?: string };
  return (
    e?.name === 'MongoPoolClearedError' ||
    e?.code === 'ECONNREFUSED' ||
    e?.code === 'ECONNRESET' ||
    /connection .*closed|ECONNREFUSED|ECONNRESET|topology was destroyed/i.test(e?.message ?? '')
  );
}
