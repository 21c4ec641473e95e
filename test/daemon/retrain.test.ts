// Scheduled retraining builds a new model while the old one keeps scoring, then swaps it in.
// THRESHOLD 0 writes every line, so "scored exactly once across the swaps" is checked line by
// line, independent of what the model thinks of a line (it fades an error the host writes on many
// occasions, and this stream repeats a few incident templates while retraining every 4 s).
import { expect } from 'chai';
import { Rng } from '../support/log-lines.js';
import { useTestBed } from '../support/test-bed.js';
import { insertLines, newLines, seedHistory, waitUntil, type Inserted } from '../support/seed.js';

describe('scheduled retraining', function () {
  this.timeout(120_000);
  const bed = useTestBed('rt', (b) => seedHistory(b.input, 'syslog', ['node7'], 300, new Rng(61)));

  it('retrains on RETRAIN_CRON, keeps scoring meanwhile and swaps to the new model version', async () => {
    const { file } = bed.writeConfig(`POLL_INTERVAL_SECONDS: 0.2
MIN_TRAINING_LINES: 50
RETRAIN_CRON: "*/4 * * * * *"
THRESHOLD: 0
LOG_SOURCES:
  "syslog":
    HOSTNAMES: ["node7"]
    MG_TARGET_COL: "anomaly"
`);
    const daemon = bed.startDaemon(file);
    await daemon.waitForCount('trained', 1);
    const rng = new Rng(8);
    const inserted: Inserted[] = [];
    // A steady stream across at least two scheduled retrainings.
    const until = Date.now() + 10_000;
    for (let i = 0; Date.now() < until; i++) {
      inserted.push(...(await insertLines(bed.input, 'syslog', newLines('node7', 10, 10, rng, `rt${i}`))));
      await new Promise((r) => setTimeout(r, 250));
    }
    const trained = daemon.logs.filter((l) => l.msg === 'trained');
    expect(trained.length).to.be.at.least(3);
    expect(daemon.logs.filter((l) => l.msg === 'training scheduled' && l.reason === 'schedule').length).to.be.at.least(2);
    await waitUntil('every line of the stream is written', async () => {
      return (await bed.target.collection('anomaly').countDocuments()) >= inserted.length;
    }).catch(async (err: Error) => {
      const n = await bed.target.collection('anomaly').countDocuments();
      throw new Error(`${err.message}; ${n} of ${inserted.length} written; logs: ${daemon.dump()}`);
    });
    await new Promise((r) => setTimeout(r, 500));
    const docs = await bed.target.collection('anomaly').find().toArray();
    expect(docs).to.have.length(inserted.length);
    const ids = new Set(docs.map((d) => String(d.input_id)));
    for (const l of inserted) expect(ids.has(String(l.id)), String(l.id)).to.equal(true);
    const versions = new Set(docs.map((d) => d.model_version as string));
    expect(versions.size, 'anomalies were scored by more than one model version').to.be.at.least(2);
    for (const v of versions) expect(trained.map((t) => t.modelVersion)).to.include(v);
    expect(daemon.count('poll failed; will retry')).to.equal(0);
    expect((await daemon.stop('SIGTERM')).code).to.equal(0);
  });
});
