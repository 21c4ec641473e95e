// A known failure message written in a run far longer than any in training (evidence.ts
// burstEvidence): a password tried on one account after another, where the host's failed logons
// came one or two at a time.
import { expect } from 'chai';
import { BURST_CAP, burstEvidence } from '../../src/model/evidence.js';
import { DEFAULT_THRESHOLD, HostModel } from '../../src/model/detector.js';
import { ModelTrainer } from '../../src/model/trainer.js';
import { Familiarity } from '../../src/model/familiarity.js';
import { Rng, routineLine } from '../support/log-lines.js';
import { trainAmongRoutine } from '../support/routine-model.js';

const USERS = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace', 'heidi'];
const failed = (i: number, from = `10.0.${i % 50}.${1 + (i % 200)}`): string => `vpnd[811]: authentication failed for user ${USERS[i % USERS.length]}${i} from ${from}`;

describe('burst evidence', () => {
  const table: Array<[number, number, number]> = [
    // [run, largest run in training, evidence]
    [1, 1, 0],
    [6, 1, 0],
    [12, 1, 1.5],
    [24, 1, 3],
    [500, 1, BURST_CAP],
    [50, 50, 0],
    [104, 50, 0],
    [416, 50, 3],
  ];
  for (const [run, largest, nats] of table) {
    it(`a run of ${run} where training's largest was ${largest}: ${nats} nats`, () => expect(burstEvidence(run, largest)).to.be.closeTo(nats, 1e-9));
  }
});

describe('a known failure message in a burst', function () {
  this.timeout(20000);
  // Failed logons one at a time, on separate occasions of a month of routine traffic.
  const model = trainAmongRoutine(21, 6000, (i) => (i % 60 === 7 ? [failed(((i - 7) / 60) * 37)] : []));

  /** `count` failed logons, one after another, after some routine lines; their scores and reasons. */
  function burst(m: HostModel, count: number, familiar = new Familiarity()): Array<{ score: number; reasons: readonly string[] }> {
    const r = new Rng(4);
    for (let k = 0; k < 30; k++) m.score(routineLine(r), familiar);
    return Array.from({ length: count }, (_, i) => m.score(failed(9000 + i), familiar));
  }

  it('flags a run of failed logons far longer than training ever had, with burst', () => {
    const scores = burst(model, 50);
    expect(scores[0]!.score).to.be.below(DEFAULT_THRESHOLD);
    expect(scores[0]!.reasons).to.not.include('burst');
    const late = scores.slice(30);
    expect(late.every((s) => s.score >= DEFAULT_THRESHOLD && s.reasons.includes('burst'))).to.equal(true);
  });

  it('counts a failure message reworded (a deploy changed a word) with the known one it is like', () => {
    // Review sets: an ingress's 502 storm after its log format gained a field, 71 -> 131 of 152 lines.
    const reworded = (i: number): string => failed(i).replace('for user', 'for account');
    const familiar = new Familiarity();
    const r = new Rng(4);
    for (let k = 0; k < 30; k++) model.score(routineLine(r), familiar);
    const scores = Array.from({ length: 50 }, (_, i) => model.explain(reworded(9000 + i), familiar));
    expect(scores[0]!.reasons).to.include('new_template');
    expect(scores[0]!.reasons).to.not.include('burst');
    expect(scores.slice(30).every((s) => s.reasons.includes('burst') && s.evidence.burst > 0)).to.equal(true);
  });

  it('says burst whenever the burst counted, however little', () => {
    const familiar = new Familiarity();
    const r = new Rng(4);
    for (let k = 0; k < 30; k++) model.score(routineLine(r), familiar);
    for (let i = 0; i < 40; i++) {
      const e = model.explain(failed(9000 + i), familiar);
      expect(e.reasons.includes('burst'), `line ${i}: ${e.evidence.burst} nats`).to.equal(e.evidence.burst > 0);
    }
  });

  it('counts a retry loop\'s repetitions too: a failure hammered far longer than ever is news', () => {
    const familiar = new Familiarity();
    const r = new Rng(4);
    for (let k = 0; k < 30; k++) model.score(routineLine(r), familiar);
    const again = Array.from({ length: 50 }, () => model.score(failed(9000), familiar));
    expect(again[0]!.reasons).to.not.include('burst');
    expect(again[49]!.reasons).to.include('burst');
  });

  it('starts a new run after a gap of other lines', () => {
    // Failed logons one at a time among routine lines, as in training, for as long as it takes.
    const familiar = new Familiarity();
    const r = new Rng(6);
    const scores: Array<{ reasons: readonly string[] }> = [];
    for (let i = 0; i < 80; i++) {
      for (let k = 0; k < 60; k++) model.score(routineLine(r), familiar);
      scores.push(model.score(failed(9000 + i), familiar));
    }
    expect(scores.some((s) => s.reasons.includes('burst'))).to.equal(false);
  });

  it('reads a steady stream of a routine failure after training as it was during training', () => {
    // One failed logon every 12 lines: runs of one line in training. Judged with the occasion gap,
    // which grows with the lines so far, the stream joined into one endless run some 18,000 lines
    // after training, and every failure after it was a burst.
    const steady = trainAmongRoutine(5, 6000, (i) => (i % 12 === 0 ? [failed(i)] : []));
    const familiar = new Familiarity();
    const r = new Rng(9);
    let bursts = 0;
    for (let i = 0; i < 40_000; i++) {
      const s = steady.score(i % 12 === 0 ? failed(10_000 + i) : routineLine(r), familiar);
      if (s.reasons.includes('burst')) bursts++;
    }
    expect(bursts).to.equal(0);
  });

  it('does not flag a run no longer than the largest in training', () => {
    // A brute force of 60 lines inside the training window: that long a run is the host's known worst.
    const trained = trainAmongRoutine(21, 6000, (i) => (i % 60 === 7 ? [failed(((i - 7) / 60) * 37)] : i === 3000 ? Array.from({ length: 60 }, (_, k) => failed(20_000 + k)) : []));
    expect(burst(trained, 60).some((s) => s.reasons.includes('burst'))).to.equal(false);
  });

  it('keeps the largest training run through a save and reload, and explains the evidence', () => {
    const loaded = HostModel.deserialize(model.serialize());
    expect(burst(loaded, 50)).to.deep.equal(burst(model, 50));
    const familiar = new Familiarity();
    burst(model, 40, familiar);
    const e = model.explain(failed(9999), familiar);
    expect(e.evidence.burst).to.be.above(1);
    expect(e.reasons).to.include('burst');
  });

  it('keeps the density of templates the miner merged: the one message came as densely as all of them', () => {
    // One template per database until a fifth name made it general at the end of training: its
    // densest moment was the largest of the parts' (5.5), a quarter of the message's (23), and
    // its routine rate after training was a burst.
    const r = new Rng(3);
    const t = new ModelTrainer();
    const dbs = ['orders', 'billing', 'users', 'audit'];
    for (let i = 0; i < 6000; i++) {
      t.add(routineLine(r));
      if (i % 3 === 0 && i > 3000 && i < 3400) t.add(`replica check failed for database ${dbs[(i / 3) % 4]}`);
    }
    t.add('replica check failed for database inventory');
    const data = JSON.parse(t.finish().serialize()) as { templates: Array<{ tokens: string[]; burst?: number }> };
    const merged = data.templates.find((x) => x.tokens.join(' ') === 'replica check failed for database <*>')!;
    expect(merged.burst).to.be.above(20);
  });

  it('judges a common message only by lines with failure words of their own, not by lines whose values say success', () => {
    // `login user=... result=success|failure`: a run of successes, however long, is a busy hour
    // of the host's most common message, not a burst.
    const t = new ModelTrainer();
    for (let i = 0; i < 3000; i++) t.add(`auth: login user=u${i % 40} result=${i % 50 === 0 ? 'failure' : 'success'}`);
    const logins = t.finish();
    const familiar = new Familiarity();
    const successes = Array.from({ length: 300 }, (_, i) => logins.score(`auth: login user=u${i % 40} result=success`, familiar));
    expect(successes.some((s) => s.reasons.includes('burst'))).to.equal(false);
    const trained = trainAmongRoutine(21, 600, (i) => (i % 60 === 7 ? [failed(i)] : []));
    const withWords = JSON.parse(trained.serialize()) as { templates: Array<{ tokens: string[]; burst?: number }> };
    expect(withWords.templates.find((x) => x.tokens.join(' ').includes('authentication failed'))!.burst).to.be.above(0);
  });

  it('leaves a model saved without the largest runs as it scored before', () => {
    const data = JSON.parse(model.serialize()) as { templates: Array<{ burst?: number }> };
    for (const t of data.templates) delete t.burst;
    expect(burst(HostModel.deserialize(JSON.stringify(data)), 50).some((s) => s.reasons.includes('burst'))).to.equal(false);
  });
});

// Two reviews' firewalls, VPN gateways and databases: a failure the host writes on most days (a
// VPN's failed logins twelve times a day, `Failed to gather storage statistics` on 88 occasions)
// sat at the threshold on rarity and the floor of its failure words alone, and was flagged every
// time it came (53 of one gateway's routine lines).
describe('a failure the host writes on many separate occasions', function () {
  this.timeout(20000);
  const failedOn = (i: number): string => `vpnd[811]: authentication failed for user u${i % 40} from 10.0.${i % 50}.${1 + (i % 200)}`;
  /** A month of routine traffic with the failure every `every` lines; scored at its routine rate. */
  function routineRate(every: number): Array<{ score: number; reasons: readonly string[]; errors: number }> {
    const m = trainAmongRoutine(21, 6000, (i) => (i % every === 7 ? [failedOn(i * 37)] : []));
    const f = new Familiarity();
    const r = new Rng(4);
    const out: Array<{ score: number; reasons: readonly string[]; errors: number }> = [];
    for (let k = 0; k < 200; k++) {
      m.score(routineLine(r), f);
      if (k % 50 === 20) {
        const e = m.explain(failedOn((k * every + 7) * 37), f);
        expect(e.evidence.values, 'an ordinary value').to.equal(0);
        out.push({ score: e.score, reasons: e.reasons, errors: e.evidence.errors });
      }
    }
    return out;
  }

  it('reads it below the threshold at its routine rate, still as an error', () => {
    // On 100 occasions: 0.43 before, its floor whole.
    for (const s of routineRate(60)) {
      expect(s.score).to.be.below(0.4);
      expect(s.reasons).to.include('error_terms');
      expect(s.errors).to.be.above(0);
    }
  });

  it('takes part of the floor from a failure of 20 occasions (about every day and a half) too', () => {
    // 46 review sets: from 12 occasions instead of 24, 86 -> 61 routine lines flagged, no incident less.
    const full = routineRate(2000)[0]!.errors;
    for (const s of routineRate(300)) {
      expect(s.errors).to.be.above(0);
      expect(s.errors).to.be.below(full * 0.4);
      expect(s.reasons).to.include('error_terms');
    }
  });

  it('keeps the whole weight of a failure of a few occasions (training data with a few anomalies)', () => {
    for (const s of routineRate(2000)) expect(s.score).to.be.at.least(DEFAULT_THRESHOLD);
  });

  it('keeps its floor in a burst', () => {
    const m = trainAmongRoutine(21, 6000, (i) => (i % 60 === 7 ? [failedOn(i * 37)] : []));
    const f = new Familiarity();
    const r = new Rng(4);
    for (let k = 0; k < 30; k++) m.score(routineLine(r), f);
    const scores = Array.from({ length: 60 }, (_, i) => m.explain(failedOn((i * 60 + 7) * 37), f));
    expect(scores.slice(40).every((s) => s.reasons.includes('burst') && s.score >= DEFAULT_THRESHOLD)).to.equal(true);
  });
});

// A review's MySQL: 32 InnoDB deadlock reports in 900 lines, where training had 5 in 20,000. Each
// report's header has failure words and was judged by its rate; the reports' own lines, none of
// them a failure message but each as rare as the reports, were no news (22 of 736 lines flagged).
describe('a storm of a rare message without failure words', function () {
  this.timeout(20000);
  const report = (i: number): string[] => [
    `TRANSACTION ${88_000_000 + i * 7919}, ACTIVE 0 sec starting index read`,
    `mysql tables in use 1, locked 1`,
    `RECORD LOCKS space id ${10 + (i % 60)} page no ${1000 + i * 13} n bits 152 index sku_idx of table shop.inventory`,
  ];
  // Five reports in a month of routine traffic.
  const model = trainAmongRoutine(21, 6000, (i) => (i % 1200 === 600 ? report(i) : []));

  it('flags the rare lines when they come far more densely than in training, with burst', () => {
    const familiar = new Familiarity();
    const r = new Rng(4);
    for (let k = 0; k < 30; k++) model.score(routineLine(r), familiar);
    const scores: Array<{ score: number; reasons: readonly string[] }> = [];
    for (let i = 0; i < 40; i++) {
      for (const line of report(500 + i)) scores.push(model.score(line, familiar));
      for (let k = 0; k < 4; k++) model.score(routineLine(r), familiar);
    }
    // The first reports are as rare as they were; once they keep coming (25 in 200 lines, where
    // training had one at a time), a storm.
    expect(scores.slice(0, 3).every((s) => s.score < DEFAULT_THRESHOLD && !s.reasons.includes('burst'))).to.equal(true);
    expect(scores.slice(75).every((s) => s.score >= DEFAULT_THRESHOLD && s.reasons.includes('burst'))).to.equal(true);
  });

  it('leaves the rare lines as rare as they were at the rate of training', () => {
    const familiar = new Familiarity();
    const r = new Rng(5);
    const scores: Array<{ reasons: readonly string[] }> = [];
    for (let i = 0; i < 8; i++) {
      for (let k = 0; k < 1200; k++) model.score(routineLine(r), familiar);
      for (const line of report(700 + i)) scores.push(model.score(line, familiar));
    }
    expect(scores.some((s) => s.reasons.includes('burst'))).to.equal(false);
  });
});
