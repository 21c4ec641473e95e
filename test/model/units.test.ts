// Numbers written with a unit (units.ts): read in one unit, milliseconds or bytes, by table.
import { expect } from 'chai';
import { fieldCount, fields, scanValue } from '../../src/model/value-shape.js';
import { ModelTrainer } from '../../src/model/trainer.js';
import { keyUnit, wordingUnit } from '../../src/model/units.js';
import { Rng } from '../support/log-lines.js';

const numbers = (v: string): number[] => {
  scanValue(v);
  return Array.from(fields.subarray(0, fieldCount));
};

describe('units', () => {
  const table: Array<[string, number[]]> = [
    ['131ms', [131]],
    ['1.5s', [1500]],
    ['1h2m3.5s', [3723500]],
    // Cisco's session durations, parts between colons (read apart, `00s` was a value of its own).
    ['2h:36m:00s', [9360000]],
    ['3d:04h:05m:06s', [273906000]],
    ['250us', [0.25]],
    ['3 seconds', [3000]],
    ['512 KB', [524288]],
    ['0.5 MB', [524288]],
    ['128K', [131072]],
    // No unit: a lone letter apart from its number, or a size running into another number.
    ['5 m', [5]],
    ['3 s', [3]],
    ['2024-11-24T10:00:00Z', [2024, 11, 24, 10, 0, 0]],
    ['1 M users', [1]],
    ['10:00:00', [10, 0, 0]],
    ['5s:12', [5000, 12]],
    // No unit inside a name or an id: a pod's name held `7d` (seven days) before `9f8c...`.
    ['web-7d9f8c6b5-r19mg', [7, 9, 8, 6, 5, 19]],
    ['cart-6b8c9d2f1', [6, 8, 9, 2, 1]],
    ['x30s', [30]],
    ['took=30s', [30000]],
  ];
  for (const [value, want] of table) {
    it(`reads ${value} as ${want.join(', ')}`, () => {
      const got = numbers(value);
      expect(got.length).to.equal(want.length);
      got.forEach((x, i) => expect(x).to.be.closeTo(want[i]!, 1e-9));
    });
  }

  // A review's Cisco ASA: AnyConnect sessions' `Duration: 4h:17m:03s`; a routine one of `2h:36m:00s`
  // was flagged (0.70), its `00s` 4 decades below the slot's seconds.
  it('scores a routine session of a compound duration with a zero part as routine', function () {
    const r = new Rng(3);
    const pad = (x: number): string => String(x).padStart(2, '0');
    const line = (h: number, m: number, s: number): string =>
      `%ASA-4-113019: Group = GroupPolicy_AnyConnect, Username = u${r.int(1, 40)}, IP = ${r.int(23, 220)}.${r.int(0, 255)}.${r.int(0, 255)}.${r.int(1, 254)}, Session disconnected. Session Type: AnyConnect-Parent, Duration: ${h}h:${pad(m)}m:${pad(s)}s, Bytes xmt: ${r.int(1e5, 9e7)}, Bytes rcv: ${r.int(1e5, 9e6)}, Reason: User Requested`;
    const t = new ModelTrainer();
    for (let i = 0; i < 1500; i++) t.add(line(r.int(0, 8), r.int(0, 59), r.int(1, 59)));
    const m = t.finish();
    expect(m.score(line(2, 36, 0)).score).to.be.below(0.3);
    expect(m.score(line(6, 0, 24)).score).to.be.below(0.3);
    // A session of weeks is still unusual.
    expect(m.explain(line(900, 0, 0)).reasons).to.include('unusual_value');
  });

  // A unit written as its own word after a slot's number, in the template's wording.
  const wording: Array<[string | undefined, boolean]> = [
    ['ms):', true],
    ['ms', true],
    ['seconds,', true],
    ['MB', true],
    ['bytes.', true],
    // A lone letter may be anything (`5 m`), as in a value; other words and rates are no units.
    ['s)', false],
    ['m', false],
    ['msg', false],
    ['MB/s', false],
    ['users', false],
    ['', false],
    [undefined, false],
  ];
  for (const [next, unit] of wording) {
    it(`reads ${JSON.stringify(next)} after a number ${unit ? 'as' : 'as no'} unit`, () => {
      expect(wordingUnit(next) !== 0).to.equal(unit);
    });
  }

  // A field's name that says its unit.
  const named: Array<[string, boolean]> = [
    ['durationMs=<*>', true],
    ['duration_ms=<*>', true],
    ['attr.durationMillis=<*>', true],
    ['elapsed_seconds=<*>', true],
    ['sizeBytes="<*>"', true],
    ['response-time-ns=<*>', true],
    // A plural, a word ending in a unit's letters, a value that is not the field's whole.
    ['items=<*>', false],
    ['is_s=<*>', false],
    ['rooms=<*>', false],
    ['took=<*>', false],
    ['durationMs=<*>s', false],
    ['durationMs', false],
  ];
  for (const [token, unit] of named) {
    it(`reads the field ${token} ${unit ? 'as' : 'as no'} unit`, () => expect(keyUnit(token) !== 0).to.equal(unit));
  }

  // A review's Node.js service (pino): `"durationMs":57245,"msg":"slow query"` where slow queries
  // took 1.0-2.4 s, 1.4 decades above: inside the margin of numbers without a unit.
  it('judges a field by the unit its name says', () => {
    const r = new Rng(9);
    const slow = (ms: number): string => `{"level":40,"time":${r.int(1e12, 2e12)},"pid":1,"hostname":"cart-api","durationMs":${ms},"rows":${r.int(1, 30)},"msg":"slow query"}`;
    const t = new ModelTrainer();
    for (let i = 0; i < 3000; i++) {
      t.add(`{"level":30,"time":${r.int(1e12, 2e12)},"pid":1,"hostname":"cart-api","cartId":${r.int(1, 9999)},"msg":"cart checkout started"}`);
      if (i % 50 === 0) t.add(slow(r.int(2400, 2600)));
    }
    const m = t.finish();
    expect(m.explain(slow(60000)).reasons).to.include('unusual_value');
    expect(m.explain(slow(9000)).reasons).to.not.include('unusual_value');
  });

  // A review's Spring Boot: `Slow query (40444 ms):` where queries took 1.0-2.6 s. The bracket keeps
  // `ms):` in the wording, and the slot's bare numbers were judged by the 1.5-decade margin of
  // numbers without a unit: 1.2 decades above, no unusual value. (Here the queries took 2.4-2.6 s,
  // all in the slot's highest quarter decade: no tail to judge by, the margin alone.)
  it('judges a number by the unit its wording writes after it', () => {
    const r = new Rng(5);
    const slow = (ms: number): string => `WARN c.e.orders.db.SlowQueryLogger : Slow query (${ms} ms): update inventory set reserved=? where sku=?`;
    const t = new ModelTrainer();
    for (let i = 0; i < 3000; i++) {
      t.add(`INFO c.e.orders.web.OrderController : order ${r.int(1000, 99999)} created for customer ${r.int(1, 5000)}`);
      if (i % 100 === 0) t.add(slow(r.int(2400, 2600)));
    }
    const m = t.finish();
    expect(m.explain(slow(60000)).reasons).to.include('unusual_value');
    expect(m.explain(slow(9000)).reasons).to.not.include('unusual_value');
  });
});
