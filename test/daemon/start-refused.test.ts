// MongoDB answers but refuses a start step (here: the unique index of a target collection whose
// documents hold duplicates). That is reported as what it is, not as an outage, and the daemon
// starts by itself once the cause is removed.
import { expect } from 'chai';
import { Rng } from '../support/log-lines.js';
import { useTestBed } from '../support/test-bed.js';
import { seedHistory } from '../support/seed.js';

describe('a start step that MongoDB refuses', function () {
  this.timeout(120_000);
  const bed = useTestBed('refused', (b) => seedHistory(b.input, 'syslog', ['gw1'], 120, new Rng(5)));

  it('logs the refusal with the collection, once, not as unreachable, and starts once it is fixed', async () => {
    await bed.target.collection('anomaly').insertMany([
      { source: 'syslog', input_id: 'imported-twice', note: 'copied in by hand' },
      { source: 'syslog', input_id: 'imported-twice', note: 'copied in by hand' },
    ]);
    const { file } = bed.writeSourceConfig(['gw1']);
    const daemon = bed.startDaemon(file);
    const refused = await daemon.waitForLog((l) => l.msg.startsWith('mongodb refused'), 30_000, 'refusal logged');
    expect(refused.level).to.equal(50);
    expect(String(refused.err)).to.include(`target collection ${bed.targetName}.anomaly: `);
    // Backoff retries 1 s, 2 s, 4 s later: still one line for one cause.
    await new Promise((r) => setTimeout(r, 4000));
    expect(daemon.count(/^mongodb refused/)).to.equal(1);
    expect(daemon.count(/^mongodb unreachable/)).to.equal(0);
    expect(daemon.count(/^trained/)).to.equal(0);

    await bed.target.collection('anomaly').deleteOne({ note: 'copied in by hand' });
    await daemon.waitForLog((l) => l.msg === 'trained', 60_000, 'trained after the duplicate is gone');
    expect((await daemon.stop('SIGTERM')).code).to.equal(0);
  });
});
