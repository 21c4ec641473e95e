// A worker thread that dies fails only its own task: logged, retried later, the daemon goes on.
import { expect } from 'chai';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startInProcess, type InProcess } from '../support/in-process.js';
import { Rng } from '../support/log-lines.js';
import { useTestBed } from '../support/test-bed.js';
import { insertLines, newLines, seedHistory, waitUntil } from '../support/seed.js';
import { tempDir } from '../support/temp-dir.js';

describe('worker isolation: crashes and long trainings', function () {
  this.timeout(120_000);
  const bed = useTestBed('iso', (b) => seedHistory(b.input, 'syslog', ['crashy', 'steady', 'slow'], 300, new Rng(51)));
  // Each test starts its own supervisor on the bed's state collection: the next one needs the lease.
  afterEach(async () => bed.stopAll());

  function startSupervisor(hosts: string[], fixture: string, extra = '', workers = 1): InProcess {
    return startInProcess(bed, hosts, fixture, extra, tempDir('ad-crash-'), { workers });
  }

  it("fails only the crashed thread's tasks, logs it, keeps scoring the hosts of other threads and retries the host", async () => {
    // Two scoring threads, one host each (hosts are dealt round-robin): a thread runs up to two
    // tasks at a time, and a crash fails those in flight on that thread only.
    const { logs, supervisor } = startSupervisor(['crashy', 'steady'], 'crash-once', '', 2);
    await waitUntil('both hosts trained', async () => logs.filter((l) => l.msg === 'trained').length === 2);
    const lines = [
      ...(await insertLines(bed.input, 'syslog', newLines('steady', 20, 10, new Rng(1), 'crash'))),
      ...(await insertLines(bed.input, 'syslog', newLines('crashy', 20, 10, new Rng(2), 'crash'))),
    ];
    const incidents = lines.filter((l) => l.incident);
    await waitUntil('incidents of both hosts written', async () => {
      const docs = await bed.target.collection('anomaly').find().toArray();
      return incidents.every((i) => docs.some((d) => String(d.Message).includes(i.incident!)));
    });
    const crash = logs.find((l) => l.msg === 'poll failed; will retry');
    expect(crash, 'the crash is logged').to.not.equal(undefined);
    expect(crash!.host).to.equal('crashy');
    // Only the crashed task failed: no other host saw an error.
    expect(logs.filter((l) => l.level === 50 && l.host !== 'crashy')).to.deep.equal([]);
    expect(supervisor.stats.workerCrashes).to.equal(1);
    const docs = await bed.target.collection('anomaly').find().toArray();
    for (const i of incidents) expect(docs.filter((d) => String(d.Message).includes(i.incident!))).to.have.length(1);
  });

  it('keeps scoring trained hosts while another host trains (one thread each)', async () => {
    const { dir, logs, config, supervisor } = startSupervisor(['steady'], 'slow-train');
    await waitUntil('steady trained', async () => logs.some((l) => l.msg === 'trained' && l.host === 'steady'));
    // "slow" comes after steady has trained: both would queue for the one training thread, and
    // which comes first depended on how fast each host's start-up queries answered.
    supervisor.reload(config(['steady', 'slow']));
    await waitUntil('slow training', async () => logs.some((l) => l.msg === 'training scheduled' && l.host === 'slow'));
    const lines = await insertLines(bed.input, 'syslog', newLines('steady', 20, 10, new Rng(3), 'busy'));
    const incidents = lines.filter((l) => l.incident);
    await waitUntil('incidents of steady written while slow trains', async () => {
      const docs = await bed.target.collection('anomaly').find().toArray();
      return incidents.every((i) => docs.some((d) => String(d.Message).includes(i.incident!)));
    });
    expect(logs.some((l) => l.msg === 'trained' && l.host === 'slow'), 'slow must still be training').to.equal(false);
    writeFileSync(join(dir, 'syslog', 'slow.model.release'), 'go');
    await waitUntil('slow trained after release', async () => logs.some((l) => l.msg === 'trained' && l.host === 'slow')).catch((err: Error) => {
      throw new Error(`${err.message}; logs: ${JSON.stringify(logs.slice(-8))}`);
    });
  });

  it('retrains only on lines already scored, so lines waiting are judged by a model that never saw them', async () => {
    const { dir, logs } = startSupervisor(['steady'], 'hold-scoring', 'RETRAIN_CRON: "*/2 * * * * *"\n');
    await waitUntil('steady trained', async () => logs.some((l) => l.msg === 'trained' && l.host === 'steady'));
    const hold = join(dir, 'syslog', 'steady.model.hold');
    writeFileSync(hold, 'x');
    // Lines inserted while a poll that began before the hold is still reading would be scored.
    await waitUntil('a poll refused', async () => existsSync(`${hold.slice(0, -'.hold'.length)}.held`));
    const lines = await insertLines(bed.input, 'syslog', newLines('steady', 60, 10, new Rng(4), 'held'));
    const trainedBefore = logs.filter((l) => l.msg === 'trained').length;
    await waitUntil('a scheduled retraining while lines wait', async () => logs.filter((l) => l.msg === 'trained').length >= trainedBefore + 1);
    const retrained = logs.filter((l) => l.msg === 'trained').at(-1)!;
    // Everything already scored, none of the 60 waiting lines.
    const stored = await bed.input.collection('syslog').countDocuments({ Hostname: 'steady' });
    expect(retrained.lines).to.equal(stored - 60);
    rmSync(hold);
    const incidents = lines.filter((l) => l.incident);
    await waitUntil('the waiting incidents are written', async () => {
      const docs = await bed.target.collection('anomaly').find().toArray();
      return incidents.every((i) => docs.some((d) => String(d.Message).includes(i.incident!)));
    });
  });
});
