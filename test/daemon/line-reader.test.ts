// The batch reader against the test server: batches end by size as well as by count.
import { expect } from 'chai';
import type { Document } from 'mongodb';
import { MAX_BATCH_CHARS, readLinesAfter } from '../../src/mongo/line-reader.js';
import { useTestBed } from '../support/test-bed.js';

describe('reading a host batch by batch', function () {
  this.timeout(120_000);
  const MB = 1024 * 1024;
  const bed = useTestBed('reader', async (b) => {
    // 40 megabyte messages, then 5 ordinary lines.
    const docs: Document[] = [];
    for (let i = 0; i < 40; i++) docs.push({ Hostname: 'big', Message: `dump ${i} ${'x'.repeat(MB)}`, timestamp: new Date() });
    for (let i = 0; i < 5; i++) docs.push({ Hostname: 'big', Message: `sshd[${i}]: session opened for user root`, timestamp: new Date() });
    for (let i = 0; i < docs.length; i += 5) await b.input.collection('syslog').insertMany(docs.slice(i, i + 5));
  });

  it('ends a batch once its messages hold MAX_BATCH_CHARS, and goes on from there', async () => {
    const ref = { uri: bed.uri, inputDb: bed.inputName, collection: 'syslog', host: 'big', fields: { message: 'Message', hostname: 'Hostname', timestamp: 'timestamp' } };
    const sizes: number[] = [];
    let after: unknown = null;
    let read = 0;
    for (let round = 0; round < 10; round++) {
      const { docs, more } = await readLinesAfter(bed.client, ref, after, 2000, 0);
      const chars = docs.reduce((n, d) => n + String(d.Message).length, 0);
      // Over the budget by at most the last message.
      expect(chars).to.be.below(MAX_BATCH_CHARS + MB + 100);
      sizes.push(docs.length);
      read += docs.length;
      if (docs.length > 0) after = docs[docs.length - 1]!._id;
      if (!more) break;
    }
    expect(read).to.equal(45);
    expect(sizes.length).to.be.at.least(3);
    expect(sizes[0]).to.equal(Math.ceil(MAX_BATCH_CHARS / (MB + 8)));
  });
});
