// LEVEL_FIELD: a collector that stores each line's severity in a field of its own (rsyslog's
// `syslog_sever`, a `level` string) leaves the message without it. With the key set, the model
// reads the level word in front of the message, as a header would write it: the host's routine
// message logged at error severity is flagged, the same text at its usual severity is not; the
// anomaly document copies the field; a model trained otherwise is retrained.
import { expect } from 'chai';
import { join } from 'node:path';
import { Rng, incidentLine } from '../support/log-lines.js';
import { useTestBed } from '../support/test-bed.js';
import { seedHistory, waitUntil, type DocShape } from '../support/seed.js';
import { modelFilePath, readModelHeader } from '../../src/store/model-files.js';

const atInfo: DocShape = (host, message, at) => ({ Hostname: host, Message: message, timestamp: at, severity: 6 });
const atNoLevel: DocShape = (host, message, at) => ({ Hostname: host, Message: message, timestamp: at, severity: 'loud' });

describe('LEVEL_FIELD', function () {
  this.timeout(120_000);
  const bed = useTestBed('level', async (b) => {
    await seedHistory(b.input, 'syslog', ['sev', 'calm'], 300, new Rng(71), 30, atInfo);
    await seedHistory(b.input, 'syslog', ['odd'], 300, new Rng(72), 30, atNoLevel);
  });
  const noLevels = 'most training lines have no level in LEVEL_FIELD (the field is missing, or holds no level word or number): the model reads them without one';

  it('scores a routine message at error severity as an anomaly with its level copied, and retrains when the key changes', async () => {
    // Two hosts of one collection: their caught-up polls share reads (shared-reads.ts).
    const { file, dir } = bed.writeSourceConfig(['sev', 'calm'], { extra: 'LEVEL_FIELD: "severity"\n' });
    const daemon = bed.startDaemon(file);
    await daemon.waitForCount('trained', 2);
    const models = join(dir, 'models');
    expect((await readModelHeader(modelFilePath(models, 'syslog', 'sev')))!.levelField).to.equal('severity');
    expect(daemon.count(noLevels)).to.equal(0);

    // A message the host writes all the time, once at its usual severity and once at severity 3 (err).
    const routine = (await bed.input.collection('syslog').findOne({ Hostname: 'sev' }, { sort: { _id: -1 } }))!.Message as string;
    const now = new Date();
    const ids = (
      await bed.input.collection('syslog').insertMany([
        { Hostname: 'sev', Message: routine, timestamp: now, severity: 6 },
        { Hostname: 'sev', Message: routine, timestamp: now, severity: 3 },
        { Hostname: 'sev', Message: routine, timestamp: now, severity: 6 },
      ])
    ).insertedIds;
    // An incident after them: once it is written, the three lines before it have been scored.
    const marker = await bed.input.collection('syslog').insertOne({ Hostname: 'sev', Message: incidentLine(new Rng(5), 'levelxafter'), timestamp: new Date(), severity: 6 });
    const target = bed.target.collection('anomaly');
    await waitUntil('the incident after them is written', async () => (await target.countDocuments({ input_id: marker.insertedId })) === 1);
    const doc = await target.findOne({ input_id: ids[1] });
    expect(doc, 'the routine message at error severity').to.not.equal(null);
    expect(doc!.severity).to.equal(3);
    expect(doc!.Message).to.equal(routine);
    expect(doc!.reasons).to.include('error_terms');
    // Its twins at the usual severity are routine.
    expect(await target.countDocuments({ input_id: { $in: [ids[0], ids[2]] } })).to.equal(0);
    expect((await daemon.stop('SIGTERM')).code).to.equal(0);

    // Started again without the key: the model read levels, so a training without them follows.
    bed.writeConfig(`POLL_INTERVAL_SECONDS: 0.2\nMIN_TRAINING_LINES: 50\nLOG_SOURCES:\n  syslog:\n    HOSTNAMES: ["sev", "calm"]\n    MG_TARGET_COL: "anomaly"\n`, file);
    const again = bed.startDaemon(file);
    const scheduled = await again.waitForLog((l) => l.msg === 'training scheduled', 60_000, 'training scheduled');
    expect(scheduled.reason).to.equal('LEVEL_FIELD changed since the model was trained');
    await again.waitForCount('trained', 2);
    expect((await readModelHeader(modelFilePath(models, 'syslog', 'sev')))!.levelField).to.equal('');
    expect((await again.stop('SIGTERM')).code).to.equal(0);
  });

  it('warns when most training lines have no level in the field, with values that named none', async () => {
    const misspelt = bed.startDaemon(bed.writeSourceConfig(['calm'], { extra: 'LEVEL_FIELD: "sevrity"\n' }).file);
    const missing = await misspelt.waitForLog((l) => l.msg === noLevels, 60_000, 'the warning of a misspelt field');
    expect(missing).to.include({ levelField: 'sevrity', withoutLevel: missing.lines });
    expect(missing).to.not.have.property('valuesNamingNoLevel');
    expect((await misspelt.stop('SIGTERM')).code).to.equal(0);

    const odd = bed.startDaemon(bed.writeSourceConfig(['odd'], { extra: 'LEVEL_FIELD: "severity"\n' }).file);
    const unread = await odd.waitForLog((l) => l.msg === noLevels, 60_000, 'the warning of values naming no level');
    expect(unread).to.include({ levelField: 'severity', withoutLevel: 300, lines: 300 });
    expect(unread.valuesNamingNoLevel).to.deep.equal(['loud']);
    expect((await odd.stop('SIGTERM')).code).to.equal(0);
  });
});
