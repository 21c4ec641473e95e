// SIGHUP re-reads the config: added hosts start, removed hosts stop, thresholds apply to new
// lines; an invalid file is refused and the running configuration stays in force.
import { expect } from 'chai';
import { writeFileSync } from 'node:fs';
import { MongoClient, type Db } from 'mongodb';
import { DaemonProcess, writeConfig } from '../support/daemon-process.js';
import { Rng } from '../support/log-lines.js';
import { testMongoUri, uniqueDbName } from '../support/mongo-server.js';
import { insertLines, newLines, seedHistory, waitUntil } from '../support/seed.js';

describe('daemon reload on SIGHUP', function () {
  this.timeout(180_000);
  let client: MongoClient;
  let input: Db;
  let target: Db;
  let daemon: DaemonProcess | null = null;
  const inputName = uniqueDbName('rl_in');
  const targetName = uniqueDbName('rl_out');

  before(async () => {
    client = await new MongoClient(await testMongoUri()).connect();
    input = client.db(inputName);
    target = client.db(targetName);
    await seedHistory(input, 'syslog', ['one', 'two'], 300, new Rng(31));
  });

  after(async () => {
    await daemon?.stop('SIGKILL');
    await input?.dropDatabase().catch(() => undefined);
    await target?.dropDatabase().catch(() => undefined);
    await client?.close();
  });

  const body = (hosts: string[], extra = ''): string => `MG_INPUT_DB: "${inputName}"
MG_TARGET_DB: "${targetName}"
POLL_INTERVAL_SECONDS: 0.2
MIN_TRAINING_LINES: 50
LOG_SOURCES:
  "syslog":
    HOSTNAMES: ${JSON.stringify(hosts)}
    MG_TARGET_COL: "anomaly"
${extra}`;

  async function incidentsWritten(host: string, tag: string): Promise<void> {
    const lines = await insertLines(input, 'syslog', newLines(host, 20, 10, new Rng(tag.length), tag));
    const incidents = lines.filter((l) => l.incident);
    await waitUntil(`incidents of ${host} (${tag}) are written`, async () => {
      const docs = await target.collection('anomaly').find({ Hostname: host }).toArray();
      return incidents.every((i) => docs.some((d) => String(d.Message).includes(i.incident!)));
    });
  }

  it('adds a host, refuses an invalid file while staying in force, removes a host and applies a new threshold', async () => {
    const uri = await testMongoUri();
    const { file } = writeConfig(uri, body(['one']));
    daemon = new DaemonProcess(file);
    await daemon.waitForCount('trained', 1);
    await incidentsWritten('one', 'a');

    // Add host "two".
    writeFileSync(file, writeConfigText(uri, file, body(['one', 'two'])));
    daemon.signal('SIGHUP');
    await daemon.waitForCount('configuration reloaded', 1);
    await daemon.waitForCount('trained', 2);
    expect(daemon.logs.filter((l) => l.msg === 'trained').map((l) => l.host)).to.deep.equal(['one', 'two']);
    await incidentsWritten('two', 'b');

    // An invalid file is refused; both hosts keep working.
    writeFileSync(file, writeConfigText(uri, file, body(['one', 'two'], 'THRESHOLD: "high"\n')));
    daemon.signal('SIGHUP');
    const refused = await daemon.waitForLog((l) => l.msg.startsWith('reload refused'), 10_000, 'reload refused');
    expect(JSON.stringify(refused.problems)).to.include('THRESHOLD');
    await incidentsWritten('one', 'cc');
    await incidentsWritten('two', 'dd');

    // Remove "one" and set threshold 0 (every line of "two" becomes a target document).
    writeFileSync(file, writeConfigText(uri, file, body(['two'], 'THRESHOLD: 0\n')));
    daemon.signal('SIGHUP');
    await daemon.waitForCount('configuration reloaded', 2);
    await daemon.waitForLog((l) => l.msg === 'host removed from configuration; stopped' && l.host === 'one', 10_000, 'host one stopped');
    const beforeOne = await target.collection('anomaly').countDocuments({ Hostname: 'one' });
    await insertLines(input, 'syslog', newLines('one', 10, 5, new Rng(1), 'gone'));
    const routineTwo = await insertLines(input, 'syslog', newLines('two', 10, 0, new Rng(2), 'all'));
    await waitUntil('every new line of two is written at threshold 0', async () => {
      const n = await target.collection('anomaly').countDocuments({ input_id: { $in: routineTwo.map((l) => l.id) } });
      return n === routineTwo.length;
    });
    await new Promise((r) => setTimeout(r, 800));
    expect(await target.collection('anomaly').countDocuments({ Hostname: 'one' })).to.equal(beforeOne);
    expect((await daemon.stop('SIGTERM')).code).to.equal(0);
  });
});

/** The same connection and model lines as writeConfig, with a new body. */
function writeConfigText(uri: string, file: string, yamlBody: string): string {
  const dir = file.slice(0, file.lastIndexOf('/'));
  const m = /^mongodb:\/\/127\.0\.0\.1:(\d+)\/$/.exec(uri);
  const conn = m && !process.env.MONGODB_URI ? `MG_HOST: "127.0.0.1"\nMG_PORT: ${m[1]}\n` : `MONGODB_URI: ${JSON.stringify(uri)}\n`;
  return `STORAGE_DATASOURCE: "mg"\nSTORAGE_DATASINK: "mg"\n${conn}MODEL_DIR: "${dir}/models"\n${yamlBody}`;
}
