// The sink against the real server: writing a batch again (a crash between write and checkpoint)
// changes nothing and raises nothing; other errors still surface.
import { expect } from 'chai';
import { ObjectId } from 'mongodb';
import { ensureTargetIndexes, writeAnomalies, type AnomalyRecord } from '../../src/mongo/anomaly-writer.js';
import { useTestBed } from '../support/test-bed.js';

const FIELDS = { message: 'Message', hostname: 'Hostname', timestamp: 'timestamp' };

function record(id: ObjectId, score: number): AnomalyRecord {
  return {
    source: 'syslog',
    inputId: id,
    message: `kernel: failure ${id.toHexString()}`,
    hostname: 'h1',
    timestamp: new Date(),
    score,
    reasons: ['error_terms'],
    template: 'kernel: failure <*>',
    templateId: '1',
    modelVersion: 'v1',
    threshold: 0.5,
    detectedAt: new Date(),
  };
}

describe('anomaly writer', function () {
  this.timeout(60_000);
  const bed = useTestBed('aw', async () => undefined);
  const target = () => ({ db: bed.targetName, collection: 'anomaly' });

  it('puts the indexes back on a target collection dropped while running, within a minute', async () => {
    const t = { db: bed.targetName, collection: 'dropped' };
    const ids = Array.from({ length: 3 }, () => new ObjectId());
    const now = Date.now();
    expect(await writeAnomalies(bed.client, t, FIELDS, ids.map((id) => record(id, 0.9)), now)).to.equal(3);
    await bed.target.collection('dropped').drop();
    // Within the minute the collection is created again by the insert, without its indexes.
    expect(await writeAnomalies(bed.client, t, FIELDS, [record(ids[0]!, 0.9)], now + 1_000)).to.equal(1);
    // Past it, the indexes are checked before writing: the batch written again is refused as a duplicate.
    expect(await writeAnomalies(bed.client, t, FIELDS, ids.map((id) => record(id, 0.9)), now + 61_000)).to.equal(2);
    expect(await writeAnomalies(bed.client, t, FIELDS, ids.map((id) => record(id, 0.9)), now + 62_000)).to.equal(0);
    const names = (await bed.target.collection('dropped').indexes()).map((i) => i.name);
    expect(names).to.include.members(['source_input_id_unique', 'host_time', 'detected_at']);
  });

  it('writes each line once: a repeated or overlapping batch inserts only what is new and keeps the first write', async () => {
    await ensureTargetIndexes(bed.client, target(), FIELDS);
    const ids = Array.from({ length: 6 }, () => new ObjectId());
    expect(await writeAnomalies(bed.client, target(), FIELDS, ids.slice(0, 4).map((id) => record(id, 0.9)))).to.equal(4);
    // The same four again (crash before the checkpoint) plus two new ones, with other scores.
    expect(await writeAnomalies(bed.client, target(), FIELDS, ids.map((id) => record(id, 0.7)))).to.equal(2);
    expect(await writeAnomalies(bed.client, target(), FIELDS, ids.map((id) => record(id, 0.6)))).to.equal(0);
    const docs = await bed.target.collection('anomaly').find().sort({ input_id: 1 }).toArray();
    expect(docs).to.have.length(6);
    expect(docs.map((d) => d.anomaly_score)).to.deep.equal([0.9, 0.9, 0.9, 0.9, 0.7, 0.7]);
  });

  it('surfaces errors other than duplicates', async () => {
    const huge = record(new ObjectId(), 0.9);
    huge.message = 'x'.repeat(17 * 1024 * 1024); // over the 16 MiB document limit
    let failed: unknown = null;
    try {
      await writeAnomalies(bed.client, target(), FIELDS, [huge]);
    } catch (err) {
      failed = err;
    }
    expect(failed).to.be.instanceOf(Error);
  });
});
