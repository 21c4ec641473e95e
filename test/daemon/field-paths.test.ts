// Input documents whose fields are embedded (`{host: {name}, log: {message}, ts: {at}}`), named by
// dotted paths in the config: read, trained on, and copied into anomaly documents with the same shape.
import { expect } from 'chai';
import { Rng } from '../support/log-lines.js';
import { useTestBed } from '../support/test-bed.js';
import { insertLines, newLines, seedHistory, waitUntil, type DocShape } from '../support/seed.js';

const nested: DocShape = (host, message, at) => ({ host: { name: host, os: 'linux' }, log: { message, level: 'info' }, ts: { at } });

describe('dotted field paths', function () {
  this.timeout(120_000);
  const bed = useTestBed('paths', async (b) => {
    await seedHistory(b.input, 'events', ['deep'], 300, new Rng(31), 30, nested);
  });

  it('writes anomalies whose copied fields are embedded as in the input, queryable by the same paths', async () => {
    const { file } = bed.writeSourceConfig(['deep'], {
      source: 'events',
      target: 'deep_anomaly',
      extra: 'MESSAGE_FIELD: "log.message"\nHOSTNAME_FIELD: "host.name"\nTIMESTAMP_FIELD: "ts.at"\n',
    });
    const daemon = bed.startDaemon(file);
    await daemon.waitForCount('trained', 1);
    const inserted = await insertLines(bed.input, 'events', newLines('deep', 30, 10, new Rng(6), 'path'), nested);
    const incidents = inserted.filter((l) => l.incident);
    const target = bed.target.collection('deep_anomaly');
    await waitUntil('the incidents are written', async () => {
      const docs = await target.find({ 'host.name': 'deep' }).toArray();
      return incidents.every((i) => docs.some((d) => String(d.log?.message).includes(i.incident!)));
    });
    const doc = await target.findOne({ 'log.message': { $regex: incidents[0]!.incident! } });
    expect(doc!.host).to.deep.equal({ name: 'deep' });
    expect(doc!.ts.at).to.be.instanceOf(Date);
    expect(Object.keys(doc!)).to.not.include.members(['log.message', 'host.name', 'ts.at']);
    expect(await target.countDocuments({ 'host.name': 'deep', 'ts.at': { $gte: new Date(Date.now() - 3_600_000) } })).to.be.at.least(incidents.length);
    expect(daemon.count('poll failed; will retry')).to.equal(0);
    expect((await daemon.stop('SIGTERM')).code).to.equal(0);
  });
});
