// Failure words a line counts as none ("0 errors", "Errors: 0", "errors=0"), by table, and what
// they do to a score.
import { expect } from 'chai';
import { compileMasks, tokenize } from '../../src/model/mask.js';
import { checkNone, noneCheck, wordsCountedAsNone } from '../../src/model/zero-counts.js';
import { type HostModel } from '../../src/model/detector.js';
import { ModelTrainer } from '../../src/model/trainer.js';

const masks = compileMasks([]);
const TERMS = new Set(['errors', 'error', 'failures', 'failed', 'dropped', 'warnings', 'critical', 'invalid']);
const none = (line: string): string[] => [...(wordsCountedAsNone(tokenize(line, masks), TERMS) ?? [])].sort();

/**
 * A line with a zero count and the same template with a nonzero one: the first carries no
 * failure terms, the second does and scores higher. Returns the quiet line's explanation.
 */
function quietThenFailing(model: HostModel, quietLine: string, failingLine: string): ReturnType<HostModel['explain']> {
  const quiet = model.explain(quietLine);
  const failing = model.explain(failingLine);
  expect(quiet.template).to.equal(failing.template);
  expect(quiet.reasons).to.not.include('error_terms');
  expect(quiet.evidence.errors).to.equal(0);
  expect(failing.reasons).to.include('error_terms');
  expect(failing.score).to.be.greaterThan(quiet.score);
  return quiet;
}

describe('failure words counted as none', () => {
  const table: Array<[string, string[]]> = [
    ['Build finished with 0 errors, 0 warnings', ['errors', 'warnings']],
    ['Tests run: 50, Failures: 0, Errors: 0, Skipped: 0', ['errors', 'failures']],
    ['requests=100 errors=0 failed=0 dropped=0', ['dropped', 'errors', 'failed']],
    ['rsync: 0 error(s), 12 files', ['error']],
    ['errors: 0.0%', ['errors']],
    ['collected 12 items: 12 passed, 0 failed', ['failed']],
    ['job summary: 0 failed', ['failed']],
    ['backup done errors="0" failed="0"', ['errors', 'failed']],
    ['errors = 0', ['errors']],
    // Counters named by a key of several words, or listed as name and count.
    ['stats: error_count=0 retry_count=3', ['error']],
    ['failed_jobs: 0, done_jobs: 12', ['failed']],
    ['RX errors 0 dropped 0 overruns 0 frame 0', ['dropped', 'errors']],
    ['http_errors_total 0', ['errors']],
    // A count that is not zero, or a zero that counts something else, is not "none".
    ['3 errors, 0 warnings', ['warnings']],
    ['requests=0 errors=5', []],
    ['Tests run: 5, Failures: 2, Errors: 0', ['errors']],
    ['worker 0 failed to start', []],
    ['worker 0 fails to start', []],
    ['CPU 0 exceeds temperature threshold', []],
    ['0 failed to start', []],
    ['slot 0: errors detected on link', []],
    ['[    0.000000] failed to map ACPI table', []],
    ['disk 0 errors: 17', []],
    ['stats: error_count=2 retry_count=0', []],
    ['RX errors 3 dropped 0 overruns 0 frame 0', ['dropped']],
    ['job failed 0 retries left', []],
    // Counts before their words: the zero is the next word's.
    ['Build finished: 5 errors 0 warnings', ['warnings']],
    ['Results: 3 failures 0 errors', ['errors']],
    ['Summary: 10 passed 2 failed 0 skipped', []],
    // A zero after a word in no list of counters counts something else.
    ['Job 1234 failed 0 retries left', []],
    ['Upload 7 failed 0 bytes sent', []],
    ['device error 0 at 0x7f3a', []],
    ['error 0 in module loader', []],
    // A zero before a noun phrase counts what the phrase names: its failure words did not happen.
    ['0 fatal errors reported', ['errors']],
    ['sshd: found 0 failed login attempts', ['failed']],
    ['scan complete: 0 critical vulnerabilities.', ['critical']],
    ['0 dropped packets, 3 retransmits', ['dropped']],
    ['rsync: 0 failed file(s), 12 sent', ['failed']],
    // ... not one that names no counted thing, or runs past a few words, or a nonzero count.
    ['node 0 critical temperature reached', []],
    ['disk 0 failed status', []],
    ['0 failed to bind, retrying in 5 seconds', []],
    ['0 failed user login retry attempts', []],
    ['3 fatal errors reported', []],
    // A zero the masker merged with a header's values before it (Squid's cache.log) is still the count.
    ['2026/11/24 10:00:00 kid1|         0 Invalid entries.', ['invalid']],
    ['2026/11/24 10:00:00 kid1|         0 With invalid flags.', ['invalid']],
    ['2026/11/24 10:00:00 kid1|         3 Invalid entries.', []],
    ['2026/11/24 10:00:00 kid1| 0 errors', ['errors']],
    // A counter named in two words, a hex zero, none of several.
    ['result: SUCCESS (error code 0)', ['error']],
    ['error count: 0, retries: 2', ['error']],
    ['Error Code = 0x00000000', ['error']],
    ['error rate 0.00% over 5m', ['error']],
    ['health check passed: failures=0/3', ['failures']],
    ['error code 5', []],
    ['error code: 0x80004005', []],
    ['health check: failures=2/3', []],
    // A key's value that says there is nothing (Python's None, Go's nil, false, empty): none.
    ['request finished in 12 ms error=None', ['error']],
    ['sync done, failed=false, retries=2', ['failed']],
    ['job done, errors: null', ['errors']],
    ['upload done errors=- status=200', ['errors']],
    ['upload done error="" status=200', ['error']],
    ['sync done error=<nil> took=5ms', ['error']],
    ['Error: null, retries: 2', ['error']],
    ['retries: 2, failures = none, warnings: 1', ['failures']],
    // ... not a value that names something, nor a null that is not the whole value.
    ['request finished in 12 ms error=ETIMEDOUT', []],
    ['sync done, failed=true, retries=2', []],
    ['Error: null pointer dereference', []],
    // A word also written otherwise in the line still counts.
    ['0 errors in pass 1, 4 errors in pass 2', []],
    ['0 failed jobs, then 2 failed jobs', []],
    ['0 failed jobs; 3 failed disks', []],
    ['0 critical input interrupts; critical temperature on node 4', []],
    ['0 fatal errors; 2 errors in pass 2', []],
    // ... but the counted phrase named again is the same thing: its words are none there too.
    ['10712 total interrupts. 0 critical input interrupts. 0 microseconds total spent on critical input interrupts', ['critical']],
    ['0 critical input interrupts. 0 microseconds max time in a critical input interrupt.', ['critical']],
    ['0 failed login attempts; time of the failed login attempt: never', ['failed']],
    // ... not after a count or a quantifier, which counts it anew.
    ['0 failed jobs; many failed jobs before', []],
    ['0 failed jobs; last failed jobs: never', []],
    ['5 critical input interrupts. 0 microseconds total spent on critical input interrupts', []],
  ];
  for (const [line, want] of table) {
    it(`"${line}" -> [${want.join(', ')}]`, () => expect(none(line)).to.deep.equal(want));
  }

  // Scoring reads a shape's tokens once (noneCheck) and each line's values (checkNone): the same
  // answer as reading the whole line, for every line of the shape, whichever line the shape came from.
  it('gives each line of a shape the answer of its own values, from a check made on any line of the shape', () => {
    const fill = (line: string, v: string): string => line.replace(/\b\d+(\.\d+)?\b/g, v);
    let skipped = 0;
    for (const [line] of [...table, ['connection failed after 3 retries', []], ['error 5 reading sector 9', []]] as Array<[string, string[]]>) {
      const variants = [line, fill(line, '0'), fill(line, '7'), fill(line, '0.0')];
      for (const from of variants) {
        const shape = tokenize(from, masks);
        const check = noneCheck(shape, TERMS);
        if (check === null) skipped++;
        for (const other of variants) {
          const tok = tokenize(other, masks);
          if (tok.tokens.join('\u0000') !== shape.tokens.join('\u0000')) continue;
          const got = check === null ? [] : [...(checkNone(tok, check) ?? [])].sort();
          expect(got, `${other} with the check of ${from}`).to.deep.equal([...(wordsCountedAsNone(tok, TERMS) ?? [])].sort());
        }
      }
    }
    // Shapes where no line can count a word as none need no reading per line.
    expect(noneCheck(tokenize('connection failed after 3 retries', masks), TERMS)).to.equal(null);
    expect(noneCheck(tokenize('Job 1234 failed 0 retries left', masks), TERMS)).to.equal(null);
    expect(skipped).to.be.greaterThan(0);
  });

  it('reads the value of a key whose placeholder a named masking rule wrote', () => {
    const named = compileMasks([{ pattern: '(?<=pid=)\\d+', name: 'pid' }]);
    const tok = tokenize('pid=0,errors=5', named);
    expect(tok.tokens).to.deep.equal(['pid=<pid>,errors=<*>']);
    expect(wordsCountedAsNone(tok, TERMS)).to.equal(null);
    expect([...(wordsCountedAsNone(tokenize('pid=7,errors=0', named), TERMS) ?? [])]).to.deep.equal(['errors']);
  });

  it('is judged per line, not per shape: "0 errors" and "12 errors" share a template', () => {
    const trainer = new ModelTrainer();
    for (let i = 0; i < 200; i++) {
      trainer.add(`GET /api/items/${i} 200 ${i % 50}ms`);
      trainer.add(`cache refresh ${i} took ${i % 30}ms`);
    }
    const model = trainer.finish();
    // A summary the host never wrote: new either way; only the failing one carries failure terms.
    const zero = quietThenFailing(model, 'nightly backup done: copied 70 files, 0 errors', 'nightly backup done: copied 70 files, 12 errors');
    expect(zero.reasons).to.include('new_template');
  });

  it('reads a zero before a noun phrase (`0 failed login attempts`) as none, and a nonzero one as a failure', () => {
    const trainer = new ModelTrainer();
    for (let i = 0; i < 200; i++) {
      trainer.add(`Accepted publickey for deploy from 10.0.${i % 7}.${i % 200} port ${40000 + i}`);
      trainer.add(`session closed for user deploy`);
    }
    const model = trainer.finish();
    quietThenFailing(model, 'audit summary: 0 failed login attempts, 0 fatal errors', 'audit summary: 9 failed login attempts, 2 fatal errors');
  });

  it('reads a counted phrase named again (`... spent on critical input interrupts`) as the none it counted', () => {
    const trainer = new ModelTrainer();
    for (let i = 0; i < 200; i++) {
      trainer.add(`ciod: generated ${i % 40} core files for program /bgl/apps/job${i % 9}`);
      trainer.add(`instruction cache parity error corrected`);
    }
    const model = trainer.finish();
    quietThenFailing(
      model,
      '10722 total interrupts. 0 critical input interrupts. 0 microseconds total spent on critical input interrupts, 0 microseconds max time in a critical input interrupt.',
      '10722 total interrupts. 4 critical input interrupts. 0 microseconds total spent on critical input interrupts, 0 microseconds max time in a critical input interrupt.',
    );
  });

  it('reads a key given nothing (`error=None`) as none, and one given an error as a failure', () => {
    const trainer = new ModelTrainer();
    for (let i = 0; i < 200; i++) {
      trainer.add(`GET /api/items/${i} 200 ${i % 50}ms`);
      trainer.add(`cache refresh ${i} took ${i % 30}ms`);
    }
    const model = trainer.finish();
    quietThenFailing(model, 'sync of bucket photos finished: error=None', 'sync of bucket photos finished: error=ConnectionResetError');
  });

  it('keeps a routine zero summary quiet and flags the run that failed', () => {
    const trainer = new ModelTrainer();
    for (let i = 0; i < 300; i++) {
      trainer.add(`GET /api/items/${i} 200 ${i % 50}ms`);
      if (i % 30 === 0) trainer.add(`Tests run: ${40 + (i % 7)}, Failures: 0, Errors: 0, Skipped: ${i % 3}`);
    }
    const model = trainer.finish();
    const ok = model.score('Tests run: 44, Failures: 0, Errors: 0, Skipped: 1');
    const failed = model.score('Tests run: 44, Failures: 3, Errors: 0, Skipped: 1');
    expect(ok.reasons).to.not.include('error_terms');
    expect(ok.score).to.be.lessThan(0.5);
    expect(failed.reasons).to.include('error_terms');
    expect(failed.score).to.be.at.least(0.5);
  });

  it('reads interface counters (`RX errors 0 dropped 0`) as none, and a nonzero one as a failure', () => {
    const trainer = new ModelTrainer();
    for (let i = 0; i < 300; i++) {
      trainer.add(`eth0: RX packets ${1000 + i * 37} bytes ${90000 + i * 4111}`);
      trainer.add(`eth0: TX packets ${800 + i * 29} bytes ${70000 + i * 3001}`);
    }
    const model = trainer.finish();
    quietThenFailing(model, 'eth0: RX errors 0 dropped 0 overruns 0 frame 0', 'eth0: RX errors 214 dropped 0 overruns 0 frame 0');
  });

  it('keeps the failure of a summary that writes counts before their words (`5 errors 0 warnings`)', () => {
    const trainer = new ModelTrainer();
    for (let i = 0; i < 300; i++) {
      trainer.add(`Build ${i} finished: 0 errors 0 warnings`);
      trainer.add(`GET /api/items/${i} 200 ${i % 50}ms`);
    }
    const model = trainer.finish();
    const failed = model.explain('Build 9999 finished: 5 errors 0 warnings');
    expect(failed.reasons).to.include('error_terms');
    expect(failed.evidence.errors).to.be.greaterThan(0);
    expect(model.explain('Build 9999 finished: 0 errors 0 warnings').evidence.errors).to.equal(0);
  });
});
