// Records that gain a field (a deploy adds `"region"` to every JSON record): scored as the known
// message, not as a new one on every line.
import { expect } from 'chai';
import { addedFieldPositions, movedClosers, pairCount, pairKey, withTokens, withoutTokens } from '../../src/model/added-fields.js';
import { ModelTrainer } from '../../src/model/trainer.js';
import { DEFAULT_THRESHOLD, HostModel } from '../../src/model/detector.js';
import { Familiarity } from '../../src/model/familiarity.js';

describe('fields added to known records', () => {
  const keys: Array<[string, string | null]> = [
    ['region="<*>"', 'region'],
    ['dur_ms=<*>', 'dur_ms'],
    ["user='<*>'", 'user'],
    ['log.level=<*>', 'log.level'],
    // RFC 5424 structured data's last parameter closes its element (and one it is nested in).
    ['ms="<*>"]', 'ms'],
    ['ms="<*>"]]', 'ms'],
    ['ms="<*>"][<*>', null],
    ['ms="<*>")', null],
    ['status=ok', null],
    ['status:', null],
    ['"<*>"', null],
    ['<*>', null],
    ['a=<*>b', null],
    ['=<*>', null],
  ];
  for (const [token, key] of keys) it(`reads ${JSON.stringify(token)} as ${key === null ? 'no field' : `the field ${key}`}`, () => expect(pairKey(token)).to.equal(key));

  it('finds the fields of names not known', () => {
    const known = new Set(['svc', 'dur_ms']);
    expect(addedFieldPositions(['INFO', 'call', 'finished', 'svc="<*>"', 'region="<*>"', 'dur_ms=<*>'], known)).to.deep.equal([4]);
    expect(addedFieldPositions(['INFO', 'call', 'finished', 'svc="<*>"', 'dur_ms=<*>'], known)).to.equal(null);
    expect(addedFieldPositions(['INFO', 'a=<*>', 'b=<*>', 'svc="<*>"', 'dur_ms=<*>'], known)).to.deep.equal([1, 2]);
    // More new fields than others: no record of fewer fields is the line.
    expect(addedFieldPositions(['INFO', 'a=<*>', 'b=<*>', 'svc="<*>"'], known)).to.equal(null);
    expect(pairCount(['INFO', 'a=<*>', 'b', 'svc="<*>"', 'x:'])).to.equal(2);
  });

  it('drops tokens with their values, keeping the others in place, and puts them back', () => {
    const tok = { tokens: ['<*>', 'call', 'a="<*>"', 'b=<*>', 'c="<*>"'], values: ['10:00', 'x y', '7', 'z'], valueEnd: [1, 1, 2, 3, 4] };
    expect(withoutTokens(tok, [2])).to.deep.equal({ tokens: ['<*>', 'call', 'b=<*>', 'c="<*>"'], values: ['10:00', '7', 'z'], valueEnd: [1, 1, 2, 3] });
    expect(withoutTokens(tok, [0, 4])).to.deep.equal({ tokens: ['call', 'a="<*>"', 'b=<*>'], values: ['x y', '7'], valueEnd: [0, 1, 2] });
    expect(withTokens(['<*>', 'call', '<*>', 'c="<*>"'], tok.tokens, [2, 3])).to.deep.equal(['<*>', 'call', 'a="<*>"', 'b=<*>', '<*>', 'c="<*>"'].slice(0, 5));
  });

  it('gives the bracket a new last field closes to the field before it, and takes it back for the template', () => {
    // `ms="<*>"]` was the element's last parameter; a deploy appends `region`.
    const tok = { tokens: ['REQ', '[<*>', 'status="<*>"', 'ms="<*>"', 'region="<*>"]', 'served'], values: ['req@1', '503', '60000', 'eu'], valueEnd: [0, 1, 2, 3, 4, 4] };
    const moved = movedClosers(tok.tokens, [4]);
    expect(moved).to.deep.equal([[3, ']']]);
    expect(withoutTokens(tok, [4], moved)).to.deep.equal({ tokens: ['REQ', '[<*>', 'status="<*>"', 'ms="<*>"]', 'served'], values: ['req@1', '503', '60000'], valueEnd: [0, 1, 2, 3, 3] });
    expect(withTokens(['REQ', '[<*>', 'status="<*>"', 'ms="<*>"]', 'served'], tok.tokens, [4], moved)).to.deep.equal(tok.tokens);
    // Two appended: the bracket goes past both; a field that closes its own bracket, or a word before, takes none.
    expect(movedClosers(['[<*>', 'a=<*>', 'b=<*>', 'c=<*>]'], [2, 3])).to.deep.equal([[1, ']']]);
    expect(movedClosers(['[<*>', 'a=<*>]', '[<*>', 'c=<*>]'], [3])).to.deep.equal([]);
    expect(movedClosers(['[<*>', 'word', 'c=<*>]'], [2])).to.deep.equal([]);
    expect(movedClosers(['a=<*>', 'c=<*>'], [1])).to.deep.equal([]);
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
      if (i % 10 === 7) tr.add(`CRON[${1000 + i}]: (root) CMD (/usr/local/bin/backup.sh)`);
    }
    const model = tr.finish();
    const region = ',"region":"eu-west-1"';

    it('tells a record given a new field as that record with it, by its reasons, template and id', () => {
      const plain = model.score(record(9, 'call finished', 'completed 12 rows'));
      const added = model.score(record(9, 'call finished', 'completed 12 rows', region));
      expect(added.reasons).to.deep.equal(['new_fields', 'unseen_tokens']);
      expect(added.template).to.equal(plain.template.replace(' trace=', ' region="<*>" trace='));
      expect(added.templateId).to.match(new RegExp(`^${plain.templateId}\\+[0-9a-f]{8}$`));
    });

    // A review's Node.js service (pino): a deploy added `traceId` before the event's fields, which
    // pino writes before `msg`. Their names were dropped as a header's are: every line was a new
    // message (0.12-0.17), its consumer lag of 40,000 among them.
    it("tells a pino record given a new field before its message as that record with it", () => {
      const pino = (i: number, extra = ''): string =>
        `{"level":30,"time":${1712129664099 + i},"pid":1,"hostname":"cart-api-7d9f"${extra},"topic":"orders","groupId":"cart","lag":${i % 50},"msg":"consumer lag"}`;
      const t = new ModelTrainer();
      for (let i = 0; i < 2000; i++) {
        t.add(pino(i));
        if (i % 4 === 0) t.add(`{"level":30,"time":${1712129664099 + i},"pid":1,"hostname":"cart-api-7d9f","reqId":"req-${i}","msg":"request completed"}`);
      }
      const m = t.finish();
      const added = m.explain(pino(7, `,"traceId":"${'4c2e93ba11cf9000'.repeat(2)}"`));
      expect(added.reasons).to.include('new_fields');
      expect(added.reasons).to.not.include('new_template');
      expect(m.explain(pino(7, `,"traceId":"${'4c2e93ba11cf9000'.repeat(2)}"`).replace('"lag":7', '"lag":40000')).reasons).to.include('unusual_value');
    });

    it('lets a field that every record gained fade as it keeps coming back, failures and all', () => {
      // A deploy adds "region" to every record. Before, each record was a new message on every
      // line, and its routine failures were flagged for days.
      const familiar = new Familiarity();
      const scores: number[] = [];
      for (let i = 0; i < 3000; i++) scores.push(model.score(record(10_000 + i, 'call finished', outcome(i), region), familiar).score);
      // Its first occasion is news (a burst of an incident's field is news on every line).
      expect(scores.filter((s) => s >= DEFAULT_THRESHOLD).length).to.be.at.most(6);
      // Then on its way to the record without the field (its failures' words as routine as there).
      const first = model.score(record(9_000, 'call finished', outcome(8), region)).score;
      const last = model.score(record(9_000, 'call finished', outcome(8), region), familiar).score;
      const without = model.score(record(9_000, 'call finished', outcome(8))).score;
      expect(first - last).to.be.above(3 * (last - without));
    });

    it('keeps a burst of an incident\'s new field news on every line', () => {
      const familiar = new Familiarity();
      for (let i = 0; i < 300; i++) model.score(record(20_000 + i, 'call finished', outcome(i)), familiar);
      // Six accounts in a row: one occasion, of six different lines.
      const burst = Array.from({ length: 6 }, (_, k) => model.score(`ts=2026-10-02T00:00:0${k}Z level=info msg="user login" user=u${k + 3} method=password mfa_bypassed=true`, familiar));
      expect(burst.map((b) => b.score >= DEFAULT_THRESHOLD)).to.deep.equal([true, true, true, true, true, true]);
    });

    it('lets optional fields that come and go per record fade by their names, not per combination', () => {
      // An application's per-request context (user, tenant, session...) in ever new combinations.
      const names = ['user_id', 'tenant', 'session', 'locale', 'ab_group', 'client'];
      const familiar = new Familiarity();
      let flagged = 0;
      const combos = new Set<string>();
      for (let i = 0; i < 3000; i++) {
        const picked = names.filter((_, k) => ((i * 2654435761) >>> (k * 3)) % 3 === 0).slice(0, 3);
        if (picked.length === 0) picked.push(names[i % names.length]!);
        combos.add(picked.join());
        const extra = picked.map((n) => `,"${n}":"v${i % 17}"`).join('');
        if (model.score(record(30_000 + i, 'call finished', outcome(i), extra), familiar).score >= DEFAULT_THRESHOLD) flagged++;
      }
      expect(combos.size).to.be.above(20);
      expect(flagged).to.be.at.most(12);
    });

    it('remembers new field names by their words: names made of ids do not push the host\'s new messages out', () => {
      // Map keys rendered as fields (`"tenant_8123": ...`), new on every record, took a place each in
      // the familiarity log, and a new message that kept coming back was forgotten each time.
      const familiar = new Familiarity();
      const recurring: number[] = [];
      for (let i = 0; i < 6000; i++) {
        if (i % 600 === 0) recurring.push(model.score(`{"level":"info","msg":"cache warmed","shard":${i % 7}}`, familiar).score);
        else model.score(record(40_000 + i, 'call finished', 'completed 3 rows', `,"tenant_${i}":1,"tenant_${i + 50_000}":2`), familiar);
      }
      // It fades each time it comes back (it was forgotten, and as new, each time).
      for (let k = 2; k < recurring.length; k++) expect(recurring[k]).to.be.below(recurring[k - 1]!);
    });

    it('reads a new field appended to a record wider than the words a line is read for', () => {
      const wide = (extra: string): string => `{"level":"info","msg":"state dump",${Array.from({ length: 40 }, (_, k) => `"metric_${String.fromCharCode(97 + (k % 26))}${String.fromCharCode(97 + Math.floor(k / 26))}_total":${k}`).join(',')}${extra}}`;
      const t = new ModelTrainer();
      for (let i = 0; i < 500; i++) t.add(wide(''));
      const m = t.finish();
      const oom = m.explain(wide(',"oom_killed":true'));
      expect(oom.reasons).to.deep.equal(['new_fields', 'unseen_tokens', 'error_terms']);
      expect(m.explain(wide(',"oom_killed":false')).evidence.errors).to.equal(0);
    });

    it('flags a new field that comes with an incident, without failure words, the first time', () => {
      const login = model.score('ts=2026-10-02T00:00:00Z level=info msg="user login" user=u7 method=password mfa_bypassed=true');
      expect(login.reasons.slice(0, 2)).to.deep.equal(['new_fields', 'unseen_tokens']);
      expect(login.reasons).not.to.include('error_terms');
      expect(login.score).to.be.at.least(DEFAULT_THRESHOLD);
    });

    it('reads failure words in a new field\'s name, and none when its value is zero or false', () => {
      const killed = model.explain(record(9, 'call finished', 'completed 12 rows', ',"oom_killed":true'));
      const alive = model.explain(record(9, 'call finished', 'completed 12 rows', ',"oom_killed":false'));
      expect(killed.reasons).to.include('error_terms');
      expect(killed.evidence.errors).to.be.above(0);
      expect(alive.evidence.errors).to.equal(0);
      expect(model.explain(record(9, 'call finished', 'completed 12 rows', ',"errors":0')).evidence.errors).to.equal(0);
      expect(model.explain(record(9, 'call finished', 'completed 12 rows', ',"errors":3')).evidence.errors).to.be.above(0);
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
      expect(failing.reasons).to.deep.equal(['new_fields', 'unseen_tokens', 'error_terms']);
      expect(failing.evidence.errors).to.equal(model.explain(record(9, 'call finished', disk)).evidence.errors);
      // At warning level (a failed call's record), flagged.
      expect(model.score(record(9, 'call finished', 'failed after 1 attempts: connection refused', `,"note":"${disk}"`)).score).to.be.at.least(DEFAULT_THRESHOLD);
    });

    it('keeps a line new when the field is one the host wrote elsewhere, the message is new, new fields outnumber the record\'s, or it is no record', () => {
      // `entries` is a field of another message: in this one it is news.
      expect(model.score(record(9, 'call finished', 'completed 12 rows', ',"entries":5')).reasons).to.include('new_template');
      expect(model.score(record(9, 'call retried', 'completed 12 rows', region)).reasons).to.include('new_template');
      // More new fields than the record's own four; a record of one field.
      expect(model.score(record(9, 'call finished', 'completed 12 rows', ',"a":1,"b":2,"c":3,"d":4,"e":5')).reasons).to.include('new_template');
      expect(model.score(record(9, 'call finished', 'completed 12 rows', ',"a":1,"b":2,"c":3,"d":4')).reasons).to.include('new_fields');
      expect(model.score('{"level":"info","msg":"cache refreshed","entries":5,"a":1}').reasons).to.include('new_template');
      // A plain line is no record: a variable appended to a command line is news of its own.
      expect(model.score('CRON[4242]: (root) CMD (/usr/local/bin/backup.sh) BASH_ENV=/tmp/.x').reasons).to.include('new_template');
    });

    it('does the same for logfmt lines', () => {
      const plain = model.score('ts=2026-10-02T00:00:00Z level=info msg="user login" user=u7 method=password');
      const added = model.score('ts=2026-10-02T00:00:00Z level=info msg="user login" user=u7 method=password session=ab12cd');
      expect(added.reasons).to.deep.equal(['new_fields', 'unseen_tokens', ...plain.reasons]);
      expect(added.templateId.startsWith(`${plain.templateId}+`)).to.equal(true);
    });

    it('scores the same after a save and a load', () => {
      const loaded = HostModel.deserialize(model.serialize());
      for (const line of [record(9, 'call finished', 'completed 12 rows', region), record(9, 'call finished', 'completed 12 rows', ',"note":"disk full: no space left on device"')]) {
        expect(loaded.score(line)).to.deep.equal(model.score(line));
      }
    });
  });
});
