// The per-model shape cache is invisible: whatever was scored before (and evicted since), a
// line gets the same score, template and reasons as from a model that never scored anything.
import { expect } from 'chai';
import { type HostModel } from '../../src/model/detector.js';
import { ModelTrainer } from '../../src/model/trainer.js';
import { Rng } from '../../src/seeded-random.js';

function train(): HostModel {
  const t = new ModelTrainer({ seed: 42 });
  const r = new Rng(5);
  for (let i = 0; i < 3000; i++) {
    const k = r.int(0, 9);
    t.add(`worker ${k} finished job ${r.int(1, 9999)} in ${r.int(1, 900)} ms`);
    if (i % 7 === 0) t.add(`session opened for user u${r.int(1, 40)} from 10.0.${r.int(0, 9)}.${r.int(1, 250)}`);
  }
  return t.finish();
}

describe('shape cache', () => {
  const probe = [
    'worker 3 finished job 77 in 12 ms',
    'session opened for user u7 from 10.0.1.3',
    'kernel: Out of memory: Kill process 4242 (java) score 901 or sacrifice child',
    'worker 3 finished job 77 in 98000000 ms',
  ];

  it('gives the same results after thousands of other shapes went through it', () => {
    const fresh = train();
    const busy = train();
    const before = probe.map((l) => busy.score(l));
    const r = new Rng(9);
    // Far more distinct shapes than the cache holds: it is cleared several times over.
    for (let i = 0; i < 5000; i++) busy.score(`unheard message ${i} kind${r.int(0, 1e6)} ${'x'.repeat(r.int(0, 40))} ${i % 13 === 0 ? 'error' : 'ok'}`);
    const after = probe.map((l) => busy.score(l));
    const expected = probe.map((l) => fresh.score(l));
    expect(before).to.deep.equal(expected);
    expect(after).to.deep.equal(expected);
  });
});
