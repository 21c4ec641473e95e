// A storm of a known failure whose lines come a long report apart (evidence.ts rateEvidence): a
// review's MySQL wrote 32 InnoDB deadlock reports of 23 lines in 900 lines, where training had 5 in
// 20,000, and not one line was flagged: within the burst's horizon of 64 lines the deadlocks never
// added up.
import { expect } from 'chai';
import { BURST_CAP, RATE_GAP_SHARE, rateEvidence } from '../../src/model/evidence.js';
import { HostModel } from '../../src/model/detector.js';
import { Familiarity, FamiliarityDraft, type RunCounts } from '../../src/model/familiarity.js';
import { Rng, routineLine } from '../support/log-lines.js';
import { trainAmongRoutine } from '../support/routine-model.js';

const DEADLOCK = '[Note] [MY-012468] [InnoDB] Transactions deadlock detected, dumping detailed information.';

/** InnoDB's report after the deadlock line: no failure words of its own. */
function report(r: Rng): string[] {
  const trx = (): number => r.int(10_000_000, 99_999_999);
  const sku = (): string => `SKU-${r.int(10000, 99999)}`;
  const one = (k: number, id: number): string[] => [
    `*** (${k}) TRANSACTION:`,
    `TRANSACTION ${id}, ACTIVE 0 sec starting index read`,
    'mysql tables in use 1, locked 1',
    `LOCK WAIT 3 lock struct(s), heap size 1128, 2 row lock(s)`,
    `MySQL thread id ${r.int(10000, 11000)}, OS thread handle ${r.int(1e12, 9e12)}, query id ${r.int(1e6, 9e7)} 10.0.3.2${k} app updating`,
    `UPDATE inventory SET qty = qty - ${k} WHERE sku = '${sku()}'`,
    `*** (${k}) HOLDS THE LOCK(S):`,
    `RECORD LOCKS space id ${r.int(10, 90)} page no ${r.int(1000, 7000)} n bits 152 index sku_idx of table \`shop\`.\`inventory\` trx id ${id} lock_mode X locks rec but not gap`,
    `*** (${k}) WAITING FOR THIS LOCK TO BE GRANTED:`,
    `RECORD LOCKS space id ${r.int(10, 90)} page no ${r.int(1000, 7000)} n bits 152 index sku_idx of table \`shop\`.\`inventory\` trx id ${id} lock_mode X locks rec but not gap waiting`,
  ];
  return [...one(1, trx()), ...one(2, trx()), '*** WE ROLL BACK TRANSACTION (2)'];
}

describe('longer-horizon rate evidence', () => {
  const table: Array<[number, number, number, number, number]> = [
    // [count, largest in training, gap, mean spacing in training, evidence]
    [100, 1, 25, 4000, BURST_CAP],
    [12, 1, 25, 4000, 1.5],
    [6, 1, 25, 4000, 0],
    [30, 1, 250, 4000, 0],
    [30, 1, 4000 / RATE_GAP_SHARE, 4000, 0],
    [100, 1, 4000 / RATE_GAP_SHARE - 1, 4000, BURST_CAP],
    [30, 1, Infinity, 4000, 0],
  ];
  for (const [count, largest, gap, mean, nats] of table) {
    it(`a count of ${count} where training's largest was ${largest}, ${gap} lines after the last of a message ${mean} lines apart: ${nats} nats`, () =>
      expect(rateEvidence(count, largest, gap, mean)).to.be.closeTo(nats, 1e-9));
  }
});

describe('a storm of deadlocks, each with its report', function () {
  this.timeout(30000);
  // A deadlock and its report every 4,000 lines of routine traffic: 5 in 20,000 lines.
  const train = new Rng(12);
  const model = trainAmongRoutine(31, 20_000, (i) => (i % 4000 === 1999 ? [DEADLOCK, ...report(train)] : []));

  /** Routine lines, then `deadlocks` deadlocks one report apart; each deadlock line's explanation. */
  function storm(m: HostModel, deadlocks: number, familiar = new Familiarity()): Array<{ reasons: readonly string[]; burst: number }> {
    const r = new Rng(5);
    for (let k = 0; k < 300; k++) m.score(routineLine(r), familiar);
    const out: Array<{ reasons: readonly string[]; burst: number }> = [];
    for (let d = 0; d < deadlocks; d++) {
      const e = m.explain(DEADLOCK, familiar);
      out.push({ reasons: e.reasons, burst: e.evidence.burst });
      for (const l of report(r)) m.score(l, familiar);
      m.score(routineLine(r), familiar);
    }
    return out;
  }

  it('reads the storm as a burst once its deadlocks come far more densely than ever, and not its first ones', () => {
    const lines = storm(model, 32);
    expect(lines.slice(0, 3).some((l) => l.reasons.includes('burst'))).to.equal(false);
    expect(lines.slice(12).every((l) => l.burst > 0 && l.reasons.includes('burst'))).to.equal(true);
  });

  it('judges the same by a model saved and reloaded', () => {
    expect(storm(HostModel.deserialize(model.serialize()), 32)).to.deep.equal(storm(model, 32));
  });

  it('leaves a model saved without the longer-horizon counts as it scored before', () => {
    const data = JSON.parse(model.serialize()) as { templates: Array<{ rate?: number }> };
    for (const t of data.templates) delete t.rate;
    expect(storm(HostModel.deserialize(JSON.stringify(data)), 32).some((l) => l.reasons.includes('burst'))).to.equal(false);
  });

  it('keeps the count across a saved and restored log', () => {
    const familiar = new Familiarity();
    storm(model, 10, familiar);
    const restored = Familiarity.fromState(JSON.parse(JSON.stringify(familiar.toState())));
    expect(model.explain(DEADLOCK, restored).evidence.burst).to.equal(model.explain(DEADLOCK, familiar).evidence.burst);
    expect(model.explain(DEADLOCK, familiar).evidence.burst).to.be.above(0);
  });
});

describe('the routine failures after a brute force', function () {
  this.timeout(30000);
  const failed = (i: number): string => `sshd[77]: Failed password for user${i % 90} from 10.1.${i % 200}.${1 + (i % 250)} port ${1024 + i} ssh2`;
  // A failed login every 60 lines: the host's routine.
  const model = trainAmongRoutine(8, 12_000, (i) => (i % 60 === 30 ? [failed(i)] : []));

  it('are no burst while the longer count still remembers the attack: they come at their routine spacing', () => {
    const familiar = new Familiarity();
    const r = new Rng(2);
    for (let k = 0; k < 200; k++) model.score(routineLine(r), familiar);
    const attack = Array.from({ length: 200 }, (_, i) => model.score(failed(50_000 + i), familiar));
    expect(attack.slice(100).every((s) => s.reasons.includes('burst'))).to.equal(true);
    // Past the burst's own horizon, but well within the longer one.
    for (let k = 0; k < 400; k++) model.score(routineLine(r), familiar);
    const after: Array<readonly string[]> = [];
    for (let i = 0; i < 30; i++) {
      for (let k = 0; k < 59; k++) model.score(routineLine(r), familiar);
      after.push(model.score(failed(60_000 + i), familiar).reasons);
    }
    expect(after.some((reasons) => reasons.includes('burst'))).to.equal(false);
  });
});

describe('a log\'s and a draft\'s density of a message', () => {
  it('count alike, over both horizons, with the lines since the previous one', () => {
    const log = new Familiarity();
    const base = new Familiarity();
    const draft = new FamiliarityDraft(base);
    const a: RunCounts = { recent: 0, rate: 0, gap: 0 };
    const b: RunCounts = { recent: 0, rate: 0, gap: 0 };
    const seen: RunCounts[] = [];
    for (let i = 0; i < 200; i++) {
      if (i % 7 === 3) {
        log.observeRun(99, a);
        draft.observeRun(99, b);
        expect(b).to.deep.equal(a);
        seen.push({ ...a });
      }
      log.tick();
      draft.tick();
    }
    expect(seen[0]!.gap).to.equal(Infinity);
    expect(seen[1]!.gap).to.equal(7);
    // Over 64 lines a line every 7 adds up to about 13; over 512, to more.
    expect(seen.at(-1)!.recent).to.be.within(12, 14);
    expect(seen.at(-1)!.rate).to.be.above(seen.at(-1)!.recent);
  });
});
