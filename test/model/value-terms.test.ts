// Failure words written as a value (`status=failed`, `"state":"ERROR"`): the masker hides them
// from the template, so they are read per line from the values.
import { expect } from 'chai';
import { valueTermSeverity } from '../../src/model/vocabulary.js';
import { ModelTrainer } from '../../src/model/trainer.js';

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
});
