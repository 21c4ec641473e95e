import { expect } from 'chai';
import { ClientHandle } from '../../src/mongo/client.js';
import { ownServer } from '../support/mongo-server.js';

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
});
