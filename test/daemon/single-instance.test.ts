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
    const { file } = bed.writeSourceConfig(['web1'], { extra: 'HTTP_LISTEN: "127.0.0.1:0"\n' });
    const first = bed.startDaemon(file);
    await first.waitForCount('trained', 1);
    const second = bed.startDaemon(file);
    const waiting = await second.waitForLog((l) => l.msg.startsWith('another anomaly-detector is running'), 30_000, 'standby');
    expect(waiting.pid).to.equal(first.pid);
    // A standby is healthy: it waits, as it should (before, a 503 "down" alerted on it).
    const listening = await second.waitForLog((l) => l.msg.startsWith('http listener started'), 30_000, 'http listener');
    const health = await fetch(`http://${String(listening.listen)}/healthz`);
    expect(health.status).to.equal(200);
    expect(((await health.json()) as { status: string }).status).to.equal('standby');
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
    await third.waitForCount('model loaded', 1);
    expect(third.count(/^another anomaly-detector is running/)).to.equal(0);

    // Its lease taken by another daemon (it could not renew in time): it stops its hosts and waits.
    const lease = bed.target.collection<{ _id: string }>('anomaly_detector_state');
    await lease.updateOne({ _id: 'daemon-lease' }, { $set: { owner: 'elsewhere:1:x', machine: 'elsewhere', pid: 1 } });
    await third.waitForLog((l) => l.msg.startsWith('another anomaly-detector took over the lease'), 30_000, 'lease lost');
    const scored = (await bed.target.collection('anomaly_detector_state').findOne({ host: 'web1' }))!.lines_scored as number;
    await insertLines(bed.input, 'syslog', newLines('web1', 10, 0, new Rng(10), 'standby'));
    await new Promise((r) => setTimeout(r, 1500));
    expect((await bed.target.collection('anomaly_detector_state').findOne({ host: 'web1' }))!.lines_scored).to.equal(scored);
    // The other one stops (its lease released): this one runs again and scores what waited.
    await lease.deleteOne({ _id: 'daemon-lease' });
    await third.waitForLog((l) => l.msg === 'running again', 30_000, 'running again');
    await waitUntil('the waiting lines scored', async () => (await bed.target.collection('anomaly_detector_state').findOne({ host: 'web1' }))!.lines_scored === scored + 10);
    expect((await third.stop('SIGTERM')).code).to.equal(0);
  });
});
