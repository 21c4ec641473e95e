// SIGHUP re-reads the config: added hosts start, removed hosts stop, thresholds apply to new
// lines; an invalid file is refused and the running configuration stays in force.
import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { Rng } from '../support/log-lines.js';
import { useTestBed } from '../support/test-bed.js';
import { insertLines, newLines, seedHistory, waitUntil } from '../support/seed.js';

describe('daemon reload on SIGHUP', function () {
  this.timeout(180_000);
  const bed = useTestBed('rl', async (b) => {
    await seedHistory(b.input, 'syslog', ['one', 'two', 'three'], 300, new Rng(31));
    await seedHistory(b.input, 'apps', ['svc'], 300, new Rng(32));
  });

  const body = (hosts: string[], extra = ''): string => `POLL_INTERVAL_SECONDS: 0.2
MIN_TRAINING_LINES: 50
LOG_SOURCES:
  "syslog":
    HOSTNAMES: ${JSON.stringify(hosts)}
    MG_TARGET_COL: "anomaly"
${extra}`;

  async function incidentsWritten(host: string, tag: string): Promise<void> {
    const lines = await insertLines(bed.input, 'syslog', newLines(host, 20, 10, new Rng(tag.length), tag));
    const incidents = lines.filter((l) => l.incident);
    await waitUntil(`incidents of ${host} (${tag}) are written`, async () => {
      const docs = await bed.target.collection('anomaly').find({ Hostname: host }).toArray();
      return incidents.every((i) => docs.some((d) => String(d.Message).includes(i.incident!)));
    });
  }

  it('adds a host, refuses an invalid file while staying in force, removes a host and applies a new threshold', async () => {
    const { file } = bed.writeConfig(body(['one'], 'MAX_TRAINING_LINES: 250\n'));
    const daemon = bed.startDaemon(file);
    await daemon.waitForCount('trained', 1);
    expect(daemon.logs.find((l) => l.msg === 'trained')!.lines, 'MAX_TRAINING_LINES bounds training').to.equal(250);
    await incidentsWritten('one', 'a');

    // Add host "two".
    bed.writeConfig(body(['one', 'two'], 'MAX_TRAINING_LINES: 250\n'), file);
    daemon.signal('SIGHUP');
    await daemon.waitForCount('configuration reloaded', 1);
    // WORKERS is not set: the pool size follows the host count, and the running pool is kept.
    expect(daemon.logs.find((l) => l.msg === 'configuration reloaded')).to.deep.include({ hosts: 2, needRestart: [] });
    await daemon.waitForCount('trained', 2);
    expect(daemon.logs.filter((l) => l.msg === 'trained').map((l) => l.host)).to.deep.equal(['one', 'two']);
    await incidentsWritten('two', 'b');

    // An invalid file is refused; both hosts keep working.
    bed.writeConfig(body(['one', 'two'], 'THRESHOLD: "high"\n'), file);
    daemon.signal('SIGHUP');
    const refused = await daemon.waitForLog((l) => l.msg.startsWith('reload refused'), 10_000, 'reload refused');
    expect(JSON.stringify(refused.problems)).to.include('THRESHOLD');
    await incidentsWritten('one', 'cc');
    await incidentsWritten('two', 'dd');

    // A file valid on its own whose target is the running STATE_COLLECTION (which a reload keeps):
    // refused too, and no anomaly lands among the checkpoints.
    bed.writeConfig(body(['one', 'two'], 'STATE_COLLECTION: "st2"\n').replace('MG_TARGET_COL: "anomaly"', 'MG_TARGET_COL: "anomaly_detector_state"'), file);
    daemon.signal('SIGHUP');
    const collides = await daemon.waitForLog(
      (l) => l.msg.startsWith('reload refused') && JSON.stringify(l.problems).includes('is the STATE_COLLECTION'),
      10_000,
      'reload refused: the target is the running state collection',
    );
    expect(JSON.stringify(collides.problems)).to.include('LOG_SOURCES.syslog.MG_TARGET_COL');
    await incidentsWritten('one', 'ee');
    expect(await bed.target.collection('anomaly_detector_state').countDocuments({ anomaly_score: { $exists: true } })).to.equal(0);

    // Remove "one" and set threshold 0 (every line of "two" becomes a target document).
    bed.writeConfig(body(['two'], 'THRESHOLD: 0\n'), file);
    daemon.signal('SIGHUP');
    await daemon.waitForCount('configuration reloaded', 2);
    await daemon.waitForLog((l) => l.msg === 'host removed from configuration; stopped' && l.host === 'one', 10_000, 'host one stopped');
    const beforeOne = await bed.target.collection('anomaly').countDocuments({ Hostname: 'one' });
    await insertLines(bed.input, 'syslog', newLines('one', 10, 5, new Rng(1), 'gone'));
    const routineTwo = await insertLines(bed.input, 'syslog', newLines('two', 10, 0, new Rng(2), 'all'));
    await waitUntil('every new line of two is written at threshold 0', async () => {
      const n = await bed.target.collection('anomaly').countDocuments({ input_id: { $in: routineTwo.map((l) => l.id) } });
      return n === routineTwo.length;
    });
    await new Promise((r) => setTimeout(r, 800));
    expect(await bed.target.collection('anomaly').countDocuments({ Hostname: 'one' })).to.equal(beforeOne);
    expect((await daemon.stop('SIGTERM')).code).to.equal(0);
  });

  it('holds a SIGHUP that comes while it starts, and reloads once started', async () => {
    // `systemctl start` then `reload`: the signal can come before the daemon set up its handler.
    // It died of it (exit by SIGHUP), which systemd counts a clean exit and does not restart.
    const { file } = bed.writeConfig(body(['one']));
    const daemon = bed.startDaemon(file);
    const caught = (): boolean => {
      try {
        const status = readFileSync(`/proc/${daemon.pid}/status`, 'utf8');
        const mask = /^SigCgt:\s*([0-9a-f]+)$/m.exec(status)?.[1] ?? '0';
        return (BigInt(`0x${mask}`) & 1n) === 1n; // bit 0: signal 1, SIGHUP
      } catch {
        return false;
      }
    };
    const deadline = Date.now() + 30_000;
    while (!caught()) {
      if (Date.now() > deadline) throw new Error('the daemon never caught SIGHUP');
      await new Promise((r) => setTimeout(r, 2));
    }
    expect(daemon.count('starting'), 'SIGHUP is caught before the daemon loads its modules and starts').to.equal(0);
    bed.writeConfig(body(['one', 'two']), file);
    daemon.signal('SIGHUP');
    const reloaded = await daemon.waitForLog((l) => l.msg === 'configuration reloaded', 60_000, 'configuration reloaded');
    expect(reloaded).to.deep.include({ hosts: 2 });
    await daemon.waitForCount('trained', 2);
    expect((await daemon.stop('SIGTERM')).code).to.equal(0);
  });

  it('creates the unique index of a target collection added by a reload before writing to it', async () => {
    const first = `POLL_INTERVAL_SECONDS: 0.2
MIN_TRAINING_LINES: 50
LOG_SOURCES:
  "syslog":
    HOSTNAMES: ["three"]
    MG_TARGET_COL: "three_anomaly"
`;
    const { file } = bed.writeConfig(first);
    const daemon = bed.startDaemon(file);
    await daemon.waitForCount('trained', 1);
    bed.writeConfig(`${first}  "apps":\n    HOSTNAMES: ["svc"]\n    MG_TARGET_COL: "apps_anomaly"\n`, file);
    daemon.signal('SIGHUP');
    await daemon.waitForCount('trained', 2);
    const indexes = await bed.target.collection('apps_anomaly').indexes();
    expect(indexes.find((i) => i.unique)?.key).to.deep.equal({ source: 1, input_id: 1 });
    const lines = await insertLines(bed.input, 'apps', newLines('svc', 20, 10, new Rng(9), 'newtarget'));
    const incidents = lines.filter((l) => l.incident);
    await waitUntil('incidents of the new source are written', async () => {
      const docs = await bed.target.collection('apps_anomaly').find().toArray();
      return incidents.every((i) => docs.filter((d) => String(d.Message).includes(i.incident!)).length === 1);
    });
    expect((await daemon.stop('SIGTERM')).code).to.equal(0);
  });
});
