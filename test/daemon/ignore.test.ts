import { expect } from 'chai';
import { Rng, routineLine } from '../support/log-lines.js';
import { useTestBed } from '../support/test-bed.js';
import { insertLines, seedHistory, waitUntil } from '../support/seed.js';

// An operator silences a benign message by pattern (its values differ on every line), not by
// exact string; everything else is still written.
describe('daemon: IGNORE keeps matching lines out of the target', function () {
  this.timeout(180_000);
  const bed = useTestBed('ignore', async (b) => {
    await seedHistory(b.input, 'syslog', ['web1'], 400, new Rng(5));
  });

  it('writes the anomalies that match no IGNORE pattern and none of those that match one', async () => {
    const config = (sourceIgnore: string): string => `POLL_INTERVAL_SECONDS: 0.2
MIN_TRAINING_LINES: 50
IGNORE: ["^backupd\\\\[\\\\d+\\\\]: snapshot .* failed: target busy"]
LOG_SOURCES:
  "syslog":
    HOSTNAMES: ["web1"]
    MG_TARGET_COL: "syslog_anomaly"
    IGNORE: ${sourceIgnore}
`;
    const { file } = bed.writeConfig(config('["nightly-report"]'));
    const daemon = bed.startDaemon(file);
    await daemon.waitForCount('trained', 1);
    const rng = new Rng(8);
    const lines: Array<{ host: string; message: string; incident: string | null }> = [];
    for (let i = 0; i < 6; i++) {
      for (let k = 0; k < 15; k++) lines.push({ host: 'web1', message: routineLine(rng), incident: null });
      lines.push({ host: 'web1', message: `backupd[${700 + i}]: snapshot vol${i} failed: target busy, error 16`, incident: null });
      lines.push({ host: 'web1', message: `kernel: Out of memory: Killed process ${9000 + i} (nightly-report) total-vm:${5000 + i}kB`, incident: null });
      lines.push({ host: 'web1', message: `kernel: Out of memory: Killed process ${9100 + i} (postgres) total-vm:${6000 + i}kB`, incident: `oom${i}` });
    }
    await insertLines(bed.input, 'syslog', lines);
    const target = bed.target.collection('syslog_anomaly');
    await waitUntil('the last incident is written', async () => (await target.countDocuments({ Message: { $regex: 'process 9105 ' } })) === 1);
    const messages = (await target.find().toArray()).map((d) => String(d.Message));
    expect(messages.filter((m) => m.includes('(postgres)'))).to.have.length(6);
    expect(messages.filter((m) => m.startsWith('backupd'))).to.deep.equal([]);
    expect(messages.filter((m) => m.includes('nightly-report'))).to.deep.equal([]);

    // A reload that drops the source's pattern applies to the next batch, without retraining.
    bed.writeConfig(config('[]'), file);
    daemon.signal('SIGHUP');
    await daemon.waitForCount('configuration reloaded', 1);
    await insertLines(bed.input, 'syslog', [
      { host: 'web1', message: 'kernel: Out of memory: Killed process 9300 (nightly-report) total-vm:7000kB', incident: null },
      { host: 'web1', message: 'backupd[800]: snapshot vol9 failed: target busy, error 16', incident: null },
      { host: 'web1', message: 'kernel: Out of memory: Killed process 9400 (postgres) total-vm:7100kB', incident: 'last' },
    ]);
    await waitUntil('the incident after the reload is written', async () => (await target.countDocuments({ Message: { $regex: 'process 9400 ' } })) === 1);
    const after = (await target.find().toArray()).map((d) => String(d.Message));
    expect(after.filter((m) => m.includes('nightly-report'))).to.have.length(1);
    expect(after.filter((m) => m.startsWith('backupd'))).to.deep.equal([]);
    expect(daemon.count('trained')).to.equal(1);
    await daemon.stop('SIGTERM');
  });
});
