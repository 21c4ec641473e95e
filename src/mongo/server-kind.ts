import type { MongoClient } from 'mongodb';

/**
 * Whether the server tests a query's conditions against every stored document instead of using
 * an index for them: FerretDB (it names its own version in buildInfo). Shared reads then group
 * their hosts (line-reader.ts GROUP_SECONDS). False when the server does not say, or the command
 * fails: MongoDB's behaviour is the safe one to assume.
 */
export async function filtersEveryDocument(client: MongoClient): Promise<boolean> {
  try {
    const info = await client.db('admin').command({ buildInfo: 1 });
    return typeof info.ferretdbVersion === 'string';
  } catch {
    return false;
  }
}
