// The daemon loses the reply of a checkpoint save that the server applied (the connection drops
// as the reply comes back): it reads the checkpoint again instead of reading, scoring and
// counting the batch a second time.
import { expect } from 'chai';
import { isUpdateOf, useCuttingProxy } from '../support/cutting-proxy.js';
import { writeConfig } from '../support/daemon-process.js';
import { Rng } from '../support/log-lines.js';
import { insertLines, newLines, seedHistory, waitUntil, type Inserted } from '../support/seed.js';
import { useTestBed } from '../support/test-bed.js';

const STATE = 'anomaly_detector_state';

describe('daemon: a checkpoint save whose reply is lost', function () {
  this.timeout(120_000);
  const bed = useTestBed('lostrep', (b) => seedHistory(b.input, 'syslog', ['web1'], 300, new Rng(41)));
  const proxy = useCuttingProxy(bed);

  it('goes on after the applied save: every line scored and counted once, every incident written once', async () => {
    const { file } = writeConfig(
      proxy().uri(bed.uri),
      `MG_INPUT_DB: "${bed.inputName}"
MG_TARGET_DB: "${bed.targetName}"
POLL_INTERVAL_SECONDS: 0.2
MIN_TRAINING_LINES: 50
LOG_SOURCES:
  "syslog":
    HOSTNAMES: ["web1"]
    MG_TARGET_COL: "anomaly"
`,
    );
    const d = await bed.startedDaemon(file);
    await d.waitForCount('trained', 1, 60_000);
    const state = bed.target.collection(STATE);
    const rng = new Rng(42);
    const inserted: Inserted[] = [];
    const batch = async (tag: string): Promise<void> => {
      const lines = await insertLines(bed.input, 'syslog', newLines('web1', 20, 5, rng, tag));
      inserted.push(...lines);
    };
    const reached = (last: Inserted) => async () => String((await state.findOne({ host: 'web1' }))?.last_id) === String(last.id);

    await batch('a');
    await waitUntil('first batch saved', reached(inserted[inserted.length - 1]!));
    // The next save of the memory of new messages as a change (its filter names the revision).
    proxy().cutAt(isUpdateOf(STATE, 'familiar.rev'), 'reply');
    await batch('b');
    await waitUntil('the reply cut', async () => proxy().cuts === 1, 30_000);
    await batch('c');
    await waitUntil('last batch saved', reached(inserted[inserted.length - 1]!), 30_000);

    const doc = await state.findOne({ host: 'web1' });
    expect(doc?.lines_scored, 'lines counted').to.equal(inserted.length);
    expect(doc?.familiar?.lines, 'lines in the saved memory of new messages').to.equal(inserted.length);
    const anomalies = await bed.target.collection('anomaly').find().toArray();
    const ids = anomalies.map((a) => String(a.input_id));
    expect(new Set(ids).size, 'no anomaly written twice').to.equal(ids.length);
    const incidents = inserted.filter((l) => l.incident !== null).map((l) => String(l.id));
    expect(incidents.filter((id) => !ids.includes(id)), 'incidents not written').to.deep.equal([]);
    expect(doc?.anomalies, 'anomalies counted').to.equal(anomalies.length);
  });
});
