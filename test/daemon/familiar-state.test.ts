// The familiarity log saved with the checkpoint, against the real server: a batch writes only
// the entries it changed, and falls back to writing the whole log whenever the saved one is not
// the one the change was made against.
import { expect } from 'chai';
import type { FamiliarityChange, FamiliarityEntry, FamiliarityState } from '../../src/model/familiarity.js';
import { Binary } from 'mongodb';
import { checkpointKey, loadCheckpoint, packEntry, saveCheckpoint, savedFamiliarity, type CheckpointDoc, type FamiliarityUpdate } from '../../src/mongo/checkpoints.js';
import { useTestBed } from '../support/test-bed.js';

function entry(key: number, last: number): FamiliarityEntry {
  return { key, last, routine: 1, run: 1, seen: [key * 10] };
}

const COUNTS = { scored: 5, anomalies: 1, skipped: 0 };
const WRITER = 'famst-test';

/** A whole save as revision `rev`. */
function whole(rev: string, state: FamiliarityState, version = 'v1'): FamiliarityUpdate {
  return { version, rev, full: () => state, change: null };
}

/** A change of revision `since` saved as `rev`; `full` is what is written when it does not apply. */
function changed(since: string, rev: string, change: FamiliarityChange, full: () => FamiliarityState, version = 'v1'): FamiliarityUpdate {
  return { version, rev, full, change: { since, change } };
}

const notNeeded = (): FamiliarityState => expect.fail('the change applies: the whole log is not needed');

describe('familiarity log saved with the checkpoint', function () {
  this.timeout(60_000);
  const bed = useTestBed('famst', async () => undefined);
  const state = () => ({ db: bed.targetName, collection: 'anomaly_detector_state' });
  let host = 0;
  const next = (): string => `h${++host}`;
  const save = (h: string, lastId: string, update: FamiliarityUpdate): Promise<string> =>
    saveCheckpoint(bed.client, state(), 'syslog', h, WRITER, lastId, COUNTS, update);
  const load = async (h: string, version = 'v1'): Promise<{ state: FamiliarityState; rev: string | null } | null> =>
    savedFamiliarity(await loadCheckpoint(bed.client, state(), 'syslog', h), version);

  /** A state document holding `familiar` as an earlier version wrote it. */
  const insertWritten = (h: string, familiar: unknown) =>
    bed.target.collection<CheckpointDoc>('anomaly_detector_state').insertOne({
      _id: checkpointKey('syslog', h),
      source: 'syslog',
      host: h,
      last_id: 'x',
      lines_scored: 9,
      anomalies: 0,
      skipped: 0,
      updated_at: new Date(),
      familiar,
    });

  it('writes the whole log first, then only what each batch changed', async () => {
    const h = next();
    const s0 = { lines: 10, entries: [entry(1, 3), entry(2, 7)] };
    expect(await save(h, 'a', whole('r1', s0))).to.equal('full');
    expect(await load(h)).to.deep.equal({ state: s0, rev: 'r1' });

    const s1 = { lines: 20, entries: [entry(2, 15), entry(3, 18)] };
    expect(await save(h, 'b', changed('r1', 'r2', { lines: 20, set: [entry(2, 15), entry(3, 18)], drop: [1] }, notNeeded))).to.equal('change');
    expect(await load(h)).to.deep.equal({ state: s1, rev: 'r2' });

    // A batch of known lines: only the line count moves.
    expect(await save(h, 'c', changed('r2', 'r3', { lines: 25, set: [], drop: [] }, notNeeded))).to.equal('change');
    const doc = (await loadCheckpoint(bed.client, state(), 'syslog', h))!;
    expect(doc).to.include({ last_id: 'c', lines_scored: 15, anomalies: 3 });
    expect(savedFamiliarity(doc, 'v1')).to.deep.equal({ state: { ...s1, lines: 25 }, rev: 'r3' });
    expect(savedFamiliarity(doc, 'v2'), "another model's log is not taken").to.equal(null);
  });

  it('writes the whole log when the saved one moved on without it (a save whose reply was lost)', async () => {
    const h = next();
    await save(h, 'a', whole('r1', { lines: 10, entries: [entry(1, 3)] }));
    // Applied, but the worker never heard back: it keeps revision r1 and scores a retry.
    await save(h, 'b', changed('r1', 'r2', { lines: 20, set: [entry(4, 15)], drop: [] }, notNeeded));
    const retried = { lines: 18, entries: [entry(1, 3), entry(5, 12)] };
    expect(await save(h, 'b', changed('r1', 'r3', { lines: 18, set: [entry(5, 12)], drop: [] }, () => retried))).to.equal('full');
    expect(await load(h), 'no entry of the lost save is left').to.deep.equal({ state: retried, rev: 'r3' });
  });

  it("writes the whole log over another model's", async () => {
    const h = next();
    await save(h, 'a', whole('r1', { lines: 10, entries: [entry(1, 3)] }, 'v2'));
    const mine = { lines: 4, entries: [entry(6, 2)] };
    expect(await save(h, 'b', changed('r1', 'r2', { lines: 4, set: [entry(6, 2)], drop: [] }, () => mine))).to.equal('full');
    expect(await load(h)).to.deep.equal({ state: mine, rev: 'r2' });
    expect(await load(h, 'v2')).to.equal(null);
  });

  it('reads the layout of earlier versions, to be written whole once', async () => {
    const h = next();
    const old = { lines: 9, entries: [entry(7, 2), entry(8, 5)] };
    await insertWritten(h, { model_version: 'v1', ...old });
    expect(await load(h)).to.deep.equal({ state: old, rev: null });
    const after = { lines: 12, entries: [entry(8, 5), entry(9, 10)] };
    expect(await save(h, 'y', whole('r1', after))).to.equal('full');
    expect(await load(h)).to.deep.equal({ state: after, rev: 'r1' });
  });

  it('stores each entry as one packed value, whole or changed', async () => {
    const h = next();
    const many = { key: 5, last: 3, routine: 2, run: 1, seen: [1_700_000_000_123, 0.5, 42] };
    await save(h, 'a', whole('r1', { lines: 4, entries: [entry(1, 3), many] }));
    await save(h, 'b', changed('r1', 'r2', { lines: 9, set: [entry(6, 8)], drop: [] }, notNeeded));
    const raw = (await bed.target.collection('anomaly_detector_state').findOne({ host: h }))!;
    const entries = raw.familiar.entries as Record<string, unknown>;
    expect(Object.keys(entries)).to.deep.equal(['k1', 'k5', 'k6']);
    for (const v of Object.values(entries)) expect(v).to.be.instanceOf(Binary);
    expect(await load(h)).to.deep.equal({ state: { lines: 9, entries: [entry(1, 3), many, entry(6, 8)] }, rev: 'r2' });
  });

  it('reads entries kept as subdocuments by the last version, and changes them entry by entry', async () => {
    const h = next();
    await insertWritten(h, { model_version: 'v1', rev: 'r0', lines: 9, entries: { k7: entry(7, 2), k8: entry(8, 5) } });
    expect(await load(h)).to.deep.equal({ state: { lines: 9, entries: [entry(7, 2), entry(8, 5)] }, rev: 'r0' });
    expect(await save(h, 'y', changed('r0', 'r1', { lines: 12, set: [entry(9, 10)], drop: [7] }, notNeeded))).to.equal('change');
    expect(await load(h)).to.deep.equal({ state: { lines: 12, entries: [entry(8, 5), entry(9, 10)] }, rev: 'r1' });
  });

  it('refuses a keyed log whose field names disagree with its entries (edited by hand)', async () => {
    const h = next();
    await save(h, 'a', whole('r1', { lines: 4, entries: [entry(1, 3)] }));
    await bed.target.collection('anomaly_detector_state').updateOne({ host: h }, { $set: { 'familiar.entries.k1': packEntry(entry(2, 3)) } });
    expect(await load(h)).to.equal(null);
  });

  it('refuses a packed entry cut short (edited by hand)', async () => {
    const h = next();
    await save(h, 'a', whole('r1', { lines: 4, entries: [entry(1, 3)] }));
    await bed.target.collection('anomaly_detector_state').updateOne({ host: h }, { $set: { 'familiar.entries.k1': new Binary(Buffer.alloc(20)) } });
    expect(await load(h)).to.equal(null);
  });
});
