// One daemon per state collection: a second one started on the same configuration (the service
// and a hand-started copy) waits as a standby and takes over when the first stops or dies.
import { expect } from 'chai';
import { Rng } from '../support/log-lines.js';
import { useTestBed } from '../support/test-bed.js';
import { insertLines, newLines, seedHistory, waitUntil } from '../support/seed.js';

describe('a second daemon on the same configuration', function () {
  this.timeout(120_000);
  const bed = useTestBed('lease', (b) => seedHistory(b.input, 'syslog', ['web1'], 300, new Rng(71)));

  it('waits as a standby, takes over at a stop, and at once after a kill', async () => {
    const { file } = bed.writeConfig(`POLL_INTERVAL_SECONDS: 0.2
MIN_TRAINING_LINES: 50
LOG_SOURCES:
  "syslog":
    HOSTNAMES: ["web1"]
    MG_TARGET_COL: "anomaly"
`);
    const first = bed.startDaemon(file);
    await first.waitForCount('trained', 1);
    const second = bed.startDaemon(file);
    const waiting = await second.waitForLog((l) => l.msg.startsWith('another anomaly-detector is running'), 30_000, 'standby');
    expect(waiting.pid).to.equal(first.pid);
    const lines = await insertLines(bed.input, 'syslog', newLines('web1', 30, 10, new Rng(8), 'one'));
    await waitUntil('the first scored them', async () => {
      const s = await bed.target.collection('anomaly_detector_state').findOne({ host: 'web1' });
      return String(s?.last_id) === String(lines[lines.length - 1]!.id);
    });
    expect(second.count('model loaded') + second.count('trained')).to.equal(0);
    expect((await bed.target.collection('anomaly_detector_state').findOne({ host: 'web1' }))!.lines_scored).to.equal(30);

    // A clean stop hands over at once.
    expect((await first.stop('SIGTERM')).code).to.equal(0);
    await second.waitForLog((l) => l.msg.startsWith('lease taken over'), 20_000, 'takeover after a stop');
    await second.waitForCount('model loaded', 1);
    const more = await insertLines(bed.input, 'syslog', newLines('web1', 20, 10, new Rng(9), 'two'));
    const incidents = more.filter((l) => l.incident);
    await waitUntil('the second writes the new incidents', async () => {
      const docs = await bed.target.collection('anomaly').find({ Hostname: 'web1' }).toArray();
      return incidents.every((i) => docs.some((d) => String(d.Message).includes(i.incident!)));
    });

    // Killed: its process is gone, so a third one on this machine need not wait for the lease to expire.
    await second.stop('SIGKILL');
    const third = bed.startDaemon(file);
    const started = Date.now();
    await third.waitForCount('model loaded', 1);
    expect(Date.now() - started).to.be.below(20_000);
    expect(third.count(/^another anomaly-detector is running/)).to.equal(0);
    expect((await third.stop('SIGTERM')).code).to.equal(0);
  });
});
