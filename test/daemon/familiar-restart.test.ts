import { expect } from 'chai';
import { Rng, incidentLine, routineLine } from '../support/log-lines.js';
import type { DaemonProcess } from '../support/daemon-process.js';
import { FAMILIAR_CONFIG, deployedLine, useFamiliarBed } from '../support/familiar-stream.js';
import { insertLines, waitUntil } from '../support/seed.js';

// The familiarity log is saved with the checkpoint: a daemon killed while a new message is
// fading goes on from where the last batch left off, instead of flagging the message again.
// A saved log that belongs to another model is not taken.
describe('daemon: what has become familiar survives a restart', function () {
  this.timeout(240_000);
  const bed = useFamiliarBed('famrs');

  it('keeps fading a new message across a kill, and starts over for another model', async () => {
    const { file } = bed.writeConfig(FAMILIAR_CONFIG);
    const target = bed.target.collection('syslog_anomaly');
    const state = bed.target.collection('anomaly_detector_state');
    const rng = new Rng(17);
    let round = 0;
    /** `rounds` rounds of routine lines with one line of the new message each, then an incident marking the end. */
    const phase = async (rounds: number, marker: string): Promise<string[]> => {
      const lines: Array<{ host: string; message: string; incident: string | null }> = [];
      const news: string[] = [];
      for (let i = 0; i < rounds; i++, round++) {
        for (let k = 0; k < 12; k++) lines.push({ host: 'web1', message: routineLine(rng), incident: null });
        news.push(deployedLine(round));
        lines.push({ host: 'web1', message: news[news.length - 1]!, incident: null });
      }
      lines.push({ host: 'web1', message: incidentLine(rng, marker), incident: marker });
      await insertLines(bed.input, 'syslog', lines);
      // Lines are scored in order: once the marker is written, every line before it was scored.
      await waitUntil(marker, async () => (await target.countDocuments({ Message: { $regex: marker } })) === 1);
      return news;
    };
    const flagged = async (messages: string[]): Promise<boolean[]> => {
      const docs = await target.find({ Message: { $in: messages } }).toArray();
      return messages.map((m) => docs.some((d) => d.Message === m));
    };
    const start = (): Promise<DaemonProcess> => bed.startedDaemon(file);

    let daemon = await start();
    await daemon.waitForCount('trained', 1);
    const first = await phase(16, 'incidentfamrsa');
    expect((await flagged(first))[0], 'the first line of the new message').to.equal(true);
    expect((await flagged(first)).slice(-4), 'faded before the kill').to.deep.equal([false, false, false, false]);
    const saved = await state.findOne({ host: 'web1' });
    expect(Object.keys(saved?.familiar?.entries ?? {}).length, 'the log is saved with the checkpoint').to.be.at.least(1);
    await daemon.stop('SIGKILL');

    daemon = await start();
    expect(daemon.count('trained'), 'the restart loads the same model').to.equal(0);
    const second = await phase(6, 'incidentfamrsb');
    expect(await flagged(second), 'after the restart the message is still familiar').to.deep.equal([false, false, false, false, false, false]);
    await daemon.stop('SIGKILL');

    // A log saved for another model version (a retraining happened meanwhile) is not taken.
    await state.updateOne({ host: 'web1' }, { $set: { 'familiar.model_version': 'another' } });
    daemon = await start();
    const third = await phase(2, 'incidentfamrsc');
    expect((await flagged(third))[0], 'a new log flags the message again').to.equal(true);
    await daemon.stop('SIGTERM');
  });
});
