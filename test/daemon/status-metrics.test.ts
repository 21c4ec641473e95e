// What an operator looks at: `status`, /healthz and /metrics.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { modelFilePath } from '../../src/store/model-files.js';
import { CLI } from '../support/daemon-process.js';
import { Rng } from '../support/log-lines.js';
import { useTestBed } from '../support/test-bed.js';
import { insertLines, newLines, seedHistory, waitUntil } from '../support/seed.js';

describe('status, /healthz and /metrics', function () {
  this.timeout(180_000);
  const bed = useTestBed('st', async (b) => {
    await seedHistory(b.input, 'syslog', ['web1', 'db1'], 300, new Rng(41));
    await seedHistory(b.input, 'syslog', ['quiet'], 10, new Rng(42));
  });

  it('serves /healthz and /metrics, and status shows model, checkpoint, lag and recent anomalies', async () => {
    const { file, dir } = bed.writeConfig(`POLL_INTERVAL_SECONDS: 0.2
MIN_TRAINING_LINES: 50
HTTP_LISTEN: "127.0.0.1:0"
TRAINING_WINDOW_DAYS: 15
LOG_SOURCES:
  "syslog":
    HOSTNAMES: ["web1", "db1", "quiet"]
    MG_TARGET_COL: "anomaly"
`);
    const daemon = bed.startDaemon(file);
    const listening = await daemon.waitForLog((l) => l.msg.startsWith('http listener started'), 30_000, 'http listener');
    const base = `http://${String(listening.listen)}`;
    await daemon.waitForCount('trained', 2);
    await daemon.waitForLog((l) => l.msg.startsWith('too few lines') && l.host === 'quiet', 30_000, 'quiet host reported');
    const lines = await insertLines(bed.input, 'syslog', newLines('web1', 30, 10, new Rng(5), 'st'));
    await waitUntil('anomalies of web1 written', async () => (await bed.target.collection('anomaly').countDocuments({ Hostname: 'web1' })) >= 3);
    await waitUntil('checkpoint of web1 at the last line', async () => {
      const s = await bed.target.collection('anomaly_detector_state').findOne({ host: 'web1' });
      return String(s?.last_id) === String(lines[lines.length - 1].id);
    });

    const health = await fetch(`${base}/healthz`);
    expect(health.status).to.equal(200);
    const h = (await health.json()) as { status: string; mongodb: { reachable: boolean }; hosts: Record<string, number>; lag: { total: number } };
    expect(h.mongodb.reachable).to.equal(true);
    expect(h.hosts.ready).to.equal(2);
    expect(h.hosts.untrained).to.equal(1);
    expect(h.status).to.equal('degraded');

    let metrics = '';
    const value = (name: string): number => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(metrics)?.[1]);
    // web1 and db1 have caught up: their next polls are shared reads.
    await waitUntil('a shared read counted', async () => {
      metrics = await (await fetch(`${base}/metrics`)).text();
      return value('anomaly_detector_shared_reads_total') > 0;
    });
    expect(value('anomaly_detector_lines_scored_total')).to.be.at.least(30);
    expect(value('anomaly_detector_anomalies_written_total')).to.be.at.least(3);
    expect(value('anomaly_detector_trainings_total')).to.equal(2);
    expect(value('anomaly_detector_mongodb_up')).to.equal(1);
    // Each shared read carried the batch of one host or both.
    expect(value('anomaly_detector_shared_read_batches_total')).to.be.at.least(value('anomaly_detector_shared_reads_total'));
    expect(metrics).to.match(/^anomaly_detector_host_lag_lines\{source="syslog",host="web1"\} 0$/m);
    expect(metrics).to.match(/^anomaly_detector_hosts\{state="untrained"\} 1$/m);
    expect(metrics).to.include('# TYPE anomaly_detector_errors_total counter');
    expect((await fetch(`${base}/nope`)).status).to.equal(404);
    // A probe's HEAD, or a query string, gets the same answer (they were 405 and 404).
    const probe = await fetch(`${base}/healthz`, { method: 'HEAD' });
    expect(probe.status).to.equal(200);
    expect(await probe.text()).to.equal('');
    expect((await fetch(`${base}/healthz?probe=1`)).status).to.equal(200);
    expect((await fetch(`${base}/metrics?x`)).status).to.equal(200);
    expect((await fetch(`${base}/healthz`, { method: 'POST' })).status).to.equal(405);

    const env = { ...process.env };
    delete env.MONGODB_URI;
    const json = spawnSync(process.execPath, [CLI, 'status', '--config', file, '--json'], { encoding: 'utf8', env });
    expect(json.status, json.stderr).to.equal(0);
    const rows = JSON.parse(json.stdout) as Array<{ host: string; modelFile: string; model: { lines: number; templates: number } | null; lag: number; anomalies24h: number; linesScored: number; checkpoint: unknown }>;
    const web1 = rows.find((r) => r.host === 'web1')!;
    // 300 lines spread over 30 days, a 15-day window: the newer half.
    expect(web1.model!.lines).to.equal(150);
    expect(web1.model!.templates).to.be.greaterThan(3);
    expect(web1.lag).to.equal(0);
    expect(web1.linesScored).to.equal(30);
    expect(web1.anomalies24h).to.be.at.least(3);
    expect(web1.checkpoint).to.deep.equal({ $oid: String(lines[lines.length - 1].id) });
    expect(rows.find((r) => r.host === 'quiet')!.model).to.equal(null);

    const table = spawnSync(process.execPath, [CLI, 'status', '--config', file], { encoding: 'utf8', env });
    expect(table.status).to.equal(0);
    expect(table.stdout.split('\n')[0]).to.match(/^SOURCE\s+HOST\s+MODEL TRAINED/);
    expect(table.stdout).to.match(/\nsyslog\s+web1\s+\d{4}-/);
    expect(table.stdout).to.match(/\nsyslog\s+quiet\s+none/);
    expect(table.stdout).to.include(`{"$oid":"${String(lines[lines.length - 1].id)}"}`);
    expect((await daemon.stop('SIGTERM')).code).to.equal(0);
    // A damaged model file: the table says unusable, and a note under it says why.
    writeFileSync(modelFilePath(join(dir, 'models'), 'syslog', 'db1'), 'not a model\n');
    const damaged = spawnSync(process.execPath, [CLI, 'status', '--config', file], { encoding: 'utf8', env });
    expect(damaged.status).to.equal(0);
    expect(damaged.stdout).to.match(/\nsyslog\s+db1\s+unusable/);
    expect(damaged.stdout).to.match(/\n\nsyslog db1: model unusable: \S.*\n$/);
    // A model of another format is not used (the daemon retrains it): not shown as trained.
    const web1File = modelFilePath(join(dir, 'models'), 'syslog', 'web1');
    expect(web1.modelFile).to.equal(web1File);
    const text = readFileSync(web1File, 'utf8');
    const nl = text.indexOf('\n');
    writeFileSync(web1File, `${JSON.stringify({ ...JSON.parse(text.slice(0, nl)), format: 9 })}${text.slice(nl)}`);
    const old = spawnSync(process.execPath, [CLI, 'status', '--config', file], { encoding: 'utf8', env });
    expect(old.stdout).to.match(/\nsyslog\s+web1\s+unusable/);
    expect(old.stdout).to.include('model format 9 is not');
  });

  it('stops with exit 0 while an HTTP client holds a request open', async () => {
    const { file } = bed.writeSourceConfig(['web1'], { extra: 'HTTP_LISTEN: "127.0.0.1:0"\n' });
    const daemon = bed.startDaemon(file);
    const listening = await daemon.waitForLog((l) => l.msg.startsWith('http listener started'), 30_000, 'http listener');
    await daemon.waitForCount('trained', 1);
    const [host, port] = String(listening.listen).split(':');
    // A scraper whose request never completes (as one waiting on a stopped MongoDB would).
    const socket = connect(Number(port), host);
    await new Promise((r) => socket.once('connect', r));
    socket.write('GET /metrics HTTP/1.1\r\nHost: scraper\r\n');
    socket.on('error', () => undefined);
    const exit = await daemon.stop('SIGTERM');
    socket.destroy();
    expect(exit.code).to.equal(0);
    expect(daemon.count(/shutdown did not finish/)).to.equal(0);
  });
});
