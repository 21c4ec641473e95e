import { expect } from 'chai';
import { Rng, incidentLine, routineLine } from '../support/log-lines.js';
import { FAMILIAR_CONFIG, deployedLine, useFamiliarBed } from '../support/familiar-stream.js';
import { insertLines, waitUntil } from '../support/seed.js';

// Between two retrainings a deployment adds a message the history never held. The daemon flags
// its first lines, then lets it fade as it keeps coming back, batch after batch; incidents stay
// flagged however often they recur.
describe('daemon: a new routine message fades between retrainings, incidents do not', function () {
  this.timeout(180_000);
  const bed = useFamiliarBed('familiar');

  it('flags the first lines of a new message and not its later ones, across batches', async () => {
    const { file } = bed.writeConfig(FAMILIAR_CONFIG);
    const daemon = bed.startDaemon(file);
    await daemon.waitForCount('trained', 1);
    const rng = new Rng(17);
    const lines: Array<{ host: string; message: string; incident: string | null }> = [];
    const ROUNDS = 24;
    for (let i = 0; i < ROUNDS; i++) {
      for (let k = 0; k < 12; k++) lines.push({ host: 'web1', message: routineLine(rng), incident: null });
      lines.push({ host: 'web1', message: deployedLine(i), incident: null });
      if (i % 6 === 5) {
        const marker = `incidentfamx${i}`;
        lines.push({ host: 'web1', message: incidentLine(rng, marker), incident: marker });
      }
    }
    const last = 'incidentfamxlast';
    lines.push({ host: 'web1', message: incidentLine(rng, last), incident: last });
    await insertLines(bed.input, 'syslog', lines);
    const target = bed.target.collection('syslog_anomaly');
    // Lines are scored in order: once the last incident is written, every line before it was scored.
    await waitUntil('the last incident is written', async () => (await target.countDocuments({ Message: { $regex: last } })) === 1);

    const docs = await target.find().toArray();
    const flagged = (m: string): boolean => docs.some((d) => d.Message === m);
    const rounds = lines.filter((l) => l.message.includes('rebuilt search shard')).map((l) => flagged(l.message));
    expect(rounds[0], 'the first line of the new message').to.equal(true);
    expect(rounds.slice(-6), 'its last six rounds').to.deep.equal([false, false, false, false, false, false]);
    for (const l of lines.filter((x) => x.incident !== null)) expect(flagged(l.message), l.incident!).to.equal(true);
    // More than one batch was needed, so the familiarity carried over from batch to batch.
    expect(lines.length).to.be.greaterThan(10 * 25);
    await daemon.stop('SIGTERM');
  });
});
