// Records that gain a field (a deploy adds `"region"` to every JSON record): scored as the known
// message, not as a new one on every line.
import { expect } from 'chai';
import { addedFieldPositions, pairKey, withoutTokens } from '../../src/model/added-fields.js';
import { ModelTrainer } from '../../src/model/trainer.js';
import { DEFAULT_THRESHOLD, HostModel } from '../../src/model/detector.js';
import { DECADES } from '../../src/model/calibration.js';
import { UNSEEN_WORD } from '../../src/model/evidence.js';

describe('fields added to known records', () => {
  const keys: Array<[string, string | null]> = [
    ['region="<*>"', 'region'],
    ['dur_ms=<*>', 'dur_ms'],
    ["user='<*>'", 'user'],
    ['log.level=<*>', 'log.level'],
    ['status=ok', null],
    ['status:', null],
    ['"<*>"', null],
    ['<*>', null],
    ['a=<*>b', null],
    ['=<*>', null],
  ];
  for (const [token, key] of keys) it(`reads ${JSON.stringify(token)} as ${key === null ? 'no field' : `the field ${key}`}`, () => expect(pairKey(token)).to.equal(key));

  it('finds the fields of names not known, unless they are more than half the line', () => {
    const known = new Set(['svc', 'dur_ms']);
    expect(addedFieldPositions(['INFO', 'call', 'finished', 'svc="<*>"', 'region="<*>"', 'dur_ms=<*>'], known)).to.deep.equal([4]);
    expect(addedFieldPositions(['INFO', 'call', 'finished', 'svc="<*>"', 'dur_ms=<*>'], known)).to.equal(null);
    expect(addedFieldPositions(['INFO', 'a=<*>', 'b=<*>', 'svc="<*>"'], known)).to.deep.equal([1, 2]);
    expect(addedFieldPositions(['INFO', 'a=<*>', 'b=<*>'], known)).to.equal(null);
  });

  it('drops tokens with their values, keeping the others in place', () => {
    const tok = { tokens: ['<*>', 'call', 'a="<*>"', 'b=<*>', 'c="<*>"'], values: ['10:00', 'x y', '7', 'z'], valueEnd: [1, 1, 2, 3, 4] };
    expect(withoutTokens(tok, [2])).to.deep.equal({ tokens: ['<*>', 'call', 'b=<*>', 'c="<*>"'], values: ['10:00', '7', 'z'], valueEnd: [1, 1, 2, 3] });
    expect(withoutTokens(tok, [0, 4])).to.deep.equal({ tokens: ['call', 'a="<*>"', 'b=<*>'], values: ['x y', '7'], valueEnd: [0, 1, 2] });
  });

  describe('scoring', () => {
    const record = (i: number, msg: string, outcome: string, extra = ''): string =>
      `{"ts":"2026-10-01T00:${String(i % 60).padStart(2, '0')}:00Z","level":"${outcome.startsWith('failed') ? 'warn' : 'info'}","msg":"${msg}","svc":"orders","dur_ms":${i % 900},"outcome":"${outcome}"${extra},"trace":"${(i * 7919).toString(16)}"}`;
    const outcome = (i: number): string => (i % 8 === 0 ? `failed after ${1 + (i % 3)} attempts: connection refused` : `completed ${i % 60} rows`);
    const tr = new ModelTrainer();
    for (let i = 0; i < 4000; i++) {
      tr.add(record(i, 'call finished', outcome(i)));
      if (i % 10 === 0) tr.add(`{"ts":"2026-10-01T00:00:00Z","level":"info","msg":"cache refreshed","entries":${i}}`);
      if (i % 10 === 5) tr.add(`ts=2026-10-01T00:00:00Z level=info msg="user login" user=u${i % 40} method=password`);
    }
    const model = tr.finish();
    const region = ',"region":"eu-west-1"';

    it('scores a routine record given a new field as its known message, one unseen word more', () => {
      for (const o of ['completed 12 rows', 'failed after 2 attempts: connection refused']) {
        const plain = model.score(record(9, 'call finished', o));
        const added = model.score(record(9, 'call finished', o, region));
        expect(added.template).to.equal(plain.template);
        expect(added.templateId).to.equal(plain.templateId);
        expect(added.reasons).to.deep.equal(['unseen_tokens', ...plain.reasons]);
        expect(added.score - plain.score).to.be.closeTo(UNSEEN_WORD / (DECADES * Math.LN10), 2e-4);
        expect(added.score).to.be.below(DEFAULT_THRESHOLD);
      }
    });

    it('still flags a failure the host never wrote in such a record', () => {
      const fresh = model.score(record(9, 'call finished', 'failed after 1 attempts: segmentation fault, core dumped', region));
      expect(fresh.score).to.be.at.least(DEFAULT_THRESHOLD);
      expect(fresh.reasons).to.include('error_terms');
    });

    it('reads failure words in the new field\'s value, as in a field the message had', () => {
      const disk = 'disk full: no space left on device';
      const calm = model.explain(record(9, 'call finished', 'completed 12 rows', ',"note":"served from replica"'));
      const failing = model.explain(record(9, 'call finished', 'completed 12 rows', `,"note":"${disk}"`));
      expect(calm.evidence.errors).to.equal(0);
      expect(failing.reasons).to.deep.equal(['unseen_tokens', 'error_terms']);
      expect(failing.evidence.errors).to.equal(model.explain(record(9, 'call finished', disk)).evidence.errors);
      // At warning level (a failed call's record), flagged.
      expect(model.score(record(9, 'call finished', 'failed after 1 attempts: connection refused', `,"note":"${disk}"`)).score).to.be.at.least(DEFAULT_THRESHOLD);
    });

    it('keeps a record new when the field is one the host wrote elsewhere, or the message is new', () => {
      // `entries` is a field of another message: in this one it is news.
      expect(model.score(record(9, 'call finished', 'completed 12 rows', ',"entries":5')).reasons).to.include('new_template');
      expect(model.score(record(9, 'call retried', 'completed 12 rows', region)).reasons).to.include('new_template');
      // Mostly new fields: a new kind of record.
      expect(model.score('{"level":"info","msg":"cache refreshed","entries":5,"a":1,"b":2}').reasons).to.include('new_template');
    });

    it('does the same for logfmt lines', () => {
      const plain = model.score('ts=2026-10-02T00:00:00Z level=info msg="user login" user=u7 method=password');
      const added = model.score('ts=2026-10-02T00:00:00Z level=info msg="user login" user=u7 method=password session=ab12cd');
      expect(added.template).to.equal(plain.template);
      expect(added.reasons).to.deep.equal(['unseen_tokens', ...plain.reasons]);
    });

    it('scores the same after a save and a load', () => {
      const loaded = HostModel.deserialize(model.serialize());
      for (const line of [record(9, 'call finished', 'completed 12 rows', region), record(9, 'call finished', 'completed 12 rows', ',"note":"disk full: no space left on device"')]) {
        expect(loaded.score(line)).to.deep.equal(model.score(line));
      }
    });
  });
});
