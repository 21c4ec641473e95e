// Whether the server filters every document itself (FerretDB), which decides how shared reads
// group their hosts (line-reader.ts GROUP_SECONDS).
import { expect } from 'chai';
import { MongoClient } from 'mongodb';
import { filtersEveryDocument } from '../../src/mongo/server-kind.js';
import { useTestBed } from '../support/test-bed.js';

describe('the kind of server the daemon reads from', function () {
  this.timeout(30_000);
  const bed = useTestBed('kind', async () => undefined);

  it('is FerretDB when the test server is the one the tests start', async function () {
    if (process.env.MONGODB_URI) this.skip();
    expect(await filtersEveryDocument(bed.client)).to.equal(true);
  });

  it('is taken for MongoDB when the server cannot be asked', async () => {
    const broken = new MongoClient('mongodb://127.0.0.1:1/', { serverSelectionTimeoutMS: 300 });
    try {
      expect(await filtersEveryDocument(broken)).to.equal(false);
    } finally {
      await broken.close();
    }
  });
});
