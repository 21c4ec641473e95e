// Documents a collector can produce that are not proper log lines: counted, handled, never a crash.
import { expect } from 'chai';
import { BSON, Binary } from 'mongodb';
import type { DaemonProcess } from '../support/daemon-process.js';
import { Rng } from '../support/log-lines.js';
import { useTestBed } from '../support/test-bed.js';
import { insertLines, newLines, seedHistory, waitUntil } from '../support/seed.js';

describe('daemon and malformed input documents', function () {
  this.timeout(180_000);
  const bed = useTestBed('bad', async (b) => {
    await seedHistory(b.input, 'syslog', ['edge'], 300, new Rng(21));
  });
  // A failed test must not leave its daemon holding the lease for the next one.
  afterEach(() => bed.stopAll());

  /** A daemon watching host "edge", writing to `target`, once it has trained. */
  async function trainedDaemon(target: string): Promise<DaemonProcess> {
    const { file } = bed.writeSourceConfig(['edge'], { target });
    const daemon = bed.startDaemon(file);
    await daemon.waitForCount('trained', 1);
    return daemon;
  }

  it('counts missing, non-string, huge and binary messages and keeps processing the following lines', async () => {
    const daemon = await trainedDaemon('edge_anomaly');
    const now = new Date();
    const bad = await bed.input.collection('syslog').insertMany([
      { Hostname: 'edge', timestamp: now },
      { Hostname: 'edge', Message: 12345, timestamp: now },
      { Hostname: 'edge', Message: { nested: 'object' }, timestamp: now },
      { Hostname: 'edge', Message: `kernel: ${'A'.repeat(1024 * 1024)}`, timestamp: now },
      { Hostname: 'edge', Message: new Binary(Buffer.from([0xff, 0xfe, 0xfd, 0x6b, 0x65, 0x72, 0x6e, 0x65, 0x6c, 0xc3, 0x28])), timestamp: now },
      { Hostname: 'edge', Message: 'sshd[1]: \u0000\u0001\u0002 control \uFFFD characters \uD83D', timestamp: now },
      { Hostname: 'edge', Message: '', timestamp: now },
    ]);
    const lines = newLines('edge', 40, 10, new Rng(4), 'bad');
    const inserted = await insertLines(bed.input, 'syslog', lines);
    const incidents = inserted.filter((l) => l.incident);
    await waitUntil('incidents after the bad documents are written', async () => {
      const docs = await bed.target.collection('edge_anomaly').find().toArray();
      return incidents.every((i) => docs.some((d) => String(d.Message).includes(i.incident!)));
    });
    await waitUntil('the checkpoint reaches the last line', async () => {
      const s = await bed.target.collection('anomaly_detector_state').findOne({ host: 'edge' });
      return String(s?.last_id) === String(inserted[inserted.length - 1].id);
    });
    const state = await bed.target.collection('anomaly_detector_state').findOne({ host: 'edge' });
    expect(state!.skipped).to.equal(3);
    expect(state!.lines_scored).to.equal(4 + 40);
    // Logged once the batch's result is back from its scoring thread, which saved the checkpoint first.
    const warn = await daemon.waitForLog((l) => l.msg.startsWith('lines without a text message'), 30_000, 'the warning');
    expect(warn).to.include({ missingMessage: 1, nonStringMessage: 2, binaryDecoded: 1 });
    // Named, so that an operator can find them.
    expect(warn.skippedIds).to.deep.equal([0, 1, 2].map((i) => BSON.EJSON.stringify(bad.insertedIds[i])));
    expect(daemon.count('poll failed; will retry')).to.equal(0);
    expect((await daemon.stop('SIGTERM')).code).to.equal(0);
  });

  it('writes an anomaly whose message is near the 16 MiB document limit with its message cut, and goes on', async () => {
    const daemon = await trainedDaemon('huge_anomaly');
    // As large as an input document may be: the anomaly document adds a template and reasons.
    const huge = `kernel: panic: stack dump follows ${'overflow '.repeat(1_859_000)}`;
    const { insertedId } = await bed.input.collection('syslog').insertOne({ Hostname: 'edge', Message: huge, timestamp: new Date() });
    const inserted = await insertLines(bed.input, 'syslog', newLines('edge', 20, 10, new Rng(9), 'huge'));
    const incidents = inserted.filter((l) => l.incident);
    await waitUntil('incidents after the huge line are written', async () => {
      const docs = await bed.target.collection('huge_anomaly').find({}, { projection: { Message: 1 } }).toArray();
      return incidents.every((i) => docs.some((d) => String(d.Message).includes(i.incident!)));
    });
    const doc = await bed.target.collection('huge_anomaly').findOne({ input_id: insertedId });
    expect(doc, 'the huge line is an anomaly').to.not.equal(null);
    expect(doc!.message_truncated).to.equal(true);
    expect(doc!.message_length).to.equal(huge.length);
    expect(huge.startsWith(String(doc!.Message))).to.equal(true);
    expect(String(doc!.Message).length).to.be.below(huge.length);
    expect(daemon.count('poll failed; will retry')).to.equal(0);
    expect((await daemon.stop('SIGTERM')).code).to.equal(0);
  });

  it('writes an anomaly of a line whose timestamp is megabytes long without it, with the host name configured, and goes on', async () => {
    const daemon = await trainedDaemon('wide_anomaly');
    // An input document at the 16 MiB limit, most of it a collector's garbage timestamp, and the
    // host name in an array: copied whole, with the template added, the anomaly would not fit.
    const line = { Hostname: ['edge', 'edge-standby'], Message: `kernel: panic: stack dump follows ${'overflow '.repeat(7000)}`, timestamp: '' };
    line.timestamp = '9'.repeat(16 * 1024 * 1024 - 2048 - BSON.calculateObjectSize(line));
    const { insertedId } = await bed.input.collection('syslog').insertOne(line);
    const inserted = await insertLines(bed.input, 'syslog', newLines('edge', 20, 10, new Rng(12), 'wide'));
    const incidents = inserted.filter((l) => l.incident);
    await waitUntil('incidents after the wide line are written', async () => {
      const docs = await bed.target.collection('wide_anomaly').find({}, { projection: { Message: 1 } }).toArray();
      return incidents.every((i) => docs.some((d) => String(d.Message).includes(i.incident!)));
    });
    const doc = await bed.target.collection('wide_anomaly').findOne({ input_id: insertedId }, { projection: { Message: 0 } });
    expect(doc, 'the wide line is an anomaly').to.not.equal(null);
    expect(doc!.Hostname).to.equal('edge');
    expect(doc).to.not.have.property('timestamp');
    expect(doc!.timestamp_omitted).to.equal(true);
    expect(doc!.timestamp_size).to.be.above(line.timestamp.length);
    expect(daemon.count('poll failed; will retry')).to.equal(0);
    expect((await daemon.stop('SIGTERM')).code).to.equal(0);
  });
});
