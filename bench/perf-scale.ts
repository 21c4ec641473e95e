// Part 6: 200 hosts with 5,000 history lines each, daemon on 2 CPUs (pinned with taskset when
// the machine has more). Measures the training wall time from daemon start until all hosts logged
// "trained", the daemon's peak memory (VmHWM: all threads), and that every host scores afterwards
// (one incident line inserted per host; each host's checkpoint must move past it).
//
// Each host has its own input collection (one source per host, one shared target collection):
// FerretDB (SQLite backend) scans a whole collection for every query, so one shared collection of
// 1,000,000 lines would make every poll of every host scan all of them. For the same reason, on
// FerretDB a host's history is deleted once the host has trained (the daemon never reads it again
// until the next scheduled retraining). With MongoDB (MONGODB_URI) nothing is deleted.
import { mkdtempSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { incidentLine, Rng as IncidentRng } from '../test/support/log-lines.js';
import type { BenchContext } from './perf-context.js';
import { BenchDaemon, dropDatabases, historyDocs, writeDaemonConfig } from './perf-db.js';
import { cpuSeconds, runChild, sleep, statusBytes, threadCount } from './perf-proc.js';
import { formatDaemonProfiles } from './perf-profile.js';
import { int, mb, secs, type Figure } from './perf-report.js';

const TARGET = 'scale_anomaly';

export async function benchScale(ctx: BenchContext): Promise<Figure[]> {
  const db = await ctx.db();
  const client = db.client;
  const nHosts = ctx.quick ? 50 : 200;
  const perHost = ctx.quick ? 2000 : 5000;
  const inName = `bench_scale_in_${process.pid}`;
  const outName = `bench_scale_out_${process.pid}`;
  const hosts = Array.from({ length: nHosts }, (_, i) => `host-${String(i + 1).padStart(3, '0')}`);
  const coll = (i: number): string => `scale_${String(i + 1).padStart(3, '0')}`;
  const dir = mkdtempSync(join(ctx.tmp, 'scale-'));
  let body = `MG_INPUT_DB: "${inName}"\nMG_TARGET_DB: "${outName}"\nLOG_SOURCES:\n`;
  hosts.forEach((h, i) => (body += `  "${coll(i)}":\n    HOSTNAMES: ["${h}"]\n    MG_TARGET_COL: "${TARGET}"\n`));
  const config = writeDaemonConfig(dir, db, body);
  const input = client.db(inName);
  const pin = cpus().length > 2 ? '0,1' : undefined;
  let daemon: BenchDaemon | null = null;
  let stopLoops = false;
  const loops: Array<Promise<void>> = [];
  try {
    let t = performance.now();
    for (let i = 0; i < nHosts; i++) await input.collection(coll(i)).insertMany(historyDocs(hosts[i]!, perHost, 1000 + i));
    ctx.log(`  seeded ${nHosts} hosts x ${int(perHost)} lines in ${secs(performance.now() - t)}${pin ? '; daemon pinned to CPUs 0,1' : ''}`);

    const server0 = db.serverPid ? cpuSeconds(db.serverPid) : NaN;
    const pdir = ctx.profileDir ? join(ctx.profileDir, 'scale-daemon') : null;
    daemon = new BenchDaemon(config, { cpus: pin, nodeArgs: pdir ? ['--cpu-prof', `--cpu-prof-dir=${pdir}`] : [] });
    const d = daemon;
    let maxRss = 0;
    // When the memory peaked, and how it went (every 15 s): where the peak comes from.
    let maxAt = 0;
    let trainedAtMax = 0;
    const timeline: string[] = [];
    let nextMark = 0;
    loops.push(
      (async () => {
        while (!stopLoops) {
          const r = statusBytes(d.pid, 'VmRSS');
          const now = Date.now() - d.spawnedAt;
          if (r > maxRss) {
            maxRss = r;
            maxAt = now;
            trainedAtMax = d.count('trained');
          }
          if (now >= nextMark) {
            timeline.push(`${Math.round(now / 1000)} s ${Math.round(r / 1048576)} MB (${d.count('trained')} trained)`);
            // The next 15 s mark after now (a stalled sampler does not catch up in a burst).
            nextMark = (Math.floor(now / 15_000) + 1) * 15_000;
          }
          await sleep(250);
        }
      })(),
    );
    if (db.ferret) {
      loops.push(
        (async () => {
          const dropped = new Set<string>();
          while (!stopLoops) {
            for (const l of d.logs) {
              if (l.msg !== 'trained' || dropped.has(String(l.source))) continue;
              dropped.add(String(l.source));
              await input.collection(String(l.source)).drop().catch(() => undefined);
            }
            await sleep(50);
          }
        })(),
      );
    }
    await d.waitFor(() => d.count('trained') >= nHosts, (ctx.quick ? 5 : 15) * 60_000, `training of ${nHosts} hosts`);
    const trainedLogs = d.logs.filter((l) => l.msg === 'trained');
    const lastTrained = Math.max(...trainedLogs.map((l) => Date.parse(String(l.time))));
    const startedLog = d.logs.find((l) => l.msg === 'started');
    const wall = lastTrained - d.spawnedAt;
    const fromStarted = startedLog ? lastTrained - Date.parse(String(startedLog.time)) : NaN;
    const taskMs = trainedLogs.map((l) => Number(l.durationMs));
    const sumTask = taskMs.reduce((a, b) => a + b, 0);
    const rssAfterTraining = statusBytes(d.pid, 'VmRSS');
    const at = (msg: string, which: 'first' | 'last'): number => {
      const ts = d.logs.filter((l) => l.msg === msg).map((l) => Date.parse(String(l.time)) - d.spawnedAt);
      return ts.length === 0 ? NaN : which === 'first' ? Math.min(...ts) : Math.max(...ts);
    };
    ctx.log(
      `  timeline from daemon start: checkpoints of new hosts created (newest input line looked up) ${secs(at('new host: scoring starts after the newest stored line', 'first'))}` +
        ` - ${secs(at('new host: scoring starts after the newest stored line', 'last'))}; first "trained" ${secs(at('trained', 'first'))}, last ${secs(at('trained', 'last'))}`,
    );
    ctx.log(
      `  all ${nHosts} hosts trained ${secs(wall)} after the daemon was started (${secs(fromStarted)} after its "started" line); ` +
        `training tasks took ${secs(sumTask / nHosts)} on average (${secs(sumTask)} summed over 2 workers); RSS now ${mb(rssAfterTraining)}`,
    );

    // Every host scores afterwards: one incident line each; each checkpoint must move past it.
    await sleep(2000);
    const rng = new IncidentRng(77);
    t = performance.now();
    const since = Date.now();
    for (let i = 0; i < nHosts; i++) {
      await input.collection(coll(i)).insertOne({ Hostname: hosts[i], Message: incidentLine(rng, `scaleincident${i}`), timestamp: new Date() });
    }
    const state = client.db(outName).collection('anomaly_detector_state');
    let scoring = 0;
    const deadline = Date.now() + 120_000;
    for (;;) {
      const cps = await state.find({}, { projection: { lines_scored: 1 } }).toArray();
      scoring = cps.filter((c) => Number(c.lines_scored) >= 1).length;
      if (scoring >= nHosts || Date.now() > deadline) break;
      await sleep(250);
    }
    const scoredIn = Date.now() - since;
    await sleep(500);
    const written = (await client.db(outName).collection(TARGET).distinct('Hostname')).length;
    const hwm = d.vmHWM();
    const daemonCpu = cpuSeconds(d.pid);
    const serverCpu = db.serverPid ? cpuSeconds(db.serverPid) - server0 : NaN;
    ctx.log(
      `  after training: ${scoring}/${nHosts} hosts scored their new line within ${secs(scoredIn)}; ${written}/${nHosts} incident lines written as anomalies; ` +
        `peak RSS ${mb(hwm)} (VmHWM; max sampled VmRSS ${mb(maxRss)}); CPU: daemon ${daemonCpu.toFixed(1)} s, database server ${Number.isNaN(serverCpu) ? 'n/a' : serverCpu.toFixed(1)} s` +
        (db.ferret ? '; FerretDB: each host\'s history was deleted after it trained' : ''),
    );
    ctx.log(`  largest sampled RSS at ${secs(maxAt)} from daemon start, with ${trainedAtMax} hosts trained; RSS every 15 s: ${timeline.join(', ')}`);
    if (d.errors().length > 0) ctx.log(`  daemon errors: ${d.errors().length}, first: ${JSON.stringify(d.errors()[0])}`);
    // Memory once the training threads have gone (the daemon's train pool has a 30 s idle timeout).
    const threads0 = threadCount(d.pid);
    const settleDeadline = Date.now() + 45_000;
    while (Date.now() < settleDeadline && threadCount(d.pid) >= threads0) await sleep(1000);
    await sleep(1000);
    // The figure above is read right after the scoring check; the scoring threads' heaps and the
    // idle training thread are still there afterwards, so the peak of the whole run is shown too.
    ctx.log(
      `  RSS ${secs(Date.now() - lastTrained)} after the last "trained" line: ${mb(statusBytes(d.pid, 'VmRSS'))} ` +
        `(threads ${threads0} -> ${threadCount(d.pid)}: idle training threads exited; the scoring threads keep their models); ` +
        `peak RSS of the whole run up to now ${mb(d.vmHWM())} (VmHWM)`,
    );
    await d.stop();
    if (pdir) {
      ctx.log('  (this run was CPU-profiled: --profile)');
      ctx.log(formatDaemonProfiles(pdir, 'scale daemon'));
    }
    // What one host's model costs in memory, for the peak-memory explanation.
    const model = await ctx.modelFile(perHost);
    const mem = await runChild<{ totalDelta: number; templates: number }>(['model-mem', '--model', model], ['--expose-gc']);
    ctx.log(
      `  one deserialized ${int(perHost)}-line model (${mem.templates} templates): ${mb(mem.totalDelta)} of heap; each host's model is held ` +
        `by its one scoring thread: ${nHosts} x ${mb(mem.totalDelta)} = ${mb(nHosts * mem.totalDelta)} of models, the rest is the threads' own heaps`,
    );
    const label = `${nHosts} hosts x ${int(perHost)} lines`;
    return [
      { part: '6', name: `${label}: training wall time (daemon start → last "trained")`, value: secs(wall), target: '-', pass: null, note: `1 run (slow part); ${secs(sumTask / nHosts)} per host task on average` },
      { part: '6', name: `${label}: peak memory of the daemon process (VmHWM)`, value: mb(hwm), target: `≤ 500 MB for ${nHosts === 200 ? '200' : `200 (run had ${nHosts})`} hosts`, pass: nHosts >= 200 ? hwm <= 500 * 1048576 : null, note: '1 run' },
      {
        part: '6',
        name: `${label}: hosts scoring afterwards (checkpoint moved past a new line)`,
        value: `${scoring}/${nHosts} in ${secs(scoredIn)}`,
        target: `all ${nHosts}`,
        pass: scoring === nHosts,
        note: `1 run; ${written}/${nHosts} incident lines written as anomalies`,
      },
    ];
  } finally {
    stopLoops = true;
    await Promise.allSettled(loops);
    await daemon?.stop();
    await dropDatabases(client, [inName, outName]);
  }
}
