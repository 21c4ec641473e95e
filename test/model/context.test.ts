import { expect } from 'chai';
import { HostModel } from '../../src/model/detector.js';
import { ModelTrainer } from '../../src/model/trainer.js';
import { Familiarity } from '../../src/model/familiarity.js';
import { keptContext } from '../../src/model/sequence.js';
import { toScore } from '../../src/model/calibration.js';
import { Rng, routineLine } from '../support/log-lines.js';
import { trainAmongRoutine } from '../support/routine-model.js';

// Sequence context (trainer.ts, detector.ts): a rare failure message that comes after a message it
// came after in training, at least twice and more often than chance, is part of a sequence the host
// is known to write; out of that sequence it keeps its full failure evidence.
describe('sequence context of known failure messages', function () {
  this.timeout(20000);
  const lead = (i: number): string => `sshd[${4000 + i}]: Invalid user guest${i} from 10.0.${i % 200}.7`;
  const follow = (i: number): string => `sshd[${4000 + i}]: Failed none for invalid user guest${i} from 10.0.${i % 200}.7 port ${2000 + i} ssh2`;
  const model = trainAmongRoutine(11, 4000, (i) => (i % 1000 === 500 ? [lead(i), follow(i)] : []));

  it('takes failure evidence off a known failure message right after its usual predecessor', function () {
    const rr = new Rng(5);
    const alone = new Familiarity();
    for (let k = 0; k < 20; k++) model.score(routineLine(rr), alone);
    const outOfSequence = model.score(follow(9001), alone).score;
    const inSequence = new Familiarity();
    for (let k = 0; k < 20; k++) model.score(routineLine(rr), inSequence);
    model.score(lead(9001), inSequence);
    const afterLead = model.score(follow(9001), inSequence).score;
    expect(afterLead).to.be.lessThan(outOfSequence);
    // Without a stream the score depends on the line alone, as before.
    expect(model.score(follow(9001)).score).to.equal(outOfSequence);
  });

  it('explains the discount: the evidence adds up to the score', function () {
    const rr = new Rng(5);
    const f = new Familiarity();
    for (let k = 0; k < 20; k++) model.score(routineLine(rr), f);
    model.explain(lead(9006), f);
    const e = model.explain(follow(9006), f);
    expect(e.evidence.context).to.be.above(0);
    const { benign, errors, values, context } = e.evidence;
    expect(toScore(benign + errors + values - context)).to.equal(e.score);
  });

  it('saves the context with the model, and it scores the same after a reload', function () {
    const text = model.serialize();
    expect(JSON.parse(text).templates.some((x: { context?: number[] }) => (x.context ?? []).length > 0)).to.equal(true);
    const loaded = HostModel.deserialize(text);
    const rr = new Rng(5);
    const a = new Familiarity();
    const b = new Familiarity();
    for (const line of [routineLine(rr), lead(9002), follow(9002), routineLine(rr), follow(9003)]) {
      expect(loaded.score(line, b)).to.deep.equal(model.score(line, a));
    }
  });

  it('does not take evidence off a failure message whose predecessor came before it only by chance', function () {
    // The routine lines come before every line; none of them makes `follow` part of a sequence.
    const rr = new Rng(8);
    const f = new Familiarity();
    const g = new Familiarity();
    for (let k = 0; k < 20; k++) {
      const line = routineLine(rr);
      model.score(line, f);
      model.score(line, g);
    }
    expect(model.score(follow(9004), f).score).to.equal(model.score(follow(9004)).score);
    // Not just any earlier failure either: an unrelated message is not its predecessor.
    model.score('sshd[77]: error: kex_exchange_identification: Connection closed by remote host', g);
    expect(model.score(follow(9005), g).score).to.equal(model.score(follow(9005)).score);
  });

  it('counts a predecessor generalized during training under the template it became', function () {
    // `rejected for <user>` starts as one template per user until the miner generalizes it.
    const users = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank'];
    const model = trainAmongRoutine(3, 3000, (i) => {
      if (i % 400 !== 100) return [];
      const u = users[(i / 400) % users.length | 0]!;
      return [`pam: session rejected for ${u} by policy strict`, `sshd: fatal error closing session for ${u}`];
    });
    const data = JSON.parse(model.serialize()) as { templates: Array<{ id: number; tokens: string[]; context?: number[] }> };
    const byText = (prefix: string) => data.templates.find((x) => x.tokens.join(' ').startsWith(prefix))!;
    const rejected = byText('pam: session rejected');
    const context = byText('sshd: fatal error').context ?? [];
    expect(context, 'the generalized predecessor is in the context').to.include(rejected.id);
    // No id in any context is a template that no longer exists.
    const ids = new Set(data.templates.map((x) => x.id));
    for (const x of data.templates) for (const id of x.context ?? []) expect(ids.has(id)).to.equal(true);
  });

  describe('keptContext (what a model keeps of the predecessors counted in training)', () => {
    const same = (id: number): number => id;
    const count = (n: number) => (): number => n;
    const cases: Array<[string, Parameters<typeof keptContext>, number[] | undefined]> = [
      ['twice of three lines, rare predecessor: kept', [1, 3, [7, 2], same, count(3), 10_000], [7]],
      ['once: chance', [1, 1, [7, 1], same, count(3), 10_000], undefined],
      ['before too few of its lines', [1, 5, [7, 2], same, count(3), 10_000], undefined],
      ['twice each under two ids that became one', [1, 3, [7, 1, 8, 1], (id) => (id === 8 ? 7 : id), count(3), 10_000], [7]],
      // Both raw ids in the windows of the same two lines: 4 counts, but it came before 2 lines, which chance gives 9% of the time.
      ['two ids that became one, before the same lines', [1, 2, [7, 2, 8, 2], (id) => (id === 8 ? 7 : id), count(25), 1_000], undefined],
      // A predecessor written on one line in ten precedes a line by chance: twice of two is no sequence.
      ['two of two, common predecessor: chance', [1, 2, [7, 2], same, count(1_000), 10_000], undefined],
      ['itself, after a merge', [1, 5, [8, 3], (id) => (id === 8 ? 1 : id), count(3), 10_000], undefined],
      ['a template the model no longer has', [1, 5, [7, 3], same, count(0), 10_000], undefined],
      // 50 lines, each of them preceded by a template on every other line: chance gives 50.
      ['a predecessor everywhere: chance', [1, 50, [7, 50], same, count(5_000), 10_000], undefined],
      ['a predecessor everywhere, but far more often than chance', [1, 50, [7, 50], same, count(200), 10_000], [7]],
      // A session's first line comes before each of its 20 authentication failures, far more often
      // than chance, but before 980 sessions that did not fail: it does not predict the failure.
      ['a session start before every failure, and before many more sessions', [1, 20, [7, 20], same, count(1_000), 100_000], undefined],
      ['a predecessor followed by the failure on a fifth of its lines', [1, 20, [7, 20], same, count(100), 100_000], [7]],
      // A generic header line followed by one of six continuations: each follows a sixth of it.
      ['a header line followed by one of six continuations', [1, 20, [7, 20], same, count(120), 100_000], [7]],
      ['a predecessor followed by the failure on a twentieth of its lines', [1, 20, [7, 20], same, count(400), 100_000], undefined],
    ];
    for (const [name, args, expected] of cases) {
      it(name, () => expect(keptContext(...args)).to.deep.equal(expected));
    }
  });

  it('learns the same context from the lines newest first (the daemon reads its window that way)', () => {
    const lines: string[] = [];
    const rr = new Rng(11);
    for (let i = 0; i < 4000; i++) {
      lines.push(routineLine(rr));
      if (i % 1000 === 500) lines.push(lead(i), follow(i));
    }
    const contextOf = (m: HostModel, prefix: string): string[] => {
      const data = JSON.parse(m.serialize()) as { templates: Array<{ id: number; tokens: string[]; context?: number[] }> };
      const byText = (p: string) => data.templates.find((x) => x.tokens.join(' ').includes(p))!;
      return (byText(prefix).context ?? []).map((id) => data.templates.find((x) => x.id === id)!.tokens.join(' '));
    };
    const oldest = new ModelTrainer();
    for (const l of lines) oldest.add(l);
    const newest = new ModelTrainer(undefined, 'newest-first');
    for (const l of [...lines].reverse()) newest.add(l);
    const a = oldest.finish();
    const b = newest.finish();
    expect(contextOf(a, 'Failed none')).to.have.length(1);
    expect(contextOf(b, 'Failed none')).to.deep.equal(contextOf(a, 'Failed none'));
    // And not the other way round: the lead is not preceded by its follower.
    expect(contextOf(b, 'Invalid user')).to.deep.equal([]);
    const rr2 = new Rng(5);
    const f = new Familiarity();
    for (let k = 0; k < 20; k++) b.score(routineLine(rr2), f);
    b.score(lead(9100), f);
    expect(b.score(follow(9100), f).score).to.be.lessThan(b.score(follow(9101)).score);
  });

  it('keeps a predecessor that comes only after the summary has filled up with others', () => {
    const model = trainAmongRoutine(17, 6000, (i) => {
      if (i % 300 !== 150) return [];
      // The first two without their usual predecessor, each after nine other messages.
      const before = i > 600 ? [lead(i)] : Array.from({ length: 9 }, (_, k) => `filler${k} event number ${i}`);
      return [...before, follow(i)];
    });
    const data = JSON.parse(model.serialize()) as { templates: Array<{ id: number; tokens: string[]; context?: number[] }> };
    const leadT = data.templates.find((x) => x.tokens.join(' ').includes('Invalid user'))!;
    const followT = data.templates.find((x) => x.tokens.join(' ').includes('Failed none'))!;
    expect(followT.context).to.include(leadT.id);
  });
});
