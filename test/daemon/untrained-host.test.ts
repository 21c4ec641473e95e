// A host with too little history is reported, trains once enough lines exist, and the lines that
// arrived meanwhile are scored then, not dropped.
import { expect } from 'chai';
import { Rng } from '../support/log-lines.js';
import { useTestBed } from '../support/test-bed.js';
import { insertLines, newLines, seedHistory, waitUntil } from '../support/seed.js';

describe('a host with too little history', function () {
  this.timeout(120_000);
  const bed = useTestBed('ut', (b) => seedHistory(b.input, 'syslog', ['newbie'], 10, new Rng(71)));

  it('waits with a warning, trains when enough lines exist, then scores the lines that waited', async () => {
    const { file } = bed.writeConfig(`POLL_INTERVAL_SECONDS: 0.2
MIN_TRAINING_LINES: 100
UNTRAINED_RETRY_SECONDS: 1
LOG_SOURCES:
  "syslog":
    HOSTNAMES: ["newbie"]
    MG_TARGET_COL: "anomaly"
`);
    const daemon = bed.startDaemon(file);
    const warning = await daemon.waitForLog((l) => l.msg.startsWith('too few lines'), 30_000, 'too few lines');
    expect(warning.lines).to.equal(10);
    const waiting = await insertLines(bed.input, 'syslog', newLines('newbie', 150, 50, new Rng(72), 'wait'));
    const trained = await daemon.waitForLog((l) => l.msg === 'trained', 30_000, 'trained');
    expect(trained.lines).to.equal(160);
    const last = waiting[waiting.length - 1].id;
    await waitUntil('every line that waited is scored', async () => {
      const s = await bed.target.collection('anomaly_detector_state').findOne({ host: 'newbie' });
      return String(s?.last_id) === String(last);
    });
    const state = await bed.target.collection('anomaly_detector_state').findOne({ host: 'newbie' });
    expect(state!.lines_scored).to.equal(150);
    // Failures among the waiting lines are still flagged, although they were also training data.
    const docs = await bed.target.collection('anomaly').find().toArray();
    for (const i of waiting.filter((l) => l.incident)) {
      expect(docs.filter((d) => String(d.Message).includes(i.incident!)), i.incident!).to.have.length(1);
    }
    expect((await daemon.stop('SIGTERM')).code).to.equal(0);
  });

  it('says why a host has too few lines: no such host name, timestamps that are strings, no message field', async () => {
    const now = Date.now();
    await bed.input.collection('syslog').insertMany(
      Array.from({ length: 60 }, (_, i) => ({ Hostname: 'stringly', Message: `cron[${i}]: job done`, timestamp: new Date(now - i * 60_000).toISOString() })),
    );
    await bed.input.collection('syslog').insertMany(
      Array.from({ length: 60 }, (_, i) => ({ Hostname: 'wrongfield', msg: `cron[${i}]: job done`, timestamp: new Date(now - i * 60_000) })),
    );
    const { file } = bed.writeSourceConfig(['stringly', 'wrongfield', 'Newbie.example.com']);
    const daemon = bed.startDaemon(file);
    const hint = async (host: string): Promise<string> =>
      String((await daemon.waitForLog((l) => l.msg.startsWith('too few lines') && l.host === host, 30_000, `too few lines for ${host}`)).hint);
    expect(await hint('stringly')).to.match(/^timestamp of the host's newest line is a string \("20\d\d-.*not a BSON date/);
    expect(await hint('wrongfield')).to.equal('most lines of the window have no text in Message (MESSAGE_FIELD)');
    expect(await hint('Newbie.example.com')).to.equal('no line of syslog has Hostname equal to "Newbie.example.com" (exact match, case and domain included)');
    expect((await daemon.stop('SIGTERM')).code).to.equal(0);
  });
});
