// Quantities judged per key: a route's duration by that route's durations, not by every route of
// the service. Tables of request lines in the forms services write them.
import { expect } from 'chai';
import { KeyedAccumulator, MAX_MODELS, MIN_KEYED, keyOf, keyPart } from '../../src/model/keyed-slots.js';
import { ModelTrainer } from '../../src/model/trainer.js';
import { HostModel } from '../../src/model/detector.js';
import { Rng } from '../../src/seeded-random.js';
import { DEFAULT_THRESHOLD } from '../../src/model/calibration.js';

/** Milliseconds between lo and hi, drawn log-uniformly (a route's usual spread). */
function ms(r: Rng, lo: number, hi: number): string {
  return (lo * Math.pow(hi / lo, r.next())).toFixed(4);
}

/** A Serilog service's request lines: order lookups take 1-60 ms, a customer's order history 20 ms to 7 s. */
function serilogTraining(n: number, seed = 7): string[] {
  const r = new Rng(seed);
  return Array.from({ length: n }, (_, i) =>
    i % 4 === 3
      ? `HTTP GET /api/customers/${1000 + r.int(0, 3000)}/orders responded 200 in ${ms(r, 20, 7000)} ms`
      : `HTTP GET /api/orders/${r.int(1000000, 2000000)} responded 200 in ${ms(r, 1, 60)} ms`,
  );
}

function train(lines: readonly string[]): HostModel {
  const t = new ModelTrainer();
  for (const l of lines) t.add(l);
  return t.finish();
}

describe('quantities per key', () => {
  it('reads a value with letters as a key by its shape, without its query string, and none without letters or with a unit', () => {
    expect(keyOf('/api/orders/1997070')).to.equal(keyOf('/api/orders/42'));
    expect(keyOf('/api/orders/1997070')).not.to.equal(keyOf('/api/customers/42/orders'));
    expect(keyOf('/api/products?q=jacket')).to.equal(keyOf('/api/products?category=shoes&page=2'));
    expect(keyOf('GET')).not.to.equal(keyOf('POST'));
    for (const v of ['1997070', '10.0.0.88', '03/10/2024:15:19:15', '575.2073 ms', '12KB', '1.5s']) expect(keyOf(v), v).to.equal(0);
    for (const v of ['/v1/quotes', 'GET', 'orders.created', 'View Lock']) expect(keyOf(v), v).not.to.equal(0);
  });

  it('judges a route slower than it ever was, where another route of the same message takes seconds', () => {
    const model = train(serilogTraining(4000));
    // An order lookup at 1.5 s: 25 times its slowest. Against all routes it was ordinary (the
    // history takes up to 7 s), and it scored 0.04.
    const slow = model.explain('HTTP GET /api/orders/1993020 responded 200 in 1521.7900 ms');
    expect(slow.score, JSON.stringify(slow.evidence)).to.be.at.least(DEFAULT_THRESHOLD);
    expect(slow.reasons).to.include('unusual_value');
    // The same duration on the route that takes seconds is routine, and so is a usual lookup.
    for (const line of ['HTTP GET /api/customers/2394/orders responded 200 in 1636.3948 ms', 'HTTP GET /api/orders/1982388 responded 200 in 23.7907 ms']) {
      const e = model.explain(line);
      expect(e.score, line).to.be.below(DEFAULT_THRESHOLD);
      expect(e.reasons, line).not.to.include('unusual_value');
    }
  });

  it('judges an access log line by its path', () => {
    const r = new Rng(11);
    // Log-normal durations around each route's median, as services' latencies are.
    const took = (median: number): number => Math.max(1, Math.round(median * Math.exp(1.02 * (r.next() + r.next() + r.next() + r.next() - 2))));
    const paths = ['/api/orders/N', '/api/products?category=kids', '/api/customers/N/orders?page=0'];
    const median = [15, 900, 30];
    const lines = Array.from({ length: 6000 }, (_, i) => {
      const k = i % 3;
      const path = paths[k]!.replace('N', String(r.int(400000, 600000)));
      return `10.0.${r.int(0, 15)}.${r.int(1, 250)} - - [03/Oct/2024:15:${String(i % 60).padStart(2, '0')}:21 +0000] "GET ${path} HTTP/1.1" 200 ${r.int(800, 2400)} ${took(median[k]!)}`;
    });
    const model = train(lines);
    const at = (path: string, ms: number): number => model.score(`10.1.2.184 - - [03/Oct/2024:16:18:21 +0000] "GET ${path} HTTP/1.1" 200 1914 ${ms}`).score;
    // An order lookup at 0.7 and 2 s (its slowest in training: 89 ms), where the catalogue took up to 5 s.
    expect(at('/api/orders/509814', 2027)).to.be.at.least(DEFAULT_THRESHOLD);
    expect(at('/api/orders/509814', 719)).to.be.at.least(DEFAULT_THRESHOLD);
    expect(at('/api/orders/509814', 40)).to.be.below(DEFAULT_THRESHOLD);
    expect(at('/api/products?category=kids', 2027)).to.be.below(DEFAULT_THRESHOLD);
  });

  it('judges a reworded message by its known twin per key (a deploy renamed `request served`)', () => {
    const r = new Rng(5);
    const line = (msg: string, path: string, took: string): string =>
      `{"level":"info","caller":"server/middleware.go:58","msg":"${msg}","method":"GET","path":"${path}","status":200,"duration":"${took}","bytes":${r.int(400, 5000)}}`;
    const model = train(Array.from({ length: 3000 }, (_, i) => (i % 2 === 0 ? line('request served', '/v1/quotes', `${ms(r, 5, 40)}ms`) : line('request served', '/v1/rates/EUR', `${ms(r, 100, 3000)}ms`))));
    const renamed = model.explain(line('http request', '/v1/quotes', '745.544ms'));
    expect(renamed.evidence.values, JSON.stringify(renamed.evidence)).to.be.above(Math.log(1000) / 2);
    expect(model.explain(line('http request', '/v1/rates/EUR', '745.544ms')).evidence.values).to.equal(0);
  });

  it('keeps no keys where the key slot takes too many shapes or where there is no quantity', () => {
    const ids = train(Array.from({ length: 2000 }, (_, i) => `session user${String.fromCharCode(97 + (i % 26))}${String.fromCharCode(97 + ((i * 7) % 26))}x took ${i % 90} ms`));
    const words = train(Array.from({ length: 2000 }, (_, i) => `user ${['alice', 'bob', 'carol'][i % 3]} opened ${['inbox', 'drafts'][i % 2]} folder`));
    for (const m of [ids, words]) {
      const data = JSON.parse(m.serialize()) as { templates: Array<{ keyed?: unknown }> };
      expect(data.templates.every((t) => t.keyed === undefined)).to.equal(true);
    }
  });

  it('takes a key slot that never changed out of the combinations', () => {
    const acc = new KeyedAccumulator(3);
    for (let i = 0; i < 200; i++) acc.add(['caller.go:58', i % 2 === 0 ? '/v1/quotes' : '/v1/rates', String(10 + (i % 30))]);
    const frozen = acc.freeze()!;
    expect(frozen.keys).to.deep.equal([1]);
    const combos = frozen.slots[0]![1].map(([c]) => c).sort();
    expect(combos).to.deep.equal([keyPart(1, keyOf('/v1/quotes')), keyPart(1, keyOf('/v1/rates'))].sort());
  });

  it('keeps the busiest keys\' models, a bounded number of them', () => {
    // 30 routes of 3 quantities each: 90 models of 100+ lines, where MAX_MODELS are kept, the 16
    // busiest routes' (130 lines each).
    const acc = new KeyedAccumulator(4);
    for (let i = 0; i < 30 * 130; i++) {
      const route = i % 30;
      if (route >= 16 && i >= 30 * 100) continue;
      acc.add([`/api/r${String.fromCharCode(97 + (route % 26))}${route >= 26 ? 'x' : ''}`, String(i % 70), `${i % 900} 12`, String(200 + (i % 2))]);
    }
    const frozen = acc.freeze()!;
    const models = frozen.slots.flatMap(([, ms]) => ms.map(([, m]) => m.n));
    expect(models.length).to.equal(MAX_MODELS);
    expect(Math.min(...models)).to.be.at.least(MIN_KEYED);
    // The routes cut short (100 lines) go first.
    expect(Math.min(...models)).to.be.above(100);
  });

  it('gives a saved and reloaded model the same scores', () => {
    const model = train(serilogTraining(3000));
    const again = HostModel.deserialize(model.serialize());
    for (const line of ['HTTP GET /api/orders/1993020 responded 200 in 1521.7900 ms', 'HTTP GET /api/customers/1/orders responded 200 in 9000 ms', 'HTTP GET /api/orders/1 responded 200 in 3 ms']) {
      expect(again.score(line)).to.deep.equal(model.score(line));
    }
  });

  it('rejects a snapshot whose keys name slots the template does not have', () => {
    const data = JSON.parse(train(serilogTraining(2000)).serialize()) as { templates: Array<{ keyed?: { keys: number[] } }> };
    const t = data.templates.find((x) => x.keyed !== undefined)!;
    t.keyed!.keys = [99];
    expect(() => HostModel.deserialize(JSON.stringify(data))).to.throw(/template keys/);
  });
});
