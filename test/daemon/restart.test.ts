// A stop in the middle of a stream of inserts, then a start: nothing skipped, nothing twice.
// One host runs with THRESHOLD 0 so every line becomes a target document: that makes
// "no line lost, no line duplicated" checkable line by line.
import { expect } from 'chai';
import type { DaemonProcess } from '../support/daemon-process.js';
import { Rng } from '../support/log-lines.js';
import { useTestBed } from '../support/test-bed.js';
import { insertLines, newLines, seedHistory, waitUntil, type Inserted } from '../support/seed.js';

for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
  describe(`daemon restart after ${signal} in the middle of a stream`, function () {
    this.timeout(240_000);
    const bed = useTestBed(`rs_${signal}`, async (b) => {
      const rng = new Rng(11);
      await seedHistory(b.input, 'syslog', ['alpha'], 300, rng);
      await seedHistory(b.input, 'everything', ['beta'], 300, rng);
    });

    it('writes every incident exactly once and scores every line', async () => {
      const { file } = bed.writeConfig(
        `POLL_INTERVAL_SECONDS: 0.1
BATCH_SIZE: 25
MIN_TRAINING_LINES: 50
LOG_SOURCES:
  "syslog":
    HOSTNAMES: ["alpha"]
    MG_TARGET_COL: "alpha_anomaly"
  "everything":
    HOSTNAMES: ["beta"]
    MG_TARGET_COL: "all_lines"
    THRESHOLD: 0
`,
      );
      const start = (): Promise<DaemonProcess> => bed.startedDaemon(file);
      let d = await start();
      await d.waitForCount('trained', 2);

      const rng = new Rng(5);
      const alpha = newLines('alpha', 600, 40, rng, signal);
      const beta = newLines('beta', 600, 0, rng, signal);
      const inserted: Inserted[] = [];
      const insertedBeta: Inserted[] = [];
      for (let i = 0; i < 600; i += 20) {
        inserted.push(...(await insertLines(bed.input, 'syslog', alpha.slice(i, i + 20))));
        insertedBeta.push(...(await insertLines(bed.input, 'everything', beta.slice(i, i + 20))));
        if (i === 200) {
          const exit = await d.stop(signal);
          if (signal === 'SIGTERM') expect(exit.code).to.equal(0);
          d = await start();
          expect(d.count('trained'), 'restart must load the models from disk, not retrain').to.equal(0);
        }
        await new Promise((r) => setTimeout(r, 30));
      }

      const incidents = inserted.filter((l) => l.incident);
      expect(incidents).to.have.length(15);
      await waitUntil('every beta line is in the target', async () => (await bed.target.collection('all_lines').countDocuments()) >= 600, 90_000);
      await waitUntil('every incident is written', async () => {
        const docs = await bed.target.collection('alpha_anomaly').find().toArray();
        return incidents.every((i) => docs.some((doc) => String(doc.Message).includes(i.incident!)));
      }, 90_000);
      await new Promise((r) => setTimeout(r, 1000));

      const alphaDocs = await bed.target.collection('alpha_anomaly').find().toArray();
      for (const inc of incidents) {
        expect(alphaDocs.filter((doc) => String(doc.Message).includes(inc.incident!)), inc.incident!).to.have.length(1);
      }
      const betaDocs = await bed.target.collection('all_lines').find().toArray();
      expect(betaDocs).to.have.length(600);
      const ids = new Set(betaDocs.map((doc) => String(doc.input_id)));
      expect(ids.size).to.equal(600);
      for (const l of insertedBeta) expect(ids.has(String(l.id))).to.equal(true);

      const state = await bed.target.collection('anomaly_detector_state').find().toArray();
      const alphaState = state.find((s) => s.host === 'alpha')!;
      expect(String(alphaState.last_id)).to.equal(String(inserted[inserted.length - 1].id));
      // A batch cut off by SIGKILL after its write is read again, so lines can be scored twice, never zero times.
      expect(alphaState.lines_scored).to.be.at.least(600);
      if (signal === 'SIGTERM') expect(state.find((s) => s.host === 'beta')!.lines_scored).to.equal(600);

      const exit = await d.stop('SIGTERM');
      expect(exit.code).to.equal(0);
    });
  });
}

describe('a batch read again after its anomalies were written', function () {
  this.timeout(120_000);
  const bed = useTestBed('rs_count', (b) => seedHistory(b.input, 'syslog', ['gamma'], 300, new Rng(13)));

  it('logs only the anomaly documents it writes, and the state document counts every anomaly up to the checkpoint', async () => {
    const { file } = bed.writeConfig(`POLL_INTERVAL_SECONDS: 0.1
MIN_TRAINING_LINES: 50
LOG_SOURCES:
  "syslog":
    HOSTNAMES: ["gamma"]
    MG_TARGET_COL: "all_lines"
    THRESHOLD: 0
`);
    let d = await bed.startedDaemon(file);
    await d.waitForCount('trained', 1);
    const state = bed.target.collection('anomaly_detector_state');
    await waitUntil('checkpoint saved', async () => (await state.findOne({ host: 'gamma' })) !== null);
    expect((await d.stop('SIGTERM')).code).to.equal(0);

    // As after a crash between the write of a batch and the move of its checkpoint: some of the
    // lines after the checkpoint already have their anomaly document.
    const inserted = await insertLines(bed.input, 'syslog', newLines('gamma', 30, 0, new Rng(14), 'again'));
    await bed.target.collection('all_lines').insertMany(inserted.slice(0, 10).map((l) => ({ source: 'syslog', input_id: l.id, earlier: true })));

    d = await bed.startedDaemon(file);
    await waitUntil('checkpoint at the last line', async () => String((await state.findOne({ host: 'gamma' }))?.last_id) === String(inserted[29].id));
    expect(await bed.target.collection('all_lines').countDocuments()).to.equal(30);
    // The 10 found in place were written by a try whose checkpoint never moved, so never counted there.
    expect((await state.findOne({ host: 'gamma' }))!.anomalies).to.equal(30);
    const logged = (): number => d.logs.filter((l) => l.msg === 'anomalies written').reduce((n, l) => n + Number(l.anomalies), 0);
    // Logged once the batch's result is back from its scoring thread, which moved the checkpoint first.
    await waitUntil('the writes logged', async () => logged() >= 20, 10_000);
    expect((await d.stop('SIGTERM')).code).to.equal(0);
    expect(logged()).to.equal(20);
  });
});
