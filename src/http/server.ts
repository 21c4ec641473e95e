// Optional HTTP listener: /healthz for probes and /metrics in the Prometheus text format.
import { createServer, type Server } from 'node:http';
import { Counter, Gauge, Registry } from 'prom-client';
import { httpStatusOf } from '../supervisor/health-status.js';
import type { Supervisor } from '../supervisor/supervisor.js';

/** How long requests in flight may take to answer once the daemon stops. */
const HTTP_STOP_GRACE_MS = 1000;

export interface HttpServer {
  port: number;
  close(): Promise<void>;
}

export async function startHttp(listen: { host: string; port: number }, supervisor: Supervisor): Promise<HttpServer> {
  const registry = buildRegistry(supervisor);
  const server: Server = createServer((req, res) => {
    void (async () => {
      try {
        // Probes send HEAD, or add a query string (`?verbose`, a cache buster): both are the same page.
        const path = (req.url ?? '').split('?', 1)[0];
        const head = req.method === 'HEAD';
        if (req.method !== 'GET' && !head) {
          res.writeHead(405, { allow: 'GET, HEAD' }).end();
        } else if (path === '/metrics') {
          const body = await registry.metrics();
          res.writeHead(200, { 'content-type': registry.contentType }).end(head ? undefined : body);
        } else if (path === '/healthz') {
          const health = await supervisor.healthReport();
          res.writeHead(httpStatusOf(health.status), { 'content-type': 'application/json' }).end(head ? undefined : `${JSON.stringify(health)}\n`);
        } else {
          res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: try /healthz or /metrics\n');
        }
      } catch (err) {
        res.writeHead(500, { 'content-type': 'text/plain' }).end(`${(err as Error).message}\n`);
      }
    })();
  });
  await new Promise<void>((res, rej) => {
    server.once('error', rej);
    server.listen(listen.port, listen.host, () => res());
  });
  const addr = server.address();
  return {
    port: typeof addr === 'object' && addr ? addr.port : listen.port,
    close: () =>
      new Promise((res) => {
        server.close(() => res());
        // close() waits for every open connection: a scrape stuck on a stopped MongoDB, or a
        // client that never finishes its request, would hold up the daemon's stop. Requests in
        // flight get a moment to answer, then their connections are cut.
        server.closeIdleConnections();
        setTimeout(() => server.closeAllConnections(), HTTP_STOP_GRACE_MS).unref();
      }),
  };
}

function buildRegistry(sup: Supervisor): Registry {
  const registry = new Registry();
  const s = sup.stats;
  // Counters mirror DaemonStats at scrape time, so the hot path only bumps plain numbers.
  const counter = (name: string, help: string, read: () => number): void => {
    new Counter({
      name,
      help,
      registers: [registry],
      collect() {
        this.reset();
        this.inc(read());
      },
    });
  };
  counter('anomaly_detector_lines_read_total', 'Input lines read from MongoDB.', () => s.linesRead);
  counter('anomaly_detector_shared_reads_total', "Reads of an input collection that fetched the next batches of a source's caught-up hosts at once.", () => s.sharedReads);
  counter('anomaly_detector_shared_read_batches_total', 'Host batches fetched by those shared reads (the other batches each host read alone).', () => s.sharedReadBatches);
  counter('anomaly_detector_late_lines_total', 'Input lines found behind the checkpoint (made before lines already read) and read then.', () => s.lateLines);
  counter('anomaly_detector_lines_scored_total', 'Input lines scored.', () => s.linesScored);
  counter('anomaly_detector_lines_skipped_total', 'Input lines without a text message (missing or not a string).', () => s.linesSkipped);
  counter('anomaly_detector_anomalies_written_total', 'Anomaly documents written to target collections.', () => s.anomaliesWritten);
  counter('anomaly_detector_anomalies_ignored_total', 'Lines at or above the threshold not written because IGNORE matched.', () => s.anomaliesIgnored);
  counter('anomaly_detector_trainings_total', 'Completed model trainings.', () => s.trainings);
  counter('anomaly_detector_training_seconds_total', 'Time spent in completed trainings.', () => s.trainingSecondsTotal);
  counter('anomaly_detector_errors_total', 'Failed tasks other than MongoDB outages (worker crashes included).', () => s.errors);
  counter('anomaly_detector_mongodb_reconnects_total', 'Times MongoDB became reachable again after an outage.', () => sup.health.reconnects);
  new Gauge({
    name: 'anomaly_detector_last_training_seconds',
    help: 'Duration of the most recent training.',
    registers: [registry],
    collect() {
      this.set(s.lastTrainingSeconds);
    },
  });
  new Gauge({
    name: 'anomaly_detector_mongodb_up',
    help: '1 when the last MongoDB operation succeeded.',
    registers: [registry],
    collect() {
      this.set(sup.health.reachable ? 1 : 0);
    },
  });
  new Gauge({
    name: 'anomaly_detector_hosts',
    help: 'Watched hosts by state.',
    labelNames: ['state'],
    registers: [registry],
    collect() {
      this.reset();
      for (const state of ['starting', 'training', 'untrained', 'ready']) this.set({ state }, 0);
      for (const p of sup.pipelines.values()) this.inc({ state: p.state });
    },
  });
  new Gauge({
    name: 'anomaly_detector_host_lag_lines',
    help: 'Lines stored after the checkpoint (not yet scored), per source and host.',
    labelNames: ['source', 'host'],
    registers: [registry],
    async collect() {
      this.reset();
      const lags = await sup.lags();
      for (const l of lags) if (l.lag !== null) this.set({ source: l.source, host: l.host }, l.lag);
    },
  });
  return registry;
}
