// Part 4: end-to-end daemon throughput through the test database, against a plain driver program
// doing the same database work (the same per-host queries by _id ranges, sorted by _id, and the
// same documents written with insertMany), in the same run, alternating.
//
// Throughput is counted by checkpoint progress: the daemon moves a host's checkpoint only after
// the batch's anomalies are written, so the sum of `lines_scored` over the checkpoints is the
// number of lines fully processed; the finish time is the newest checkpoint's `updated_at`.
// With the default threshold few lines are written. A separate single-run diagnostic uses a
// source with THRESHOLD 0 (every line written) to show the cost of writing each line.
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import type { Document, MongoClient, ObjectId } from 'mongodb';
import type { BenchContext } from './perf-context.js';
import { BenchDaemon, checkpointSum, dropDatabases, historyDocs, insertBatched, interleave, writeDaemonConfig, type BenchDb } from './perf-db.js';
import { lineSource } from './perf-lines.js';
import { cpuSeconds, sleep } from './perf-proc.js';
import { formatDaemonProfiles } from './perf-profile.js';
import { int, median, runsNote, secs, type Figure } from './perf-report.js';

const SOURCE = 'e2e_logs';
const TARGET = 'e2e_anomaly';
const ALL_SOURCE = 'e2e_all';
const ALL_TARGET = 'e2e_all_anomaly';
const ALL_HOST = 'e2e-all';
const BATCH = 2000; // the daemon's default BATCH_SIZE
const STATE = 'anomaly_detector_state';

interface Run {
  ms: number;
  rate: number;
  written: number;
  daemonCpu: number;
  serverCpu: number;
}

interface Setup {
  db: BenchDb;
  client: MongoClient;
  inName: string;
  outName: string;
  baseName: string;
  snapshot: Document[];
}

function sourcesYaml(main: boolean, all: boolean, hosts: string[]): string {
  let y = 'LOG_SOURCES:\n';
  if (main) y += `  "${SOURCE}":\n    HOSTNAMES: ${JSON.stringify(hosts)}\n    MG_TARGET_COL: "${TARGET}"\n`;
  if (all) y += `  "${ALL_SOURCE}":\n    HOSTNAMES: ["${ALL_HOST}"]\n    MG_TARGET_COL: "${ALL_TARGET}"\n    THRESHOLD: 0\n`;
  return y;
}

/** Puts every checkpoint back where it was before the backlog was inserted. */
async function restoreCheckpoints(s: Setup): Promise<void> {
  const state = s.client.db(s.outName).collection(STATE);
  for (const d of s.snapshot) await state.replaceOne({ _id: d._id }, d, { upsert: true });
}

function startIds(s: Setup, source: string): Map<string, ObjectId> {
  return new Map(s.snapshot.filter((d) => d.source === source).map((d) => [String(d.host), d.last_id as ObjectId]));
}

async function daemonRun(
  s: Setup,
  config: string,
  source: string,
  target: string,
  expected: number,
  nodeArgs: string[] = [],
): Promise<Run & { ids: Set<string> }> {
  await restoreCheckpoints(s);
  await s.client.db(s.outName).collection(target).drop().catch(() => undefined);
  const server0 = s.db.serverPid ? cpuSeconds(s.db.serverPid) : NaN;
  const d = new BenchDaemon(config, { nodeArgs });
  try {
    await d.waitFor(() => d.count('started') > 0, 60_000, 'daemon start');
    const t0 = Date.parse(String(d.logs.find((l) => l.msg === 'started')!.time));
    let done = { sum: 0, lastUpdate: 0 };
    const deadline = Date.now() + 15 * 60_000;
    for (;;) {
      done = await checkpointSum(s.client, s.outName, source, 'lines_scored');
      if (done.sum >= expected) break;
      if (Date.now() > deadline) throw new Error(`daemon processed ${done.sum} of ${expected} lines in 15 min`);
      if (d.errors().length > 0) throw new Error(`daemon logged an error: ${JSON.stringify(d.errors()[0])}`);
      await sleep(100);
    }
    const daemonCpu = cpuSeconds(d.pid);
    const serverCpu = s.db.serverPid ? cpuSeconds(s.db.serverPid) - server0 : NaN;
    const docs = await s.client.db(s.outName).collection(target).find({}, { projection: { input_id: 1 } }).toArray();
    const ms = done.lastUpdate - t0;
    return { ms, rate: (expected / ms) * 1000, written: docs.length, ids: new Set(docs.map((x) => String(x.input_id))), daemonCpu, serverCpu };
  } finally {
    await d.stop();
  }
}

/** The plain driver program: same queries per host, writes the given lines (all when `ids` is null). */
async function baselineRun(s: Setup, source: string, hosts: string[], perHost: number, ids: Set<string> | null, mode: 'insert' | 'upsert'): Promise<Run> {
  const input = s.client.db(s.inName).collection(source);
  const target = s.client.db(s.baseName).collection(`baseline_${mode}`);
  await target.drop().catch(() => undefined);
  // The same indexes the daemon's target collection has.
  await target.createIndex({ source: 1, input_id: 1 }, { unique: true, name: 'source_input_id_unique' });
  await target.createIndex({ Hostname: 1, timestamp: -1 }, { name: 'host_time' });
  await target.createIndex({ detected_at: -1 }, { name: 'detected_at' });
  const from = startIds(s, source);
  const server0 = s.db.serverPid ? cpuSeconds(s.db.serverPid) : NaN;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let written = 0;
  let read = 0;
  await Promise.all(
    hosts.map(async (host) => {
      let last = from.get(host)!;
      let n = 0;
      while (n < perHost) {
        const docs = await input
          .find({ Hostname: host, _id: { $gt: last } }, { projection: { Message: 1, Hostname: 1, timestamp: 1 }, sort: { _id: 1 }, limit: BATCH })
          .toArray();
        if (docs.length === 0) break;
        n += docs.length;
        last = docs[docs.length - 1]!._id as ObjectId;
        const out = docs
          .filter((x) => ids === null || ids.has(String(x._id)))
          .map((x) => ({
            source,
            input_id: x._id,
            Message: x.Message,
            Hostname: x.Hostname,
            timestamp: x.timestamp,
            anomaly_score: 1,
            reasons: [],
            template: '',
            template_id: '',
            model_version: 'baseline',
            threshold: 0,
            detected_at: new Date(),
          }));
        if (out.length > 0) {
          if (mode === 'insert') await target.insertMany(out, { ordered: false });
          else await target.bulkWrite(out.map((o) => ({ updateOne: { filter: { source, input_id: o.input_id }, update: { $setOnInsert: o }, upsert: true } })), { ordered: false });
          written += out.length;
        }
      }
      read += n;
    }),
  );
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  if (read !== perHost * hosts.length) throw new Error(`baseline read ${read} of ${perHost * hosts.length} lines`);
  return { ms, rate: (read / ms) * 1000, written, daemonCpu: (cpu.user + cpu.system) / 1e6, serverCpu: s.db.serverPid ? cpuSeconds(s.db.serverPid) - server0 : NaN };
}

function cpuNote(r: Run, who: string): string {
  return `${who} CPU ${r.daemonCpu.toFixed(1)} s, database server CPU ${Number.isNaN(r.serverCpu) ? 'n/a' : `${r.serverCpu.toFixed(1)} s`}`;
}

export async function benchEndToEnd(ctx: BenchContext): Promise<Figure[]> {
  const db = await ctx.db();
  const hosts = ['e2e-1', 'e2e-2', 'e2e-3', 'e2e-4'];
  const history = ctx.quick ? 300 : 1000;
  const perHost = ctx.quick ? 1500 : 5000;
  const allLines = ctx.quick ? 300 : 500;
  const s: Setup = {
    db,
    client: db.client,
    inName: `bench_e2e_in_${process.pid}`,
    outName: `bench_e2e_out_${process.pid}`,
    baseName: `bench_e2e_base_${process.pid}`,
    snapshot: [],
  };
  const dir = mkdtempSync(join(ctx.tmp, 'e2e-'));
  const base = `MG_INPUT_DB: "${s.inName}"\nMG_TARGET_DB: "${s.outName}"\n`;
  const cfgTrain = writeDaemonConfig(dir, db, base + sourcesYaml(true, true, hosts), 'train.yaml');
  const cfgMain = writeDaemonConfig(dir, db, base + sourcesYaml(true, false, hosts), 'main.yaml');
  const cfgAll = writeDaemonConfig(dir, db, base + sourcesYaml(false, true, hosts), 'all.yaml');
  try {
    const input = s.client.db(s.inName);
    await insertBatched(input.collection(SOURCE), interleave(hosts.map((h, i) => historyDocs(h, history, 100 + i))));
    await insertBatched(input.collection(ALL_SOURCE), historyDocs(ALL_HOST, history, 200));
    const trainer = new BenchDaemon(cfgTrain);
    try {
      await trainer.waitFor(() => trainer.count('trained') >= hosts.length + 1, 300_000, 'training of the e2e hosts');
    } finally {
      await trainer.stop();
    }
    s.snapshot = await s.client.db(s.outName).collection(STATE).find({}).toArray();
    if (s.snapshot.length !== hosts.length + 1) throw new Error(`expected ${hosts.length + 1} checkpoints, found ${s.snapshot.length}`);

    // The backlog: new lines of all hosts interleaved as they would arrive.
    const srcs = hosts.map((_, i) => lineSource(300 + i));
    const backlog: Document[] = [];
    for (let k = 0; k < perHost; k++) hosts.forEach((h, i) => backlog.push({ Hostname: h, Message: srcs[i]!.next(), timestamp: new Date() }));
    let t = performance.now();
    await insertBatched(input.collection(SOURCE), backlog);
    const insertRate = (backlog.length / (performance.now() - t)) * 1000;
    const allSrc = lineSource(400);
    await insertBatched(input.collection(ALL_SOURCE), Array.from({ length: allLines }, () => ({ Hostname: ALL_HOST, Message: allSrc.next(), timestamp: new Date() })));
    const total = perHost * hosts.length;
    ctx.log(`  ${hosts.length} hosts x ${int(history)} history lines (trained), backlog ${hosts.length} x ${int(perHost)} = ${int(total)} new lines (inserted at ${int(insertRate)} docs/s)`);

    const ours: Run[] = [];
    const base: Run[] = [];
    const upsertBase: Run[] = [];
    for (let r = 1; r <= ctx.runs; r++) {
      const o = await daemonRun(s, cfgMain, SOURCE, TARGET, total);
      ours.push(o);
      const b = await baselineRun(s, SOURCE, hosts, perHost, o.ids, 'insert');
      base.push(b);
      // The same program writing the way the daemon does (idempotent upserts), to attribute the gap.
      const u = await baselineRun(s, SOURCE, hosts, perHost, o.ids, 'upsert');
      upsertBase.push(u);
      ctx.log(
        `  run ${r}: daemon ${int(o.rate)} lines/s (${secs(o.ms)}, ${o.written} anomalies written; ${cpuNote(o, 'daemon')}); ` +
          `baseline ${int(b.rate)} lines/s (${secs(b.ms)}, ${b.written} written; ${cpuNote(b, 'baseline')}); ` +
          `baseline writing with upserts ${int(u.rate)} lines/s (${secs(u.ms)}; ${cpuNote(u, 'baseline')})`,
      );
    }
    if (ctx.profileDir) {
      const pdir = join(ctx.profileDir, 'e2e-daemon');
      const p = await daemonRun(s, cfgMain, SOURCE, TARGET, total, ['--cpu-prof', `--cpu-prof-dir=${pdir}`]);
      await sleep(500);
      ctx.log(`  profiled daemon run: ${int(p.rate)} lines/s; ${cpuNote(p, 'daemon')}`);
      ctx.log(formatDaemonProfiles(pdir, 'e2e daemon'));
    }

    // Diagnostic: every line written (THRESHOLD 0), one run.
    const oa = await daemonRun(s, cfgAll, ALL_SOURCE, ALL_TARGET, allLines);
    const ba = await baselineRun(s, ALL_SOURCE, [ALL_HOST], allLines, null, 'insert');
    const ua = await baselineRun(s, ALL_SOURCE, [ALL_HOST], allLines, null, 'upsert');
    ctx.log(
      `  all lines written (THRESHOLD 0, 1 host x ${int(allLines)} lines, 1 run): daemon ${int(oa.rate)} lines/s (${oa.written} written; ${cpuNote(oa, 'daemon')}); ` +
        `baseline insertMany ${int(ba.rate)} lines/s; baseline with upserts (bulkWrite updateOne upsert $setOnInsert, the daemon's former write) ${int(ua.rate)} lines/s`,
    );

    const or = ours.map((x) => x.rate);
    const br = base.map((x) => x.rate);
    const ratios = ours.map((o, i) => o.rate / base[i]!.rate);
    const ur = upsertBase.map((x) => x.rate);
    const ratio = median(or) / median(br);
    const size = `${hosts.length} hosts x ${int(perHost)} new lines, default threshold`;
    return [
      { part: '4', name: `end-to-end daemon throughput (${size}; counted by checkpoint progress)`, value: `${int(median(or))} lines/s`, target: '-', pass: null, note: runsNote(or, int) },
      { part: '4', name: 'plain driver baseline (same per-host _id-range queries, insertMany of the same anomaly docs)', value: `${int(median(br))} lines/s`, target: '-', pass: null, note: runsNote(br, int) },
      { part: '4', name: 'end-to-end ratio ours / baseline', value: ratio.toFixed(2), target: '≥ 0.7', pass: ratio >= 0.7, note: `per-run ratios ${ratios.map((x) => x.toFixed(2)).join(', ')}; ${db.describe}` },
      {
        part: '4',
        name: 'diagnostic: ours / the same baseline writing with upserts (bulkWrite updateOne upsert $setOnInsert, the former write method of the daemon)',
        value: (median(or) / median(ur)).toFixed(2),
        target: '-',
        pass: null,
        note: `upsert baseline ${runsNote(ur, int)} lines/s; median ${median(ours.map((o) => o.written))} anomalies written per run`,
      },
      {
        part: '4',
        name: `diagnostic: every line written (THRESHOLD 0), ours / insertMany baseline (${int(allLines)} lines)`,
        value: (oa.rate / ba.rate).toFixed(3),
        target: '-',
        pass: null,
        note: `1 run: daemon ${int(oa.rate)}, insertMany ${int(ba.rate)}, upsert baseline ${int(ua.rate)} lines/s`,
      },
    ];
  } finally {
    await dropDatabases(s.client, [s.inName, s.outName, s.baseName]);
  }
}
