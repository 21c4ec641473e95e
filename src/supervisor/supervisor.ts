// Owns the worker pool, the MongoDB client of the main thread, the retraining schedule and one
// HostPipeline per (source, host). start() and close() are both safe to call twice.
import cron, { type ScheduledTask } from 'node-cron';
import type { ResourceLimits } from 'node:worker_threads';
import { Piscina } from 'piscina';
import { ConfigError, collectionRoleProblems, type DaemonConfig } from '../config/schema.js';
import type { Logger } from '../log.js';
import { ensureTargetIndexes } from '../mongo/anomaly-writer.js';
import { ClientHandle, STALE_CLIENT_MS } from '../mongo/client.js';
import { isConnectivityError } from '../mongo/errors.js';
import { ensureInputIndexes, ensureStateIndexes } from '../mongo/indexes.js';
import { filtersEveryDocument } from '../mongo/server-kind.js';
import type { WorkerResult, WorkerTask } from '../worker/protocol.js';
import { healthStatus, type HealthStatus } from './health-status.js';
import { FailureRun, backoffMs } from './backoff.js';
import { DbHealth } from './db-health.js';
import { HostPipeline, NEW_HOSTS_AT_ONCE } from './host-pipeline.js';
import { Limiter } from './limiter.js';
import { hostLag } from './lag.js';
import { lastCronFireBefore } from './schedule.js';
import { SharedReads } from './shared-reads.js';
import { DaemonStats } from './stats.js';
import { LEASE_RENEW_MS, Lease } from '../mongo/lease.js';

export interface SupervisorOptions {
  /** Worker module URL; tests pass small fixtures (a crashing worker). Default: src/worker/entry. */
  workerEntry?: string;
  /**
   * Delay before a failed step is tried again (boot, poll, training). Default: exponential backoff
   * from `baseMs` up to `capMs` (backoff.ts). Tests pass a long fixed delay to tell a retry that
   * MongoDB's return started from one its timer did.
   */
  retryDelayMs?: (failures: number, baseMs: number, capMs: number) => number;
}

/** While MongoDB is unreachable, the main thread asks it this often whether it answers again. */
const PROBE_MS = 1000;
/** A lease renewed this recently is still this daemon's (leaseFresh); renewals come every LEASE_RENEW_MS. */
const LEASE_FRESH_MS = LEASE_RENEW_MS * 1.5;

/** Longest /healthz waits for the hosts' lag before it answers without it. */
const HEALTH_LAG_MS = 2000;

/** Resolves after `ms`, without keeping the process alive: for races against a deadline. */
function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

export interface HostLag {
  source: string;
  host: string;
  lag: number | null;
}

export interface HealthReport {
  status: HealthStatus;
  mongodb: { reachable: boolean; reconnects: number };
  hosts: Record<'starting' | 'training' | 'untrained' | 'ready' | 'stopped', number>;
  /** Null while MongoDB is unreachable: lines cannot be counted then. */
  lag: { total: number; max: number } | null;
}

const WORKER_ENTRY = new URL('../worker/entry.js', import.meta.url).href;

// V8 heap limits of the worker threads. Every thread is a V8 isolate of its own, and with node's
// defaults each one ends up with a 32 MB young generation (two 16 MB semi-spaces) and lets its old
// generation fill with garbage up to four times what survived its last full collection. Measured
// with 200 hosts on 2 cores (2 scoring threads, 1 training thread, bench part 6), the daemon
// peaked at 540-570 MB, of which about 250 MB were the models themselves: the training thread's
// heap reached 150 MB and each scoring thread carried 32 MB of young generation. With the limits
// below: 415-430 MB, training as fast. The main thread's limits cannot be set from here (they are
// fixed when node starts).

/** Just under 2 GB: see TRAIN_THREAD_LIMITS for why this exact value. */
const OLD_GENERATION_UNDER_2GB_MB = 2047;

/**
 * Heap allowed per host when deciding whether a scoring thread's old generation may be limited: a
 * loaded model is 1-2 MB of heap (bench part 3) plus a shape cache of at most about 1 MB.
 */
const SCORE_HEAP_PER_HOST_MB = 16;

/**
 * Scoring threads: a 12 MB young generation (8 MB resident instead of 32). Not smaller: loading a
 * model allocates about 7 MB of short-lived data in one go (JSON parse, index building); with a
 * 6 MB young generation that data was promoted and each scoring thread's old generation grew by
 * 40-50 MB of garbage. The old generation is limited to just under 2 GB (which lowers V8's heap
 * growing factor, see TRAIN_THREAD_LIMITS; it kept scoring threads at 110-130 MB during the
 * 200-host start, against up to 157 MB without) only while the thread's hosts need far less
 * (at most 127 hosts per thread): a scoring thread holds the models of all its hosts, so with
 * more hosts it keeps node's default. Decided at start: a reload that takes a thread past that
 * many hosts reports that it needs a restart (see reload).
 */
export function scoreThreadLimits(hostsPerThread: number): ResourceLimits {
  const limits: ResourceLimits = { maxYoungGenerationSizeMb: 12 };
  if (hostsPerThread * SCORE_HEAP_PER_HOST_MB <= OLD_GENERATION_UNDER_2GB_MB) limits.maxOldGenerationSizeMb = OLD_GENERATION_UNDER_2GB_MB;
  return limits;
}

function hostsPerScoringThread(config: DaemonConfig): number {
  const hosts = config.sources.reduce((n, source) => n + source.hostnames.length, 0);
  return Math.ceil(hosts / Math.max(1, config.workers));
}

/**
 * Training threads: a small young generation (a training's garbage is mostly short-lived; the
 * speed was unchanged: 1,000,000 lines in 2.5 s either way), and an old generation limited to just
 * under 2 GB. That limit is there for its side effect: with a limit of 2 GB or more, V8 lets the
 * old generation grow to up to four times what survived the last full collection before it
 * collects again (its heap growing factor, measured: same heap with 2048 as with no limit), below
 * 2 GB to about twice. A training thread keeps little between tasks, so the factor decides how
 * much garbage it carries: up to 150 MB of heap during the 200-host start with the defaults, about
 * 55 MB with these limits. A 1,000,000-line training needs 60-170 MB of heap (bench part 1; the
 * daemon's own train task on 1,000,000 FerretDB lines in a thread with these limits: same
 * duration, 54 MB of heap after it against 127 MB with the defaults); one training runs per thread
 * at a time, so 2 GB leaves more than ten times that. It is also the limit node picks by itself on
 * a machine with 8 GB of RAM.
 */
export const TRAIN_THREAD_LIMITS: ResourceLimits = { maxYoungGenerationSizeMb: 6, maxOldGenerationSizeMb: OLD_GENERATION_UNDER_2GB_MB };

/**
 * The changed keys of a reload that only a restart applies. `scoreHeapLimited`: the scoring
 * threads run with the old-generation limit chosen for the host count at start (scoreThreadLimits).
 */
export function keysNeedingRestart(cur: DaemonConfig, next: DaemonConfig, scoreHeapLimited: boolean): string[] {
  const needRestart: string[] = [];
  if (next.mongoUri !== cur.mongoUri) needRestart.push('MONGODB_URI/MG_HOST/MG_PORT');
  if (next.inputDb !== cur.inputDb) needRestart.push('MG_INPUT_DB');
  if (next.targetDb !== cur.targetDb) needRestart.push('MG_TARGET_DB');
  if (next.stateCollection !== cur.stateCollection) needRestart.push('STATE_COLLECTION');
  if (JSON.stringify(next.fields) !== JSON.stringify(cur.fields)) needRestart.push('MESSAGE_FIELD/HOSTNAME_FIELD/TIMESTAMP_FIELD/LEVEL_FIELD');
  // Unset, WORKERS follows the host count, and a reload keeps the running pool: nothing to restart.
  if (next.workers !== cur.workers && !(next.workersFromHosts && cur.workersFromHosts)) needRestart.push('WORKERS');
  if (next.modelDir !== cur.modelDir) needRestart.push('MODEL_DIR');
  if (JSON.stringify(next.httpListen) !== JSON.stringify(cur.httpListen)) needRestart.push('HTTP_LISTEN');
  // The scoring threads' heap limit was chosen for the host count at start (scoreThreadLimits).
  if (scoreHeapLimited && scoreThreadLimits(hostsPerScoringThread({ ...next, workers: cur.workers })).maxOldGenerationSizeMb === undefined) {
    needRestart.push('LOG_SOURCES (more hosts per scoring thread than its heap limit allows)');
  }
  return needRestart;
}

/** Runs a start step; a refusal (not an outage) is rethrown with the collection it concerns. */
async function naming(what: string, step: () => Promise<unknown>): Promise<void> {
  try {
    await step();
  } catch (err) {
    if (isConnectivityError(err)) throw err;
    const e = new Error(`${what}: ${(err as Error).message}`, { cause: err });
    Object.assign(e, { code: (err as { code?: unknown }).code });
    throw e;
  }
}

export class Supervisor {
  readonly stats = new DaemonStats();
  /** Whether the scoring threads run with an old-generation limit (scoreThreadLimits). */
  private scoreHeapLimited = false;
  readonly health: DbHealth;
  readonly pipelines = new Map<string, HostPipeline>();
  private config: DaemonConfig;
  /** One single-thread pool per scoring thread; each host sticks to one, so its model is loaded once. */
  private scorePools: Piscina[] = [];
  private nextScorePool = 0;
  private trainPool: Piscina | null = null;
  private client: ClientHandle | null = null;
  /** The polls of each source's caught-up hosts, one read per round (shared-reads.ts). */
  private readonly sharedReads = new SharedReads(
    {
      get: () => this.client!.get(),
      worked: () => this.client?.worked(),
      failed: (err) => this.clientFailed(err),
      grouped: () => this.serverFiltersEveryDocument,
    },
    this.stats,
  );
  /** Learnt at each boot (server-kind.ts); until then, MongoDB's behaviour is assumed. */
  private serverFiltersEveryDocument = false;
  private cronTask: ScheduledTask | null = null;
  private started = false;
  private closing: Promise<void> | null = null;
  private bootTimer: NodeJS.Timeout | null = null;
  private booted = false;

  constructor(
    config: DaemonConfig,
    private readonly log: Logger,
    private readonly options: SupervisorOptions = {},
  ) {
    this.config = config;
    this.health = new DbHealth(log);
    this.retryDelayMs = options.retryDelayMs ?? backoffMs;
    this.health.onBack(() => void this.retryWaiting());
  }

  get currentConfig(): DaemonConfig {
    return this.config;
  }

  get isClosing(): boolean {
    return this.closing !== null;
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    const filename = this.options.workerEntry ?? WORKER_ENTRY;
    const scoreLimits = scoreThreadLimits(hostsPerScoringThread(this.config));
    this.scoreHeapLimited = scoreLimits.maxOldGenerationSizeMb !== undefined;
    this.scorePools = Array.from(
      { length: this.config.workers },
      () =>
        new Piscina({
          filename,
          minThreads: 1,
          maxThreads: 1,
          // Two tasks (of two hosts) at a time: a batch spends most of its time waiting on MongoDB
          // (90% on FerretDB), so one thread can score one host while another host's read or write
          // is in flight. With one task per thread the daemon kept only WORKERS reads in flight,
          // and on the benchmark's database it reached 0.54-0.73 of a plain driver program that
          // reads every host at once; with two, 0.85-0.87 (node dist/bench/run.js e2e). A host's
          // own batches still run one after another (its pipeline awaits each). The cost: a
          // thread that dies fails the tasks in flight on it, at most two, both retried.
          concurrentTasksPerWorker: 2,
          // First come, first served: by default a task that finds the thread busy goes back to
          // the end of the queue, so with four or more hosts catching up on one thread the same
          // host was put back every time and got no batch until the others had caught up.
          stricterFIFO: true,
          idleTimeout: 60_000,
          resourceLimits: scoreLimits,
        }),
    );
    // Training has its own threads: scoring never queues behind a training's CPU work, the
    // OS shares the cores between them instead. Half as many as scoring threads: every thread is
    // a V8 heap of its own, and a start with hundreds of hosts to train is when memory peaks.
    // Idle training threads go away.
    this.trainPool = new Piscina({
      filename,
      minThreads: 0,
      maxThreads: Math.max(1, Math.ceil(this.config.workers / 2)),
      concurrentTasksPerWorker: 1,
      // Trainings start in the order they were asked for (see the scoring pools).
      stricterFIFO: true,
      idleTimeout: 30_000,
      resourceLimits: TRAIN_THREAD_LIMITS,
    });
    this.client = new ClientHandle(this.config.mongoUri);
    this.scheduleRetraining();
    this.probeTimer = setInterval(() => void this.probe(), PROBE_MS);
    this.probeTimer.unref();
    void this.boot();
  }

  private readonly retryDelayMs: (failures: number, baseMs: number, capMs: number) => number;
  private probeTimer: NodeJS.Timeout | null = null;
  private probing = false;
  /**
   * Pings of the probe that found MongoDB down: the start, and each host, is woken once per run of
   * its failures and count of these (FailureRun.wake). A new failed ping is a new outage (or
   * the same one still on), whose end wakes them again.
   */
  private pingFailures = 0;
  /** The start's next attempt, while it waits out its backoff after MongoDB did not answer. */
  private bootRetry: (() => void) | null = null;
  /** The start's run of failed attempts (its backoff, and its wake by MongoDB's return). */
  private readonly boots = new FailureRun();
  private retrying = false;
  /** When this daemon last took or renewed its lease (leaseFresh). */
  private leaseRenewedAt = 0;
  /** A start attempt is running (boot). */
  private booting = false;

  /**
   * While MongoDB is unreachable: pings it, so that its return is noticed within PROBE_MS and what
   * waits for it is retried (retryWaiting), not when each one's backoff (up to 30 s; 5 min for a
   * training) happens to end. While a host or the start still waits for MongoDB, the ping does not
   * declare it reachable: their own calls do, since this thread can reach it while theirs fail (a
   * scoring thread's connection), and the outage would then be logged as ending and starting again
   * every second. With nothing waiting (the failing host removed by a reload), the ping does.
   */
  private async probe(): Promise<void> {
    if (this.closing || this.probing || this.client === null || this.health.reachable) return;
    this.probing = true;
    try {
      await (await this.client.get()).db('admin').command({ ping: 1 });
      this.client.worked();
      const woken = await this.retryWaiting();
      if (woken === 0 && !this.closing && !this.booting && this.bootRetry === null && ![...this.pipelines.values()].some((p) => p.waitsForDb)) {
        this.health.ok();
      }
    } catch (err) {
      if (isConnectivityError(err)) this.pingFailures++;
      this.clientFailed(err);
    } finally {
      this.probing = false;
    }
  }

  /** A main-thread call failed: its client is replaced once every call has failed for STALE_CLIENT_MS. */
  private clientFailed(err: unknown): void {
    if (this.client?.discardIf(err)) this.log.warn({ err: String(err) }, `mongodb connection replaced: every call failed for ${STALE_CLIENT_MS / 1000} s`);
  }

  /**
   * MongoDB answers again: the start and every host waiting out a backoff because of it try now.
   * The lease is renewed first: another daemon may have taken it while this one could not renew
   * it, and then this one's hosts must not score (they stop with standBy).
   */
  private async retryWaiting(): Promise<number> {
    if (this.closing || this.retrying) return 0;
    this.retrying = true;
    try {
      const booted = this.booted;
      // Not renewed (still unreachable, or lost: standBy stops the hosts and starts again itself).
      if (booted && !(await this.leaseFresh())) return 0;
      if (this.closing || (booted && !this.booted)) return 0;
      const epoch = this.pingFailures;
      let hosts = 0;
      for (const p of this.pipelines.values()) if (p.wake(epoch)) hosts++;
      const boot = this.bootRetry !== null && this.boots.wake(epoch) ? this.bootRetry : null;
      if (boot !== null) {
        if (this.bootTimer) clearTimeout(this.bootTimer);
        this.bootTimer = null;
        this.bootRetry = null;
        boot();
      }
      if (hosts > 0 || boot !== null) this.log.info({ hosts, ...(boot !== null ? { start: true } : {}) }, 'retrying now what waited for mongodb');
      return hosts + (boot !== null ? 1 : 0);
    } finally {
      this.retrying = false;
    }
  }

  /**
   * The lease (the first start waits for it as a standby), then indexes on the daemon's own
   * collections, then the pipelines; retried until MongoDB answers.
   */
  private async boot(then: () => void = () => this.announceStart()): Promise<void> {
    this.bootRetry = null;
    if (this.closing) return;
    this.booting = true;
    try {
      await this.bootAttempt(then);
    } finally {
      this.booting = false;
    }
  }

  private async bootAttempt(then: () => void): Promise<void> {
    try {
      if (!this.booted && !(await this.takeLease())) {
        // Standby: only the lease is tried again, at a steady pace. It reached MongoDB: a standby
        // has no host whose calls would say so.
        if (this.closing) return;
        this.health.ok();
        // What refused the start before (a lease read not authorized) answers again.
        this.lastBootProblem = null;
        // That read worked: a later failure starts a new run of failures (backoff, wake).
        this.boots.worked();
        if (this.bootTimer) clearTimeout(this.bootTimer);
        this.bootTimer = setTimeout(() => void this.boot(then), LEASE_RENEW_MS / 2);
        return;
      }
      if (this.closing) return;
      await this.prepareCollections();
      // Lost meanwhile (a reload's index work can take minutes): the standby's own start takes over.
      if (this.closing || !this.holdsLease) return;
      this.boots.worked();
      this.health.ok();
    } catch (err) {
      if (this.closing) return;
      this.clientFailed(err);
      const retry = (): void => void this.boot(then);
      const unreachable = isConnectivityError(err);
      const failures = this.boots.failed(unreachable);
      if (unreachable) {
        this.health.failed((err as Error).message);
        this.bootRetry = retry;
      } else this.bootRefused(err as Error);
      if (this.bootTimer) clearTimeout(this.bootTimer);
      this.bootTimer = setTimeout(retry, this.retryDelayMs(failures, 1000, 30_000));
      return;
    }
    this.booted = true;
    this.lastBootProblem = null;
    this.syncPipelines();
    then();
  }

  private lastBootProblem: string | null = null;
  private readonly lease = new Lease();
  /** Shared by the hosts: new ones set up their checkpoints a few at a time (host-pipeline.ts). */
  private readonly newHosts = new Limiter(NEW_HOSTS_AT_ONCE);
  private holdsLease = false;
  private leaseTimer: NodeJS.Timeout | null = null;
  private renewing: Promise<void> | null = null;
  /** Who held the lease when this daemon last found it taken (logged once per holder). */
  private leaseHolder: string | null = null;

  /**
   * Takes or renews the lease of the state collection (lease.ts); false while another daemon holds
   * it. This daemon then waits as a standby, and says so once per holder.
   */
  private async takeLease(): Promise<boolean> {
    const cfg = this.config;
    const holder = await this.lease.acquire(await this.client!.get(), this.leaseState());
    if (this.closing) return false;
    if (holder === null) {
      if (this.leaseHolder !== null) this.log.info({ owner: this.lease.owner }, 'lease taken over; this daemon runs now');
      this.leaseHolder = null;
      this.holdsLease = true;
      this.leaseRenewedAt = Date.now();
      if (this.leaseTimer === null) {
        this.leaseTimer = setInterval(() => void this.renewLease(), LEASE_RENEW_MS);
        this.leaseTimer.unref();
      }
      return true;
    }
    const lost = this.holdsLease;
    this.holdsLease = false;
    if (this.leaseHolder !== holder.owner) {
      this.leaseHolder = holder.owner;
      this.log.error(
        { holder: holder.owner, machine: holder.machine, pid: holder.pid, renewedAt: holder.renewedAt, state: `${cfg.targetDb}.${cfg.stateCollection}` },
        lost
          ? 'another anomaly-detector took over the lease of this state collection (this one could not renew it in time); this one stops its hosts and waits as a standby'
          : 'another anomaly-detector is running against this state collection; this one waits as a standby until it stops',
      );
    }
    if (lost) this.standBy();
    return false;
  }

  /** The lease is lost: stop every host and wait for it again, as at a start. */
  private standBy(): void {
    if (this.leaseTimer) clearInterval(this.leaseTimer);
    this.leaseTimer = null;
    this.booted = false;
    const stopping = [...this.pipelines].map(([key, p]) => this.retire(key, p));
    void Promise.allSettled(stopping).then(() => {
      if (!this.closing) void this.boot(() => this.log.info({ hosts: this.pipelines.size }, 'running again'));
    });
  }

  /**
   * Whether this daemon holds the lease, renewed within LEASE_FRESH_MS (else renewed now). Every
   * step of a host that writes waits for it: a daemon cut off from MongoDB for LEASE_TTL_MS may
   * have lost its lease to a standby, and its hosts' first steps once MongoDB answers again (their
   * backoff timers, or a poll that waited on the server) must not score what the standby scores.
   * A standby takes the lease only after watching it unrenewed for LEASE_TTL_MS, so a renewal
   * within LEASE_FRESH_MS keeps it this daemon's.
   */
  async leaseFresh(renew = false): Promise<boolean> {
    const fresh = (): boolean => !this.closing && this.holdsLease && Date.now() - this.leaseRenewedAt < LEASE_FRESH_MS;
    if (fresh() && !renew) return true;
    // The renewal in flight may have started while MongoDB was down: then one more.
    await this.renewLease();
    if (!fresh() && this.holdsLease && !this.closing) await this.renewLease();
    return fresh();
  }

  private async renewLease(): Promise<void> {
    if (this.closing) return;
    if (this.renewing) return this.renewing;
    // An outage is reported by the pipelines; the lease is renewed once MongoDB answers again.
    // The renewal is the main thread's steady call: it tells whether its client still reaches MongoDB.
    this.renewing = this.takeLease()
      .then(
        () => this.client?.worked(),
        (err: unknown) => this.clientFailed(err),
      )
      .finally(() => {
        this.renewing = null;
      });
    await this.renewing;
  }

  /** Gives the lease up at a stop, within 2 s (MongoDB may be down: then it simply expires). */
  private async releaseLeaseQuickly(): Promise<void> {
    if (this.leaseTimer) clearInterval(this.leaseTimer);
    this.leaseTimer = null;
    const release = (async () => {
      // A renewal in flight could write the lease again after the release.
      await this.renewing;
      if (this.holdsLease && this.client) await this.lease.release(await this.client.get(), this.leaseState());
    })();
    await Promise.race([release.catch(() => undefined), sleep(2000)]);
  }

  private leaseState(): { db: string; collection: string } {
    return { db: this.config.targetDb, collection: this.config.stateCollection };
  }

  /**
   * MongoDB answered but refused a start step: wrong credentials, no permission, a target
   * collection whose documents break the unique index. Not an outage, so not reported as one;
   * logged as an error once per distinct cause and retried, since the fix is made in the database.
   */
  private bootRefused(err: Error): void {
    if (err.message === this.lastBootProblem) return;
    this.lastBootProblem = err.message;
    this.log.error(
      { err: err.message, code: (err as { code?: unknown }).code },
      'mongodb refused to prepare a collection (its indexes); no host starts until this is fixed; retrying with backoff',
    );
  }

  /**
   * Creates the indexes of the daemon's own collections (idempotent). Runs before any pipeline
   * writes to a target, also for targets added by a reload: the unique index is what makes
   * anomaly writes safe to repeat.
   */
  private async prepareCollections(): Promise<void> {
    const cfg = this.config;
    const client = await this.client!.get();
    this.serverFiltersEveryDocument = await filtersEveryDocument(client);
    await naming(`state collection ${cfg.targetDb}.${cfg.stateCollection}`, () =>
      ensureStateIndexes(client, { db: cfg.targetDb, collection: cfg.stateCollection }),
    );
    for (const target of new Set(cfg.sources.map((s) => s.targetCollection))) {
      await naming(`target collection ${cfg.targetDb}.${target}`, () =>
        ensureTargetIndexes(client, { db: cfg.targetDb, collection: target }, cfg.fields),
      );
    }
    if (cfg.createInputIndexes) {
      for (const s of cfg.sources) {
        await naming(`input collection ${cfg.inputDb}.${s.name}`, () => ensureInputIndexes(client, { db: cfg.inputDb, collection: s.name }, cfg.fields));
      }
    }
  }

  private announceStart(): void {
    const cfg = this.config;
    this.log.info(
      { sources: cfg.sources.length, hosts: this.pipelines.size, workers: cfg.workers, retrainCron: cfg.retrainCron },
      'started',
    );
  }

  /**
   * Creates pipelines for configured hosts, stops those no longer configured and gives the others
   * their source's new settings. With `removeOnly` (a reload, before the index work) it does only
   * what needs no new index: it stops removed hosts and updates hosts whose target is unchanged.
   */
  private syncPipelines(removeOnly = false): void {
    const wanted = new Map<string, { source: DaemonConfig['sources'][number]; host: string }>();
    for (const source of this.config.sources) {
      for (const host of source.hostnames) wanted.set(JSON.stringify([source.name, host]), { source, host });
    }
    for (const [key, p] of this.pipelines) {
      if (!wanted.has(key)) {
        this.retire(key, p);
        this.log.info({ source: p.source.name, host: p.host }, 'host removed from configuration; stopped');
      }
    }
    if (removeOnly) {
      for (const [key, { source }] of wanted) {
        const existing = this.pipelines.get(key);
        if (existing && existing.source.targetCollection === source.targetCollection) existing.source = source;
      }
      return;
    }
    for (const [key, { source, host }] of wanted) {
      const existing = this.pipelines.get(key);
      if (existing) {
        existing.source = source;
        continue;
      }
      // Hosts are spread over the scoring threads round-robin and stay there.
      const scoreSlot = this.nextScorePool++ % Math.max(1, this.scorePools.length);
      const p = new HostPipeline(
        {
          run: (task) => this.runTask(task, scoreSlot),
          client: () => this.client!.get(),
          readShared: (ref, checkpoint, limit, settleSeconds, behindFrom) => this.sharedReads.read(ref, checkpoint, limit, settleSeconds, behindFrom),
          serverFiltersEveryDocument: () => this.serverFiltersEveryDocument,
          hostsCatchingUp: () => [...this.pipelines.values()].some((q) => q.catchingUp),
          config: () => this.config,
          log: this.log,
          health: this.health,
          stats: this.stats,
          retryDelayMs: this.retryDelayMs,
          leaseFresh: (renew) => this.leaseFresh(renew),
          writer: this.lease.owner,
          newHosts: this.newHosts,
          isDue: (trainedAt) => {
            const last = this.lastScheduledRetrain();
            return last !== null && trainedAt < last;
          },
        },
        source,
        host,
      );
      this.pipelines.set(key, p);
      // A host removed and added again by quick reloads starts once its old pipeline has stopped:
      // a batch still in flight there saves its checkpoint first, so no line is scored twice.
      const before = this.stopping.get(key);
      if (before === undefined) p.start();
      else void before.then(() => p.start());
    }
  }

  /** Pipelines of removed hosts until their last batch has settled, by key. */
  private readonly stopping = new Map<string, Promise<void>>();

  /**
   * Stops a pipeline and releases its host from its scoring thread; a pipeline of the host started
   * later waits for that (`stopping`), after any earlier one still stopping (removed, added, removed again).
   */
  private retire(key: string, p: HostPipeline): Promise<void> {
    this.pipelines.delete(key);
    const stopped: Promise<void> = Promise.all([this.stopping.get(key), p.stopAndRelease()])
      .then(() => undefined)
      .finally(() => {
        if (this.stopping.get(key) === stopped) this.stopping.delete(key);
      });
    this.stopping.set(key, stopped);
    return stopped;
  }

  /**
   * Applies a new configuration without a restart: hosts added or removed, thresholds, polling
   * and training settings. Returns the keys whose change needs a restart to take effect. Throws
   * ConfigError, changing nothing, when the new sources collide with the collections it keeps.
   */
  reload(next: DaemonConfig, file = 'reload'): string[] {
    const cur = this.config;
    // Keep the running values of keys that need a restart, take everything else.
    const merged: DaemonConfig = {
      ...next,
      mongoUri: cur.mongoUri,
      mongoUriOrigin: cur.mongoUriOrigin,
      inputDb: cur.inputDb,
      targetDb: cur.targetDb,
      stateCollection: cur.stateCollection,
      fields: cur.fields,
      workers: cur.workers,
      modelDir: cur.modelDir,
      httpListen: cur.httpListen,
    };
    // Checked as it will run: the file was checked on its own terms only.
    const problems = collectionRoleProblems(merged);
    if (problems.length > 0) throw new ConfigError(file, problems);
    const needRestart = keysNeedingRestart(cur, next, this.scoreHeapLimited);
    this.config = merged;
    if (next.retrainCron !== cur.retrainCron && this.cronTask) {
      // Destroyed, not only stopped: node-cron keeps a stopped task in its registry.
      void this.cronTask.destroy();
      this.scheduleRetraining();
    }
    const masksChanged = new Set(
      next.sources
        .filter((s) => {
          const old = cur.sources.find((o) => o.name === s.name);
          return old && JSON.stringify(old.extraMasks) !== JSON.stringify(s.extraMasks);
        })
        .map((s) => s.name),
    );
    // Before the first start (a standby, or MongoDB down) the pending start takes the new file.
    if (!this.booted) return needRestart;
    // Removed hosts stop at once. Added hosts and changed sources wait for the indexes of new targets;
    // until then (or while MongoDB is down) the other pipelines run on as they were.
    this.syncPipelines(true);
    void this.boot(() => {
      for (const p of this.pipelines.values()) if (masksChanged.has(p.source.name)) p.retrain('EXTRA_MASKS changed', true);
    });
    return needRestart;
  }

  private lastFire: { key: string; at: Date | null } | null = null;

  /** Computed once per minute and expression: searching minutes backwards is too slow per host. */
  private lastScheduledRetrain(): Date | null {
    const now = new Date();
    const key = `${this.config.retrainCron}@${Math.floor(now.getTime() / 60_000)}`;
    if (this.lastFire?.key !== key) this.lastFire = { key, at: lastCronFireBefore(this.config.retrainCron, now) };
    return this.lastFire.at;
  }

  private lagCache: { at: number; value: Promise<HostLag[]> } | null = null;

  /** Backlog per host, cached for a few seconds so frequent scrapes do not hammer MongoDB. */
  lags(): Promise<HostLag[]> {
    if (this.lagCache && Date.now() - this.lagCache.at < 5000) return this.lagCache.value;
    const cfg = this.config;
    const value = Promise.all(
      [...this.pipelines.values()].map(async (p) => ({
        source: p.source.name,
        host: p.host,
        lag: this.client && this.booted
          ? await this.client
              .get()
              .then((c) => hostLag(c, cfg, p.source.name, p.host, p.checkpoint))
              .catch(() => null)
          : null,
      })),
    );
    this.lagCache = { at: Date.now(), value };
    return value;
  }

  async healthReport(): Promise<HealthReport> {
    const hosts = { starting: 0, training: 0, untrained: 0, ready: 0, stopped: 0 };
    for (const p of this.pipelines.values()) hosts[p.state]++;
    const reachable = this.health.reachable;
    // A count that failed or did not come back in time (the first seconds of an outage, before a
    // poll has failed) leaves the lag unknown: counted as 0, it read as no backlog, and a probe
    // waited out the driver's 5 s timeout.
    const lags = reachable ? await Promise.race([this.lags(), sleep(HEALTH_LAG_MS).then(() => null)]) : null;
    const known = lags !== null && lags.every((l) => l.lag !== null) ? lags.map((l) => l.lag as number) : null;
    const status = healthStatus({
      reachable,
      booted: this.booted,
      refused: this.lastBootProblem !== null,
      standby: this.leaseHolder !== null,
      allReady: hosts.ready === this.pipelines.size,
    });
    return {
      status,
      mongodb: { reachable, reconnects: this.health.reconnects },
      hosts,
      lag: known !== null ? { total: known.reduce((a, b) => a + b, 0), max: known.length ? Math.max(...known) : 0 } : null,
    };
  }

  private scheduleRetraining(): void {
    this.cronTask = cron.schedule(this.config.retrainCron, () => this.retrainAll('schedule'), { name: 'retrain', noOverlap: true });
  }

  retrainAll(reason: string): void {
    for (const p of this.pipelines.values()) p.retrain(reason);
  }

  private async runTask(task: WorkerTask & { sourceName: string }, scoreSlot: number): Promise<WorkerResult> {
    const pool = task.kind === 'train' ? this.trainPool : this.scorePools[scoreSlot];
    // A forget task goes to the host's scoring thread, where its model is.
    if (!pool || this.closing) throw new Error('supervisor is closing');
    return (await pool.run(task)) as WorkerResult;
  }

  /** Stops polling, waits for batches in flight up to `graceMs`, then closes the pool and the client. */
  close(graceMs = 7000): Promise<void> {
    this.closing ??= this.doClose(graceMs);
    return this.closing;
  }

  private async doClose(graceMs: number): Promise<void> {
    if (this.bootTimer) clearTimeout(this.bootTimer);
    if (this.probeTimer) clearInterval(this.probeTimer);
    const steps: Array<[string, () => Promise<unknown> | unknown]> = [
      ['retrain schedule', () => this.cronTask?.destroy()],
      [
        'pipelines',
        () =>
          Promise.race([
            // Hosts removed by a reload whose last batch is still settling, too.
            Promise.allSettled([...[...this.pipelines.values()].map((p) => p.stop()), ...this.stopping.values()]),
            sleep(graceMs),
          ]),
      ],
      // Tasks still running after the grace period are abandoned; their checkpoints did not move.
      ['scoring pools', () => Promise.all(this.scorePools.map((p) => p.destroy()))],
      ['training pool', () => this.trainPool?.destroy()],
      // A standby takes over at once instead of after LEASE_TTL_MS.
      ['lease', () => this.releaseLeaseQuickly()],
      ['mongodb client', () => this.client?.close()],
    ];
    for (const [name, step] of steps) {
      try {
        await step();
      } catch (err) {
        this.log.warn({ step: name, err: (err as Error).message }, 'shutdown step failed');
      }
    }
  }
}
