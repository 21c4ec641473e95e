// MongoDB stops during a run, and is down when the daemon starts: it recovers by itself, loses nothing.
import { expect } from 'chai';
import { MongoClient } from 'mongodb';
import { DaemonProcess, writeConfig } from '../support/daemon-process.js';
import { Rng } from '../support/log-lines.js';
import { ownServer, sleep, uniqueDbName, type FerretServer } from '../support/mongo-server.js';
import { insertLines, newLines, seedHistory, waitUntil, type Inserted } from '../support/seed.js';

describe('daemon and MongoDB outages', function () {
  this.timeout(240_000);
  let server: FerretServer | null;
  let daemon: DaemonProcess | null = null;
  const inputName = uniqueDbName('out_in');
  const targetName = uniqueDbName('out_out');

  before(async function () {
    server = await ownServer();
    // Stopping the server is only possible with the harness's own FerretDB.
    if (!server) this.skip();
  });

  after(async () => {
    await daemon?.stop('SIGKILL');
    await server?.destroy();
  });

  async function withClient<T>(fn: (c: MongoClient) => Promise<T>): Promise<T> {
    const c = await new MongoClient(server!.uri, { serverSelectionTimeoutMS: 10_000 }).connect();
    try {
      return await fn(c);
    } finally {
      await c.close();
    }
  }

  it('waits for MongoDB at start, survives a stop of the server mid-run, and writes every incident once', async () => {
    await withClient((c) => seedHistory(c.db(inputName), 'syslog', ['gw1'], 300, new Rng(3)));
    const { file } = writeConfig(
      server!.uri,
      `MG_INPUT_DB: "${inputName}"
MG_TARGET_DB: "${targetName}"
POLL_INTERVAL_SECONDS: 0.2
MIN_TRAINING_LINES: 50
HTTP_LISTEN: "127.0.0.1:0"
LOG_SOURCES:
  "syslog":
    HOSTNAMES: ["gw1"]
    MG_TARGET_COL: "gw_anomaly"
`,
    );
    await server!.stop();
    daemon = new DaemonProcess(file);
    await daemon.waitForLog((l) => l.msg.startsWith('mongodb unreachable'), 30_000, 'unreachable at start');
    await sleep(1500);
    expect(daemon.count(/^mongodb unreachable/)).to.equal(1);
    await server!.start();
    await daemon.waitForCount('trained', 1, 60_000);

    const rng = new Rng(8);
    const inserted: Inserted[] = [];
    inserted.push(...(await withClient((c) => insertLines(c.db(inputName), 'syslog', newLines('gw1', 100, 25, rng, 'pre')))));
    await server!.stop();
    // Its first seconds, before a poll has failed: the lines cannot be counted, so the lag is
    // unknown (it was reported as 0, after the driver's 5 s timeout).
    const listening = await daemon.waitForLog((l) => l.msg.startsWith('http listener started'), 1000, 'http listener');
    const early = (await (await fetch(`http://${String(listening.listen)}/healthz`)).json()) as { lag: unknown };
    expect(early.lag).to.equal(null);
    await daemon.waitForLog((l) => l.msg.startsWith('mongodb unreachable') && daemon!.count(/^mongodb unreachable/) >= 2, 30_000, 'second outage noticed');
    await sleep(3000);
    expect(daemon.count(/^mongodb unreachable/), 'one log line per change of state').to.equal(2);
    const health = await fetch(`http://${String(listening.listen)}/healthz`);
    expect(health.status).to.equal(503);
    // Lines are not counted while MongoDB is down: the lag is unknown, not 0.
    expect(await health.json()).to.include({ status: 'down', lag: null });
    await server!.start();
    inserted.push(...(await withClient((c) => insertLines(c.db(inputName), 'syslog', newLines('gw1', 100, 25, rng, 'post')))));

    const incidents = inserted.filter((l) => l.incident);
    expect(incidents).to.have.length(8);
    let missing: string[] = [];
    await withClient((c) =>
      waitUntil(
        'every incident is written after the outage',
        async () => {
          const docs = await c.db(targetName).collection('gw_anomaly').find().toArray();
          missing = incidents.filter((i) => !docs.some((d) => String(d.Message).includes(i.incident!))).map((i) => i.incident!);
          return missing.length === 0;
        },
        90_000,
      ),
    ).catch((err: Error) => {
      // What the daemon was doing is the only way to tell a hang from a loss.
      throw new Error(`${err.message}; missing ${JSON.stringify(missing)}; logs: ${daemon!.dump()}`);
    });
    await sleep(800);
    const docs = await withClient((c) => c.db(targetName).collection('gw_anomaly').find().toArray());
    for (const inc of incidents) expect(docs.filter((d) => String(d.Message).includes(inc.incident!)), inc.incident!).to.have.length(1);
    expect(daemon.count('mongodb reachable again; resuming')).to.be.at.least(2);
    const state = await withClient((c) => c.db(targetName).collection('anomaly_detector_state').findOne({ host: 'gw1' }));
    expect(String(state!.last_id)).to.equal(String(inserted[inserted.length - 1].id));
    expect((await daemon.stop('SIGTERM')).code).to.equal(0);
  });
});
