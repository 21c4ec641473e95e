// Part 5: detection latency at the default poll interval (1 s) under 1,000 lines/s over 10 hosts.
// The bench inserts 100 lines every 100 ms (10 per host; 1 line in 100 is an incident, the rest
// realistic routine lines) with client-side ObjectIds, so it knows each line's insert time. Two
// latencies per anomaly document, both against the time just before the insertMany call:
//   visible:  when a watcher polling the target collection every 100 ms first saw the document
//   decided:  the document's detected_at (set by the worker when it read the batch)
// Each load window is bounded; the daemon is then given time to drain, and the next window starts.
//
// FerretDB (SQLite backend) scans a whole collection for every query, so on it the bench keeps
// both collections small while measuring: lines every host's checkpoint has passed are deleted
// from the input, and anomaly documents already seen are deleted from the target. With MongoDB
// (MONGODB_URI) nothing is deleted.
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { ObjectId, type Document } from 'mongodb';
import { incidentLine, Rng as IncidentRng } from '../test/support/log-lines.js';
import type { BenchContext } from './perf-context.js';
import { BenchDaemon, dropDatabases, historyDocs, insertBatched, interleave, writeDaemonConfig } from './perf-db.js';
import { lineSource } from './perf-lines.js';
import { cpuSeconds, sleep } from './perf-proc.js';
import { int, median, percentile, secs, type Figure } from './perf-report.js';

const SOURCE = 'lat_logs';
const TARGET = 'lat_anomaly';
const HOSTS = Array.from({ length: 10 }, (_, i) => `lat-${String(i + 1).padStart(2, '0')}`);
const TICK_MS = 100;
const PER_TICK = 100; // 1,000 lines/s
const INCIDENT_EVERY = 100;
const POLL_MS = 1000;
const WARMUP_SEC = 5;
/** How often the checkpoints are sampled (see the sampler). */
const SAMPLE_MS = 500;

interface Seen {
  seenAt: number;
  detectedAt: number;
}

interface WindowResult {
  visible: number[];
  decided: number[];
  lines: number;
  incidents: number;
  incidentsFound: number;
  others: number;
  rate: number;
  drainMs: number;
}

export async function benchLatency(ctx: BenchContext): Promise<Figure[]> {
  const db = await ctx.db();
  const client = db.client;
  const inName = `bench_lat_in_${process.pid}`;
  const outName = `bench_lat_out_${process.pid}`;
  const history = ctx.quick ? 300 : 1000;
  const windowSec = ctx.quick ? 6 : 20;
  const windows = ctx.runs;
  const dir = mkdtempSync(join(ctx.tmp, 'latency-'));
  const config = writeDaemonConfig(
    dir,
    db,
    `MG_INPUT_DB: "${inName}"\nMG_TARGET_DB: "${outName}"\nLOG_SOURCES:\n  "${SOURCE}":\n    HOSTNAMES: ${JSON.stringify(HOSTS)}\n    MG_TARGET_COL: "${TARGET}"\n`,
  );
  const input = client.db(inName).collection(SOURCE);
  const target = client.db(outName).collection(TARGET);
  const state = client.db(outName).collection('anomaly_detector_state');
  const prune = db.ferret;
  let daemon: BenchDaemon | null = null;
  let stopLoops = false;
  const loops: Array<Promise<void>> = [];
  try {
    await insertBatched(input, interleave(HOSTS.map((h, i) => historyDocs(h, history, 500 + i))));
    daemon = new BenchDaemon(config);
    const d = daemon;
    await d.waitFor(() => d.count('trained') >= HOSTS.length, 300_000, 'training of the 10 hosts');
    if (prune) await input.deleteMany({});
    await sleep(1500);

    const seen = new Map<string, Seen>();
    loops.push(
      (async () => {
        let since = new Date(0);
        while (!stopLoops) {
          const docs = await target.find({ detected_at: { $gte: since } }, { projection: { input_id: 1, detected_at: 1 } }).toArray();
          const now = Date.now();
          const fresh: ObjectId[] = [];
          let maxDetected = since.getTime();
          for (const doc of docs) {
            const key = String(doc.input_id);
            const det = (doc.detected_at as Date).getTime();
            if (det > maxDetected) maxDetected = det;
            if (!seen.has(key)) {
              seen.set(key, { seenAt: now, detectedAt: det });
              fresh.push(doc._id as ObjectId);
            }
          }
          since = new Date(maxDetected - 10_000);
          if (prune && fresh.length > 0) await target.deleteMany({ _id: { $in: fresh } });
          await sleep(TICK_MS);
        }
      })(),
    );
    // Checkpoint sampler: every checkpoint save (one per batch read) gives the host's batch times;
    // on FerretDB it also deletes the input lines every host has passed, once a second. Every
    // SAMPLE_MS, not every tick: a state document holds the host's memory of new messages (about
    // 20 KB here), and FerretDB decodes all of them for each find, projection or not. In one
    // experiment (late-line checks every 5 s) sampling every 1 s instead of every 0.1 s took the
    // measured p99 from 7.7 s to 5.2 s: the bench's own load, not the daemon's.
    const batchTimes = new Map<string, number[]>();
    loops.push(
      (async () => {
        let lastPrune = 0;
        while (!stopLoops) {
          const cps = await state.find({ source: SOURCE }, { projection: { host: 1, last_id: 1, updated_at: 1 } }).toArray();
          for (const c of cps) {
            const at = c.updated_at instanceof Date ? c.updated_at.getTime() : 0;
            const xs = batchTimes.get(String(c.host)) ?? [];
            if (xs[xs.length - 1] !== at) xs.push(at);
            batchTimes.set(String(c.host), xs);
          }
          if (prune && Date.now() - lastPrune >= 1000 && cps.length === HOSTS.length && cps.every((c) => c.last_id instanceof ObjectId)) {
            lastPrune = Date.now();
            const min = cps.map((c) => c.last_id as ObjectId).reduce((a, b) => (a.toHexString() < b.toHexString() ? a : b));
            await input.deleteMany({ _id: { $lte: min } });
          }
          await sleep(SAMPLE_MS);
        }
      })(),
    );

    const results: WindowResult[] = [];
    let server0 = NaN;
    let daemon0 = NaN;
    let loadStart = Date.now();
    // Window 0 warms up (JIT, SQLite caches) and is not counted.
    for (let w = 0; w <= windows; w++) {
      if (w === 1) {
        server0 = db.serverPid ? cpuSeconds(db.serverPid) : NaN;
        daemon0 = cpuSeconds(d.pid);
        loadStart = Date.now();
      }
      const seconds = w === 0 ? WARMUP_SEC : windowSec;
      const src = lineSource(600 + w);
      const rng = new IncidentRng(700 + w);
      const inserted = new Map<string, { t: number; incident: boolean }>();
      const lastId = new Map<string, string>();
      const inflight: Array<Promise<unknown>> = [];
      const t0 = Date.now();
      const ticks = (seconds * 1000) / TICK_MS;
      let seq = 0;
      for (let k = 0; k < ticks; k++) {
        const wait = t0 + k * TICK_MS - Date.now();
        if (wait > 0) await sleep(wait);
        const docs: Document[] = [];
        const now = Date.now();
        for (let j = 0; j < PER_TICK; j++) {
          const host = HOSTS[j % HOSTS.length]!;
          const incident = seq++ % INCIDENT_EVERY === INCIDENT_EVERY - 1;
          const message = incident ? incidentLine(rng, `incident${w}x${k}x${j}`) : src.next();
          const _id = new ObjectId();
          docs.push({ _id, Hostname: host, Message: message, timestamp: new Date(now) });
          inserted.set(_id.toHexString(), { t: now, incident });
          lastId.set(host, _id.toHexString());
        }
        inflight.push(input.insertMany(docs, { ordered: true }));
        if (inflight.length >= 5) await inflight.shift();
      }
      await Promise.all(inflight);
      const rate = (inserted.size / (Date.now() - t0)) * 1000;
      // Drain: until every host's checkpoint has passed its last line, then let the watcher look once more.
      const drainStart = Date.now();
      // Every 250 ms, with a projection: the last lines of the window are still being read, and a
      // find of the state documents every 100 ms slowed the server that reads them.
      for (;;) {
        const cps = await state.find({ source: SOURCE }, { projection: { host: 1, last_id: 1 } }).toArray();
        if (cps.every((c) => c.last_id instanceof ObjectId && c.last_id.toHexString() >= lastId.get(String(c.host))!)) break;
        if (Date.now() - drainStart > 120_000) throw new Error(`window ${w}: the daemon had not processed every line 120 s after the load stopped`);
        await sleep(250);
      }
      const drainMs = Date.now() - drainStart;
      await sleep(3 * TICK_MS + 200);
      const res: WindowResult = { visible: [], decided: [], lines: inserted.size, incidents: 0, incidentsFound: 0, others: 0, rate, drainMs };
      for (const [key, info] of inserted) {
        if (info.incident) res.incidents++;
        const s = seen.get(key);
        if (!s) continue;
        if (info.incident) res.incidentsFound++;
        else res.others++;
        res.visible.push(s.seenAt - info.t);
        res.decided.push(s.detectedAt - info.t);
      }
      if (w === 0) {
        ctx.log(`  warm-up window (${seconds} s, not counted): ${res.visible.length} anomalies, visible p99 ${secs(percentile(res.visible, 99))}`);
        continue;
      }
      results.push(res);
      ctx.log(
        `  window ${w} (${seconds} s at ${int(rate)} lines/s): ${res.visible.length} anomalies (${res.incidentsFound}/${res.incidents} incidents, ${res.others} other lines); ` +
          `visible p50 ${secs(percentile(res.visible, 50))} p99 ${secs(percentile(res.visible, 99))} max ${secs(Math.max(...res.visible))}; ` +
          `detected_at p50 ${secs(percentile(res.decided, 50))} p99 ${secs(percentile(res.decided, 99))}; drained ${secs(drainMs)} after the load`,
      );
    }
    const loadSec = (Date.now() - loadStart) / 1000;
    // Poll period per host: time between successive checkpoint saves during the load.
    const periods: number[] = [];
    for (const xs of batchTimes.values()) {
      for (let i = 1; i < xs.length; i++) if (xs[i - 1]! >= loadStart && xs[i]! - xs[i - 1]! < 30_000) periods.push(xs[i]! - xs[i - 1]!);
    }
    const processing = results.flatMap((r) => r.visible.map((v, i) => v - r.decided[i]!));
    ctx.log(
      `  where the latency goes: poll period per host (between checkpoint saves, sampled every ${SAMPLE_MS / 1000} s) p50 ${secs(percentile(periods, 50))} p90 ${secs(percentile(periods, 90))} ` +
        `max ${secs(Math.max(...periods))}; insert → read (detected_at) p50 ${secs(median(results.map((r) => percentile(r.decided, 50))))}; ` +
        `read → visible (score, write, watcher ≤ 0.1 s) p50 ${secs(percentile(processing, 50))} p99 ${secs(percentile(processing, 99))}`,
    );
    ctx.log(
      `  CPU over the windows (${loadSec.toFixed(0)} s): daemon ${(cpuSeconds(d.pid) - daemon0).toFixed(1)} s, ` +
        `database server ${db.serverPid ? (cpuSeconds(db.serverPid) - server0).toFixed(1) : 'n/a'} s` +
        (prune ? '; FerretDB: processed input lines and seen anomaly documents were deleted while measuring' : ''),
    );
    const p50v = results.map((r) => percentile(r.visible, 50));
    const p99v = results.map((r) => percentile(r.visible, 99));
    const p50d = results.map((r) => percentile(r.decided, 50));
    const p99d = results.map((r) => percentile(r.decided, 99));
    const samples = results.reduce((a, r) => a + r.visible.length, 0);
    const found = results.reduce((a, r) => a + r.incidentsFound, 0);
    const incidents = results.reduce((a, r) => a + r.incidents, 0);
    const limit = POLL_MS + 1000;
    const note = (xs: number[]): string => `median of ${xs.length} windows of ${windowSec} s (${xs.map(secs).join(', ')}); ${samples} anomalies, ${found}/${incidents} incidents found`;
    return [
      { part: '5', name: 'detection latency p50, insert → anomaly document visible (watcher every 100 ms)', value: secs(median(p50v)), target: '-', pass: null, note: note(p50v) },
      { part: '5', name: 'detection latency p99, insert → anomaly document visible', value: secs(median(p99v)), target: `≤ ${secs(limit)} (poll interval + 1 s)`, pass: median(p99v) <= limit, note: note(p99v) },
      { part: '5', name: 'latency by detected_at − insert time, p50 / p99', value: `${secs(median(p50d))} / ${secs(median(p99d))}`, target: '-', pass: null, note: `median of ${results.length} windows` },
    ];
  } finally {
    stopLoops = true;
    await Promise.allSettled(loops);
    await daemon?.stop();
    await dropDatabases(client, [inName, outName]);
  }
}
