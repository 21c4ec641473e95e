// The familiarity log saved with the checkpoint, against the real server: a batch writes only
// the entries it changed, and falls back to writing the whole log whenever the saved one is not
// the one the change was made against.
import { expect } from 'chai';
import type { FamiliarityEntry, FamiliarityState } from '../../src/model/familiarity.js';
import { checkpointKey, loadCheckpoint, saveCheckpoint, savedFamiliarity, type CheckpointDoc } from '../../src/mongo/checkpoints.js';
import { useTestBed } from '../support/test-bed.js';

function entry(key: number, last: number): FamiliarityEntry {
  return { key, last, routine: 1, run: 1, seen: [key * 10] };
}

const COUNTS = { scored: 5, anomalies: 1, skipped: 0 };

describe('familiarity log saved with the checkpoint', function () {
  this.timeout(60_000);
  const bed = useTestBed('famst', async () => undefined);
  const state = () => ({ db: bed.targetName, collection: 'anomaly_detector_state' });
  let host = 0;
  const next = (): string => `h${++host}`;
  const load = async (h: string, version = 'v1'): Promise<{ state: FamiliarityState; keyed: boolean } | null> =>
    savedFamiliarity(await loadCheckpoint(bed.client, state(), 'syslog', h), version);

  it('writes the whole log first, then only what each batch changed', async () => {
    const h = next();
    const s0 = { lines: 10, entries: [entry(1, 3), entry(2, 7)] };
    expect(await saveCheckpoint(bed.client, state(), 'syslog', h, 'a', COUNTS, { version: 'v1', full: s0 })).to.equal('full');
    expect(await load(h)).to.deep.equal({ state: s0, keyed: true });

    const s1 = { lines: 20, entries: [entry(2, 15), entry(3, 18)] };
    const change = { lines: 20, set: [entry(2, 15), entry(3, 18)], drop: [1] };
    const full = (): FamiliarityState => expect.fail('the change applies: the whole log is not needed');
    expect(await saveCheckpoint(bed.client, state(), 'syslog', h, 'b', COUNTS, { version: 'v1', since: 10, change, full })).to.equal('change');
    expect(await load(h)).to.deep.equal({ state: s1, keyed: true });

    // A batch of known lines: only the line count moves.
    const idle = { lines: 25, set: [], drop: [] };
    expect(await saveCheckpoint(bed.client, state(), 'syslog', h, 'c', COUNTS, { version: 'v1', since: 20, change: idle, full })).to.equal('change');
    const doc = (await loadCheckpoint(bed.client, state(), 'syslog', h))!;
    expect(doc).to.include({ last_id: 'c', lines_scored: 15, anomalies: 3 });
    expect(savedFamiliarity(doc, 'v1')).to.deep.equal({ state: { ...s1, lines: 25 }, keyed: true });
    expect(savedFamiliarity(doc, 'v2'), "another model's log is not taken").to.equal(null);
  });

  it('writes the whole log when the saved one moved on without it (a save whose reply was lost)', async () => {
    const h = next();
    await saveCheckpoint(bed.client, state(), 'syslog', h, 'a', COUNTS, { version: 'v1', full: { lines: 10, entries: [entry(1, 3)] } });
    // Applied, but the worker never heard back: it keeps its log of 10 lines and scores a retry.
    const lost = { lines: 20, set: [entry(4, 15)], drop: [] };
    await saveCheckpoint(bed.client, state(), 'syslog', h, 'b', COUNTS, { version: 'v1', since: 10, change: lost, full: () => expect.fail() });
    const retried = { lines: 18, entries: [entry(1, 3), entry(5, 12)] };
    const change = { lines: 18, set: [entry(5, 12)], drop: [] };
    expect(await saveCheckpoint(bed.client, state(), 'syslog', h, 'b', COUNTS, { version: 'v1', since: 10, change, full: () => retried })).to.equal('full');
    expect(await load(h), 'no entry of the lost save is left').to.deep.equal({ state: retried, keyed: true });
  });

  it('reads the layout of earlier versions, to be written whole once', async () => {
    const h = next();
    const old = { lines: 9, entries: [entry(7, 2), entry(8, 5)] };
    await bed.target.collection<CheckpointDoc>('anomaly_detector_state').insertOne({
      _id: checkpointKey('syslog', h),
      source: 'syslog',
      host: h,
      last_id: 'x',
      lines_scored: 9,
      anomalies: 0,
      skipped: 0,
      updated_at: new Date(),
      familiar: { model_version: 'v1', ...old },
    });
    expect(await load(h)).to.deep.equal({ state: old, keyed: false });
    const after = { lines: 12, entries: [entry(8, 5), entry(9, 10)] };
    expect(await saveCheckpoint(bed.client, state(), 'syslog', h, 'y', COUNTS, { version: 'v1', full: after })).to.equal('full');
    expect(await load(h)).to.deep.equal({ state: after, keyed: true });
  });

  it('refuses a keyed log whose field names disagree with its entries (edited by hand)', async () => {
    const h = next();
    await saveCheckpoint(bed.client, state(), 'syslog', h, 'a', COUNTS, { version: 'v1', full: { lines: 4, entries: [entry(1, 3)] } });
    await bed.target.collection('anomaly_detector_state').updateOne({ host: h }, { $set: { 'familiar.entries.k1.key': 2 } });
    expect(await load(h)).to.equal(null);
  });
});
