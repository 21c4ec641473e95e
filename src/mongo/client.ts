import { MongoClient } from 'mongodb';

/**
 * One client per thread and URI. Short server-selection timeouts turn an outage into quick,
 * retryable task failures instead of calls hanging for the driver's default 30 s.
 */
const clients = new Map<string, MongoClient>();

export function sharedClient(uri: string): MongoClient {
  let client = clients.get(uri);
  if (!client) {
    client = newClient(uri);
    clients.set(uri, client);
  }
  return client;
}

export function newClient(uri: string): MongoClient {
  return new MongoClient(uri, {
    appName: 'anomaly-detector',
    serverSelectionTimeoutMS: 5000,
    connectTimeoutMS: 5000,
    socketTimeoutMS: 120_000,
    maxPoolSize: 10,
  });
}

export async function closeSharedClients(): Promise<void> {
  const all = [...clients.values()];
  clients.clear();
  await Promise.all(all.map((c) => c.close().catch(() => undefined)));
}
