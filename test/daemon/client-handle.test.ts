import { expect } from 'chai';
import { MongoNetworkError, MongoServerError } from 'mongodb';
import { ClientHandle, STALE_CLIENT_MS } from '../../src/mongo/client.js';
import { ownServer } from '../support/mongo-server.js';

/** What a worker's client kept failing with after a server restart, its monitor stopped. */
const lost = new MongoNetworkError('connection 1 to 127.0.0.1:27402 closed');

/** Runs `body` with a handle on a server of its own (the test skipped without one), both closed after. */
async function withHandle(test: Mocha.Context, body: (handle: ClientHandle) => Promise<void>): Promise<void> {
  const server = await ownServer();
  if (!server) test.skip();
  const handle = new ClientHandle(server!.uri);
  try {
    await body(handle);
  } finally {
    await handle.close();
    await server!.destroy();
  }
}

describe('ClientHandle', function () {
  this.timeout(60_000);
  it('connects once MongoDB is up even though it was down at the first attempt', async function () {
    const server = await ownServer();
    if (!server) this.skip();
    await server!.stop();
    const handle = new ClientHandle(server!.uri);
    try {
      let failed = false;
      try {
        await handle.get();
      } catch {
        failed = true;
      }
      expect(failed).to.equal(true);
      await server!.start();
      const client = await handle.get();
      const res = await client.db('admin').command({ ping: 1 });
      expect(res.ok).to.equal(1);
    } finally {
      await handle.close();
      await server!.destroy();
    }
  });

  it('hears by itself each call of its client that reached MongoDB, and counts nothing else as its client working', async function () {
    // A worker thread counted any task that succeeded: an idle host's, which made no call, kept a
    // stuck client from ever being replaced while a busy host on the same thread failed every batch.
    await withHandle(this, async (handle) => {
      const first = await handle.get();
      const t0 = Date.now();
      handle.discardIf(lost, t0);
      expect((await first.db('admin').command({ ping: 1 })).ok).to.equal(1);
      expect(handle.discardIf(lost, t0 + STALE_CLIENT_MS), 'a ping reached MongoDB in between').to.equal(false);
      // A server's refusal came back through the connection as well.
      let refused: unknown = null;
      await first.db('admin').command({ noSuchCommandHere: 1 }).catch((err: unknown) => (refused = err));
      expect(refused).to.be.instanceOf(MongoServerError);
      expect(handle.discardIf(lost, t0 + 2 * STALE_CLIENT_MS), 'a refusal reached MongoDB in between').to.equal(false);
      // Nothing reached it since: replaced.
      expect(handle.discardIf(lost, t0 + 3 * STALE_CLIENT_MS)).to.equal(true);
      expect(await handle.get()).to.not.equal(first);
    });
  });

  it('replaces a client whose calls have all failed to reach MongoDB for STALE_CLIENT_MS, not before, and not one that worked since', async function () {
    await withHandle(this, async (handle) => {
      const first = await handle.get();
      const t0 = Date.now();
      handle.discardIf(lost, t0);
      expect(handle.discardIf(lost, t0 + STALE_CLIENT_MS - 1)).to.equal(false);
      expect(await handle.get(), 'failing for less than STALE_CLIENT_MS').to.equal(first);
      handle.worked();
      handle.discardIf(lost, t0 + STALE_CLIENT_MS);
      expect(await handle.get(), 'it worked in between').to.equal(first);
      handle.discardIf(new Error('E11000 duplicate key'), t0 + 10 * STALE_CLIENT_MS);
      expect(await handle.get(), 'not a connectivity error').to.equal(first);
      expect(handle.discardIf(lost, t0 + STALE_CLIENT_MS + STALE_CLIENT_MS), 'replaced, so the caller can say so').to.equal(true);
      const second = await handle.get();
      expect(second, 'failing for STALE_CLIENT_MS').to.not.equal(first);
      expect((await second.db('admin').command({ ping: 1 })).ok).to.equal(1);
    });
  });
});
