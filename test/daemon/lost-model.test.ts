// A model file lost (or corrupt, or of an older format) while lines kept arriving: the host is
// retrained from the lines it had already scored, not from the backlog it is about to score, so
// the incidents in that backlog are still flagged.
import { expect } from 'chai';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { Rng } from '../support/log-lines.js';
import { useTestBed } from '../support/test-bed.js';
import { insertLines, newLines, seedHistory, waitUntil } from '../support/seed.js';

describe('daemon restart with a lost model file and a backlog', function () {
  this.timeout(240_000);
  const bed = useTestBed('lostmodel', async (b) => {
    await seedHistory(b.input, 'syslog', ['alpha'], 300, new Rng(21));
  });

  it('retrains up to the checkpoint and flags the incidents of the backlog', async () => {
    const { file, dir } = bed.writeConfig(
      `POLL_INTERVAL_SECONDS: 0.1
MIN_TRAINING_LINES: 50
LOG_SOURCES:
  "syslog":
    HOSTNAMES: ["alpha"]
    MG_TARGET_COL: "alpha_anomaly"
`,
    );
    let d = await bed.startedDaemon(file);
    await d.waitForCount('trained', 1);
    expect((await d.stop('SIGTERM')).code).to.equal(0);

    // While the daemon is down: a backlog with incidents, and the model file goes missing.
    const backlog = newLines('alpha', 300, 20, new Rng(8), 'lost');
    const inserted = await insertLines(bed.input, 'syslog', backlog);
    const incidents = inserted.filter((l) => l.incident);
    expect(incidents).to.have.length(15);
    rmSync(join(dir, 'models', 'syslog', 'alpha.model'));

    d = await bed.startedDaemon(file);
    const trained = await d.waitForLog((l) => l.msg === 'trained', 60_000, 'trained');
    expect(trained.lines, 'trained on the 300 scored lines only').to.equal(300);
    await waitUntil('the backlog is scored', async () => {
      const state = await bed.target.collection('anomaly_detector_state').findOne({ host: 'alpha' });
      return String(state?.last_id) === String(inserted[inserted.length - 1]!.id);
    }, 90_000);
    const docs = await bed.target.collection('alpha_anomaly').find().toArray();
    const missed = incidents.filter((i) => !docs.some((doc) => String(doc.Message).includes(i.incident!)));
    expect(missed.map((i) => i.incident)).to.deep.equal([]);
    expect((await d.stop('SIGTERM')).code).to.equal(0);
  });
});
