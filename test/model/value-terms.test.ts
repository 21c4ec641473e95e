// Failure words written as a value (`status=failed`, `"state":"ERROR"`): the masker hides them
// from the template, so they are read per line from the values.
import { expect } from 'chai';
import { camelTermSeverity, textFailureTerms, valueTermSeverity } from '../../src/model/vocabulary.js';
import { ModelTrainer } from '../../src/model/trainer.js';
import { DEFAULT_THRESHOLD, HostModel } from '../../src/model/detector.js';

describe('failure words written as values', () => {
  const table: Array<[string, boolean]> = [
    ['failed', true],
    ['FAILED', true],
    ['E_FAIL', true],
    ['timed_out', true],
    ['ERROR', true],
    ['success', false],
    ['no_error', false],
    ['non-fatal', false],
    ['404', false],
    ['/var/log/failed', false],
    ['job failed badly', false],
    ['e', false],
    // Camel case: mdadm's events, cloud APIs' error codes and state names.
    ['DegradedArray', true],
    ['AccessDenied', true],
    ['ConnectionRefused', true],
    ['NoError', false],
    ['NOERROR', false],
    ['nonfatal', false],
    ['RebuildStarted', false],
    ['ObjectCreated', false],
    ['ServerUnavailable', true],
    ['FailedAttachVolume', true],
    ['InvalidClientTokenId', true],
    ['InvalidUser', true],
    ['CorruptHeader', true],
    // Identifiers naming things that deal with failures, or actions, not failures.
    ['AbortMultipartUpload', false],
    ['CrashPlan', false],
    ['ErrorHandler', false],
    ['AbortController', false],
    ['TimeoutSweeper', false],
    ['errorChannel', false],
    ['timeoutProperties', false],
    // An exit status with its name, as systemd writes it; a word written apart.
    ['1/FAILURE', true],
    ['11/SEGV', true],
    ['6/ABRT', true],
    ['15/TERM', false],
    ['0/NOERROR', false],
    ['1/alert', false],
    ['0/SUCCESS', false],
    ['core-dump', true],
    ['out-of-memory', true],
    ['no-error', false],
    ['exit-code', false],
    ['incorrect', true],
  ];
  for (const [value, term] of table) {
    it(`"${value}" ${term ? 'is' : 'is not'} a failure term`, () => expect(valueTermSeverity(value) > 0).to.equal(term));
  }

  // A backup job's outcome as a key's value: routine failures stay below the threshold, a failure the
  // host never wrote there is flagged with error_terms (before, only as an unusual value, below 0.5).
  const trainer = new ModelTrainer();
  for (let i = 0; i < 400; i++) {
    trainer.add(`job id=${i} name=backup-${i % 5} status=success duration=${i % 60}s`);
    trainer.add(`GET /api/items/${i} 200 ${i % 50}ms`);
  }
  const model = trainer.finish();

  it('flags a status that says the job failed, with error_terms', () => {
    const ok = model.score('job id=7 name=backup-2 status=success duration=5s');
    const failed = model.score('job id=7 name=backup-2 status=error duration=5s');
    expect(ok.reasons).to.deep.equal([]);
    expect(failed.reasons).to.include('error_terms');
    expect(failed.score).to.be.at.least(0.5);
  });

  it('reads a line\'s own camel-case word of three words or more as a name, not a failure', () => {
    // A scheduler's job `FailedPaymentRetry finished state=Succeeded`: flagged as a failure on a
    // success line. A key's value of three words (`reason=FailedAttachVolume`) is a state.
    expect(camelTermSeverity('FailedPaymentRetry')).to.equal(0);
    expect(camelTermSeverity('ErrorLogCleanup')).to.equal(0);
    expect(camelTermSeverity('DegradedArray')).to.be.above(0);
    expect(valueTermSeverity('FailedAttachVolume')).to.be.above(0);
  });

  it('reads the parts of a camel-case event name where its template has a slot (mdadm DegradedArray)', () => {
    // The line's own word, not masked, in a slot of its template: its whole word was read as
    // wording (`degradedarray`, no failure term), and a degraded RAID array scored as the routine
    // rebuild events it shares the template with (0.33).
    const t = new ModelTrainer();
    const events = ['RebuildStarted', 'Rebuild20', 'Rebuild40', 'Rebuild60', 'Rebuild80', 'RebuildFinished', 'SparesMissing'];
    for (let i = 0; i < 600; i++) {
      t.add(i % 10 === 0 ? `mdadm[1302]: ${events[(i / 10) % events.length]} event detected on md device /dev/md${i % 2}` : `GET /api/items/${i} 200 ${i % 50}ms`);
    }
    const m = t.finish();
    const degraded = m.score('mdadm[1302]: DegradedArray event detected on md device /dev/md0');
    expect(degraded.reasons).to.include('error_terms');
    expect(degraded.score).to.be.at.least(DEFAULT_THRESHOLD);
    expect(m.score('mdadm[1302]: RebuildStarted event detected on md device /dev/md0').reasons).to.not.include('error_terms');
  });

  it('keeps a new value without failure words an unusual value only', () => {
    const s = model.score('job id=7 name=backup-2 status=skipped duration=5s');
    expect(s.reasons).to.deep.equal(['unusual_value']);
    expect(s.score).to.be.below(0.5);
  });

  it('counts a failure word once, however often the line writes it', () => {
    const t = new ModelTrainer();
    for (let i = 0; i < 400; i++) {
      t.add(`task ${i} failed: status=failed`);
      t.add(`run ${i} a=failed b=failed`);
      t.add(`GET /api/items/${i} 200 ${i % 50}ms`);
    }
    const m = t.finish();
    const once = m.explain('task 5 failed: status=failed');
    const twice = m.explain('run 5 a=failed b=failed');
    // Routine lines of the host: as a word of the template and as a value, or in two keys, "failed" is one term.
    expect(twice.evidence.errors).to.be.closeTo(once.evidence.errors, 1e-9);
    expect(once.score).to.be.below(0.5);
    expect(twice.score).to.be.below(0.5);
  });

  it('reads values of a line no template matches too', () => {
    const s = model.score('replica sync peer=db-3 result=FAILED');
    expect(s.reasons).to.include('new_template').and.include('error_terms');
  });

  it('takes the level of a logfmt line without a message: an INFO failure value weighs half', () => {
    const t = new ModelTrainer();
    for (let i = 0; i < 400; i++) {
      t.add(`ts=2026-01-01T00:${String(i % 60).padStart(2, '0')}:00Z level=info job=backup-${i % 5} status=success`);
      t.add(`GET /api/items/${i} 200 ${i % 50}ms`);
    }
    const m = t.finish();
    const info = m.explain('ts=2026-01-01T01:00:00Z level=info job=backup-2 status=failed');
    const error = m.explain('ts=2026-01-01T01:00:00Z level=error job=backup-2 status=failed');
    // The level is the line's header, not a value in a slot: a level the host never wrote is a new message.
    expect(info.reasons).to.not.include('new_template');
    expect(error.reasons).to.include('new_template');
    expect(info.reasons).to.include('error_terms');
    // At ERROR the value weighs fully (and the level's own word adds to it).
    expect(error.evidence.errors).to.be.at.least(2 * info.evidence.errors - 1e-9);
    expect(error.score).to.be.greaterThan(info.score);
  });

  it('reads the outcome inside a Linux audit record, and tells its event types apart', () => {
    const t = new ModelTrainer();
    for (let i = 0; i < 300; i++) {
      const stamp = `${1700000000 + i * 37}.${i % 1000}:${1000 + i}`;
      t.add(`type=USER_LOGIN msg=audit(${stamp}): pid=${2000 + i} uid=0 auid=${1000 + (i % 3)} ses=${i} msg='op=login acct="deploy" exe="/usr/sbin/sshd" hostname=? addr=10.0.0.${i % 9} terminal=ssh res=success'`);
      t.add(`type=USER_AUTH msg=audit(${stamp}): pid=${2000 + i} uid=0 auid=${1000 + (i % 3)} ses=${i} msg='op=PAM:authentication acct="deploy" exe="/usr/sbin/sshd" hostname=? addr=10.0.0.${i % 9} terminal=ssh res=success'`);
    }
    const m = t.finish();
    const line = (type: string, res: string): string =>
      `type=${type} msg=audit(1700099999.5:9999): pid=4242 uid=0 auid=1001 ses=77 msg='op=PAM:authentication acct="deploy" exe="/usr/sbin/sshd" hostname=? addr=10.0.0.4 terminal=ssh res=${res}'`;
    const ok = m.score(line('USER_AUTH', 'success'));
    const failed = m.score(line('USER_AUTH', 'failed'));
    expect(ok.score).to.be.below(0.5);
    expect(failed.reasons).to.include('error_terms');
    expect(failed.score).to.be.at.least(0.5);
    // An event type the host never wrote is a new message, not a new value of a `type` slot.
    expect(m.score(line('ANOM_ABEND', 'success')).reasons).to.include('new_template');
  });

  // Text a line quotes (`Got error '...'`, `reason="..."`) is one value to the masker: its failure
  // words are read per line, each as routine as the separate occasions it came on in that slot.
  describe('in quoted text', () => {
    const t = new ModelTrainer();
    // More kinds of text than a slot remembers shapes of: the new one is judged by its words alone.
    const kinds = [
      'PHP Warning:  Undefined variable $x',
      'PHP Notice:  Undefined index: id',
      'PHP Deprecated:  strftime() is deprecated',
      'PHP Warning:  Trying to access array offset on value of type bool',
      'PHP Notice:  Only variables should be passed by reference',
      'PHP Warning:  count(): Parameter must be an array',
    ];
    for (let i = 0; i < 600; i++) {
      t.add(`[proxy_fcgi:error] [pid ${1000 + (i % 7)}] AH01071: Got error 'PHP message: ${kinds[i % 6]} in /var/www/a${i % 9}.php on line ${i % 300}', referer: https://shop.example.com/`);
      t.add(`{"level":"info","msg":"job finished","job":"report-${i % 4}","result":"completed in ${i % 90} s"}`);
      t.add(`GET /api/items/${i} 200 ${i % 50}ms`);
    }
    const m = t.finish();

    it('flags a fatal error quoted where warnings were routine, and keeps the routine ones low', () => {
      const routine = m.score(`[proxy_fcgi:error] [pid 1003] AH01071: Got error 'PHP message: PHP Warning:  Undefined variable $x in /var/www/a3.php on line 12', referer: https://shop.example.com/`);
      const fatal = m.score(`[proxy_fcgi:error] [pid 1003] AH01071: Got error 'PHP message: PHP Fatal error:  Allowed memory size of 134217728 bytes exhausted in /var/www/a3.php on line 12', referer: https://shop.example.com/`);
      expect(routine.score).to.be.below(0.5);
      expect(fatal.score).to.be.at.least(0.5);
      expect(fatal.reasons).to.include('error_terms');
      expect(fatal.score).to.be.above(routine.score + 0.3);
    });

    it('reads failure words in a JSON field of several words, and none in a routine one', () => {
      const ok = m.score('{"level":"info","msg":"job finished","job":"report-2","result":"completed in 12 s"}');
      const failed = m.score('{"level":"info","msg":"job finished","job":"report-2","result":"failed: connection refused by db-1"}');
      expect(ok.reasons).to.deep.equal([]);
      expect(failed.reasons).to.include('error_terms');
      expect(failed.score).to.be.above(ok.score);
    });

    it('reads no failure in a count of none, nor in a quoted object', () => {
      expect(m.score('{"level":"info","msg":"job finished","job":"report-2","result":"completed with 0 errors"}').reasons).to.not.include('error_terms');
      expect(m.score('{"level":"info","msg":"job finished","job":"report-2","result":{"error":null,"note":"all went fine"}}').reasons).to.not.include('error_terms');
    });

    it('keeps the counts through a save and a load', () => {
      const line = `[proxy_fcgi:error] [pid 1003] AH01071: Got error 'PHP message: PHP Fatal error:  Allowed memory size exhausted in /var/www/a3.php on line 12', referer: https://shop.example.com/`;
      const again = HostModel.deserialize(m.serialize());
      expect(again.score(line)).to.deep.equal(m.score(line));
    });

    it('leaves routine quoted failures low when each kind came on many occasions', () => {
      // Counted as a share of the slot's lines, a failure word in a tenth of them was barely
      // routine: 298 of 1,500 routine lines were flagged when this was first built.
      const failures = [
        'PHP Warning:  file_get_contents(https://rates.example.com/eur): Failed to open stream: Connection timed out in /var/www/rates.php on line 20',
        'PHP Warning:  mysqli::real_connect(): (HY000/2002): Connection refused in /var/www/db.php on line 7',
        'PHP Warning:  unlink(/tmp/cache/x): No such file or directory in /var/www/cache.php on line 30',
        'PHP Warning:  fopen(/var/www/log.txt): Permission denied in /var/www/log.php on line 4',
        'PHP Warning:  Invalid argument supplied for foreach() in /var/www/list.php on line 55',
        ...kinds,
      ];
      const line = (i: number, k: number): string =>
        `[proxy_fcgi:error] [pid ${1000 + (i % 50)}:tid ${14000 + i}] [client 10.0.0.${i % 200}:${40000 + i}] AH01071: Got error '${failures[k]}', referer: https://shop.example.com/p${i % 90}`;
      const tr = new ModelTrainer();
      for (let i = 0; i < 3000; i++) {
        tr.add(line(i, (i * 7) % failures.length));
        if (i % 2 === 0) tr.add('[mpm_event:notice] [pid 99:tid 1] AH00489: Apache/2.4.57 configured -- resuming normal operations');
      }
      const model = tr.finish();
      let flagged = 0;
      for (let i = 0; i < 300; i++) if (model.score(line(5000 + i, (i * 3) % failures.length)).score >= DEFAULT_THRESHOLD) flagged++;
      expect(flagged).to.equal(0);
    });

    // Found by a review of the first version of this commit.
    const terms = (text: string): string[] => textFailureTerms(text).map((t) => t.term);
    const reads: Array<[text: string, expected: string[]]> = [
      ['completed errors=0 failed=0', []],
      ['completed in 3 ms, retries: 0, errors: 0.', []],
      ['completed, errors: 0, warnings: 0', []],
      ['processed, failed: 0, retried: 0', []],
      ['processed 120 records, 0 route updates', []],
      ['ignore_errors=true on_error=continue', []],
      ['wrote /var/log/app/error.log and C:\\Crash Reports\\x', []],
      ['[Errno 111] Connection refused', ['errno', 'refused']],
      ['status=failed after 3 tries', ['failed']],
      ['0 errors, then disk full', ['full']],
    ];
    for (const [text, expected] of reads) {
      it(`reads ${JSON.stringify(text)} as ${expected.length === 0 ? 'no failure' : expected.join(', ')}`, () => expect(terms(text)).to.deep.equal(expected));
    }

    it('counts a routine quoted failure that first came after many one-off ones', () => {
      // The first 16 terms a slot met were all it counted: later routine ones were always new.
      const oneOff = ['fatal', 'panic', 'corrupted', 'crashed', 'deadlock', 'aborted', 'killed', 'segfault', 'hung', 'lockup', 'overflow', 'stuck', 'unreachable', 'rejected', 'invalid', 'illegal', 'mismatch', 'degraded', 'exhausted', 'overloaded', 'unresponsive', 'unhealthy', 'inconsistent', 'malformed', 'unreadable', 'stalled', 'evicted', 'starved', 'throttled', 'violation'];
      const tr = new ModelTrainer();
      oneOff.forEach((w, i) => tr.add(`2026-10-01T00:00:${String(i).padStart(2, '0')}Z web[7]: job ${i} finished result="step ${i} ${w} once"`));
      for (let i = 0; i < 6000; i++) {
        const text = i % 10 === 0 ? 'open /data/cache: permission denied' : `completed in ${i % 90} s`;
        tr.add(`2026-10-01T01:${String(Math.floor(i / 60) % 60).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}Z web[7]: job ${1000 + i} finished result="${text}"`);
      }
      const model = tr.finish();
      expect(model.score('2026-10-02T00:00:00Z web[7]: job 9000 finished result="open /data/cache: permission denied"').score).to.be.below(0.5);
      expect(model.score('2026-10-02T00:00:01Z web[7]: job 9001 finished result="open /data/cache: out of memory"').score).to.be.at.least(0.5);
    });

    it('takes part of the floor only from a routine quoted failure, not from one new to a routine message', () => {
      // The calm floor went by the template's occasions: `connection refused` where the result was
      // always `permission denied` lost 2.35 of its 5.6 nats.
      const tr = new ModelTrainer();
      const ts = (i: number): string => `2026-10-01T01:${String(Math.floor(i / 60) % 60).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}Z`;
      for (let i = 0; i < 12000; i++) {
        if (i % 20 === 0) tr.add(`${ts(i)} web[7]: job ${1000 + i} finished result="${i % 40 === 0 ? 'open /data/cache: permission denied' : `completed in ${i % 90} s`}"`);
        else tr.add(`${ts(i)} web[7]: heartbeat ${i % 50} ok`);
      }
      const model = tr.finish();
      const errors = (text: string): number => model.explain(`2026-10-02T00:00:01Z web[7]: job 9001 finished result="${text}"`).evidence.errors;
      expect(errors('open /data/cache: permission denied')).to.be.below(1);
      expect(errors('open /data/cache: connection refused')).to.be.closeTo(5.6, 1e-6);
    });

    it('keeps a routine quoted failure routine when its line gains a field', () => {
      // Once a new template, whose quoted failure words were all new however routine in the same
      // field; now the known record with a new field (added-fields.ts).
      const tr = new ModelTrainer();
      const line = (i: number, outcome: string, extra: string): string =>
        `{"ts":"2026-10-01T00:${String(i % 60).padStart(2, '0')}:00Z","level":"info","msg":"call finished","svc":"orders","dur_ms":${i % 900},"outcome":"${outcome}"${extra},"trace":"${(i * 7919).toString(16)}"}`;
      for (let i = 0; i < 4000; i++) tr.add(line(i, i % 8 === 0 ? `failed after ${1 + (i % 3)} attempts: connection refused` : `completed ${i % 60} rows`, ''));
      const model = tr.finish();
      const before = model.explain(line(5, 'failed after 2 attempts: connection refused', ',"region":"eu-west-1"'));
      expect(before.reasons).to.deep.equal(['new_fields', 'unseen_tokens', 'error_terms']);
      const fresh = model.explain(line(5, 'failed after 2 attempts: segmentation fault, core dumped', ',"region":"eu-west-1"'));
      expect(before.evidence.errors).to.be.below(fresh.evidence.errors / 2);
    });

    it('reads a quoted text too long to be masked in parts: a fatal error with its stack trace', () => {
      const trace = Array.from({ length: 8 }, (_, k) => `#${k} /var/www/shop/lib/db${k}.php(${10 + k}): PDO->__construct()`).join(' ');
      const fatal = m.score(`[proxy_fcgi:error] [pid 1003] AH01071: Got error 'PHP message: PHP Fatal error:  Uncaught PDOException: could not connect in /var/www/a3.php:12 Stack trace: ${trace}', referer: https://shop.example.com/`);
      expect(fatal.reasons).to.include('error_terms');
    });
  });
});