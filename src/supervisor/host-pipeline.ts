// The life of one (source, host): find its checkpoint, get a model (load or train), then poll.
// All work runs in pool tasks; this class only decides what to run next and when.
import type { MongoClient } from 'mongodb';
import { BSON, ObjectId, type Document } from 'mongodb';
import type { DaemonConfig, SourceConfig } from '../config/schema.js';
import type { Logger } from '../log.js';
import { MODEL_FORMAT_VERSION } from '../model/detector.js';
import { CheckpointTaken, claimCheckpoint, loadCheckpoint, newestInputId, saveCheckpoint, type CheckpointDoc } from '../mongo/checkpoints.js';
import { readableBefore, type SharedBatch } from '../mongo/line-reader.js';
import { isConnectivityError } from '../mongo/errors.js';
import { ModelFileError, modelFilePath, readModelHeader, type ModelFileHeader } from '../store/model-files.js';
import { recentAtStart } from '../worker/late-lines.js';
import type { LineSourceRef, ScoreTask, TaskFailure, TrainTask, WorkerResult, WorkerTask } from '../worker/protocol.js';
import { FailureRun } from './backoff.js';
import { nextPollDelayMs } from './poll-delay.js';
import type { DbHealth } from './db-health.js';
import type { DaemonStats } from './stats.js';
import type { Limiter } from './limiter.js';

/** Hosts seen for the first time that set up their checkpoints at once (PipelineContext.newHosts). */
export const NEW_HOSTS_AT_ONCE = 8;

export interface PipelineContext {
  run(task: WorkerTask & { sourceName: string }): Promise<WorkerResult>;
  client(): Promise<MongoClient>;
  config(): DaemonConfig;
  log: Logger;
  health: DbHealth;
  stats: DaemonStats;
  /** True when a model trained at `trainedAt` is older than the last scheduled retraining. */
  isDue(trainedAt: Date): boolean;
  /**
   * The host's next batch, read with those of the source's other caught-up hosts (shared-reads.ts);
   * null when the host is to read it alone, in its scoring thread.
   */
  readShared(ref: LineSourceRef, checkpoint: unknown, limit: number, settleSeconds: number, behindFrom: ObjectId | null): Promise<SharedBatch | null>;
  /** The server tests a query's conditions against every stored line (server-kind.ts): FerretDB. */
  serverFiltersEveryDocument(): boolean;
  /** Whether a scoring host of the daemon is catching up a backlog (reading full batches). */
  hostsCatchingUp(): boolean;
  /** Delay before a failed step is tried again (backoff.ts backoffMs, or a test's). */
  retryDelayMs(failures: number, baseMs: number, capMs: number): number;
  /**
   * Whether the daemon's lease is held and recently renewed (renewing it if not, or always with
   * `renew`): before every step that writes.
   */
  leaseFresh(renew?: boolean): Promise<boolean>;
  /** This daemon run (its lease owner): the writer that claims the hosts' state documents. */
  readonly writer: string;
  /** Hosts seen for the first time set up their checkpoints a few at a time (NEW_HOSTS_AT_ONCE). */
  readonly newHosts: Limiter;
}

/**
 * A host's _ids are compared with its checkpoint (auditIds) at its first poll that catches up, then
 * every this many such polls: every 2 minutes at the default POLL_INTERVAL_SECONDS of 1.
 */
const ID_AUDIT_POLLS = 120;

/** Lines found behind the checkpoint are logged at info at most this often per host (logLate). */
const LATE_INFO_MS = 600_000;

export type PipelineState = 'starting' | 'training' | 'untrained' | 'ready' | 'stopped';

export class HostPipeline {
  state: PipelineState = 'starting';
  model: Pick<ModelFileHeader, 'version' | 'trainedAt' | 'lines' | 'templates'> | null = null;
  checkpoint: string | null = null;
  /** Polls that caught up until the host's _ids are compared with its checkpoint again (auditIds). */
  private pollsToIdAudit = 0;
  /** Caught-up polls an audit that came due has waited for other hosts to catch up (at most ID_AUDIT_POLLS). */
  private idAuditWaits = 0;
  /** What auditIds last reported, per finding: said again only once it has changed or gone and come back. */
  private readonly idsReported = new Map<string, string>();
  private checkpointLoaded = false;
  /** The last batch was full: the next is read alone, in the scoring thread, not with the other hosts' (readShared). */
  private backlog = true;
  /** Where the next shared read also brings the host's lines behind the checkpoint from, for the check for late lines (ScoreResult.lookBehind). */
  private lookBehind: ObjectId | null = null;
  /** A batch failed: its save may have been applied all the same (its reply lost), so the checkpoint is read again. */
  private checkpointInDoubt = false;
  private pollTimer: NodeJS.Timeout | null = null;
  private trainTimer: NodeJS.Timeout | null = null;
  private polling: Promise<void> | null = null;
  private training: Promise<void> | null = null;
  /** A retraining asked for while one ran, to start when it ends (see retrain). */
  private retrainAfter: string | null = null;
  /** Runs of failed polls and trainings; a run waiting because MongoDB did not answer is woken by its return (wake). */
  private readonly polls = new FailureRun();
  private readonly trainings = new FailureRun();
  /** When lines found behind the checkpoint were last logged at info, and how many were found since (logLate). */
  private lateInfoAt = -Infinity;
  private lateSinceInfo = 0;
  private readonly log: Logger;

  constructor(
    private readonly ctx: PipelineContext,
    public source: SourceConfig,
    readonly host: string,
  ) {
    this.log = ctx.log.child({ source: source.name, host });
  }

  get key(): string {
    return JSON.stringify([this.source.name, this.host]);
  }

  get modelFile(): string {
    return modelFilePath(this.ctx.config().modelDir, this.source.name, this.host);
  }

  start(): void {
    this.schedulePoll(0);
  }

  /** Stops scheduling; resolves when the task in flight (if any) has settled. */
  async stop(): Promise<void> {
    this.state = 'stopped';
    if (this.pollTimer) clearTimeout(this.pollTimer);
    if (this.trainTimer) clearTimeout(this.trainTimer);
    this.pollTimer = this.trainTimer = null;
    await Promise.allSettled([this.polling, this.training]);
  }

  /**
   * Stops, then has the host's scoring thread drop its model and memory of the host (ForgetTask):
   * for a host that leaves this daemon (removed from the configuration, or the lease lost), which
   * may later come back on another thread, or on this one with a newer saved state.
   */
  async stopAndRelease(): Promise<void> {
    await this.stop();
    try {
      const r = await this.ctx.run({ kind: 'forget', modelFile: this.modelFile, sourceName: this.source.name });
      if (r.kind === 'forgotten') this.log.debug({ held: r.held }, 'released by its scoring thread');
    } catch {
      // Only when the daemon is closing: its threads go with it.
    }
  }

  /**
   * Starts a (re)training unless one is running; scoring continues with the current model meanwhile.
   * With `after`, a training already running is followed by another: it began before a change
   * (new EXTRA_MASKS) that the model must reflect.
   */
  retrain(reason: string, after = false): void {
    if (this.state === 'stopped') return;
    if (this.state === 'starting' && !this.checkpointLoaded) {
      // Its first poll has not read the checkpoint yet: a training now would learn from the lines
      // waiting after it, unscored, and then judge them routine (a host added back by a reload that
      // also changed its masks did). That poll loads the model and trains if the model needs it
      // (none, another format, other masks or level field, or due).
      this.log.debug({ reason }, 'training left to the first poll, which reads the checkpoint');
      return;
    }
    if (this.training) {
      if (after) {
        this.retrainAfter = reason;
        this.log.info({ reason }, 'training queued after the one running');
      }
      return;
    }
    if (this.trainTimer) clearTimeout(this.trainTimer);
    this.trainTimer = null;
    this.log.info({ reason }, 'training scheduled');
    this.training = this.train().finally(() => {
      this.training = null;
      const next = this.retrainAfter;
      this.retrainAfter = null;
      if (next !== null) this.retrain(next);
    });
  }

  /**
   * MongoDB answers again: a poll or training waiting out a backoff because it did not runs now,
   * with its backoff started afresh, once per run of failures and `epoch` (FailureRun.wake).
   * Returns whether something was retried.
   */
  wake(epoch: number): boolean {
    if (this.stopped) return false;
    let woke = false;
    if (this.pollTimer !== null && this.polls.wake(epoch)) {
      this.schedulePoll(0);
      woke = true;
    }
    if (this.trainTimer !== null && this.trainings.wake(epoch)) {
      clearTimeout(this.trainTimer);
      this.trainTimer = null;
      this.scheduleTrain(0, 'mongodb reachable again');
      woke = true;
    }
    return woke;
  }

  /** Scoring, with a backlog: its batches are read full, alone (or its first poll is still to come). */
  get catchingUp(): boolean {
    return this.state === 'ready' && this.backlog;
  }

  /** Whether a poll or training waits out a backoff because MongoDB did not answer. */
  get waitsForDb(): boolean {
    return this.polls.waitsForDb || this.trainings.waitsForDb;
  }

  private get stopped(): boolean {
    return this.state === 'stopped';
  }

  private schedulePoll(ms: number): void {
    if (this.stopped) return;
    if (this.pollTimer) clearTimeout(this.pollTimer);
    this.pollTimer = setTimeout(() => {
      this.pollTimer = null;
      this.polling = this.step().finally(() => {
        this.polling = null;
      });
    }, ms);
  }

  private scheduleTrain(ms: number, reason: string): void {
    if (this.stopped || this.trainTimer) return;
    this.trainTimer = setTimeout(() => {
      this.trainTimer = null;
      this.retrain(reason);
    }, ms);
  }

  /** One step of the polling chain: prepare what is missing, else score one batch. */
  private async step(): Promise<void> {
    const started = Date.now();
    try {
      await this.holdingLease();
      if (this.stopped) return;
      if (!this.checkpointLoaded) await this.loadOrCreateCheckpoint();
      else if (this.checkpointInDoubt) await this.reloadCheckpoint();
      if (this.stopped) return;
      if (this.model === null) {
        if (this.state === 'starting') await this.loadModel();
        // No model yet: lines wait behind the checkpoint until training succeeds.
        if (this.model === null) {
          this.polls.worked();
          this.schedulePoll(this.ctx.config().pollIntervalMs);
          return;
        }
      }
      const more = await this.scoreOnce();
      this.polls.worked();
      this.schedulePoll(nextPollDelayMs(started, Date.now(), this.ctx.config().pollIntervalMs, more));
    } catch (err) {
      if (isTaken(err)) {
        await this.taken(err);
        return;
      }
      const failures = this.polls.failed(this.onError(err, 'poll'));
      this.checkpointInDoubt = this.checkpointLoaded;
      this.schedulePoll(this.ctx.retryDelayMs(failures, 1000, 30_000));
    }
  }

  /**
   * After a failed batch: the database says where the host's reading stands. Without this, a save
   * that the server applied but whose reply was lost had its batch read, scored and counted again.
   * (The scoring thread sees the checkpoint move and takes the saved memory of new messages.)
   */
  private async reloadCheckpoint(): Promise<void> {
    const cfg = this.ctx.config();
    const doc = await loadCheckpoint(await this.ctx.client(), { db: cfg.targetDb, collection: cfg.stateCollection }, this.source.name, this.host);
    // A state document deleted meanwhile: the next save writes it again from here.
    if (doc !== null) this.checkpoint = checkpointText(doc);
    this.checkpointInDoubt = false;
  }

  /**
   * Another daemon run claimed the host's state document, so this run's save was refused
   * (checkpoints.ts CheckpointTaken). Normally a standby took the lease while a batch of this run
   * was in flight: the renewal, forced here, finds the lease lost and the supervisor stops the
   * hosts. Should the lease still be this run's (the document edited by hand), the host claims the
   * document again and reads its checkpoint, at its next poll.
   */
  private async taken(err: unknown): Promise<void> {
    this.log.warn({ err: err instanceof Error ? err.message : String(err) }, "another daemon run claimed this host's state document; its batch is not saved, and the lease is checked");
    this.checkpointLoaded = false;
    // Never throws: a failed renewal is the supervisor's to report, and the next poll checks again.
    await this.ctx.leaseFresh(true);
    this.schedulePoll(this.ctx.config().pollIntervalMs);
  }

  private async loadOrCreateCheckpoint(): Promise<void> {
    const cfg = this.ctx.config();
    const state = { db: cfg.targetDb, collection: cfg.stateCollection };
    const client = await this.ctx.client();
    const doc = await claimCheckpoint(client, state, this.source.name, this.host, this.ctx.writer);
    if (doc) {
      this.checkpoint = checkpointText(doc);
    } else {
      // First sight of this host: what is already stored is history (training data); scoring
      // starts after the newest line. Persisted at once so a restart does not move it forward.
      // A few hosts at a time: each holds the ids of its last seconds of lines (up to 2,048) until
      // they are saved, and 200 new hosts doing it at once held 300-400 MB on the main thread
      // (bench part 6), for no faster start: the driver's pool is 10 connections anyway.
      const created = await this.ctx.newHosts.run(async () => {
        // Its turn can come after the host was stopped (a reload, the daemon's stop) or the lease
        // lost, and after the client was replaced: checked and fetched again here.
        if (this.stopped) return undefined;
        await this.holdingLease();
        const current = await this.ctx.client();
        const input = { db: cfg.inputDb, collection: this.source.name, hostnameField: cfg.fields.hostname };
        const newest = await newestInputId(current, input, this.host);
        // In-flight lines made before it are found behind it (late-lines.ts).
        const recent = newest instanceof ObjectId ? await recentAtStart(current, input, this.host, newest) : undefined;
        await saveCheckpoint(current, state, this.source.name, this.host, this.ctx.writer, newest, { scored: 0, anomalies: 0, skipped: 0 }, undefined, recent);
        return newest === null ? null : BSON.EJSON.stringify(newest, { relaxed: false });
      });
      if (created === undefined) return;
      this.checkpoint = created;
      this.log.info({ checkpoint: this.checkpoint }, 'new host: scoring starts after the newest stored line');
    }
    this.ctx.health.ok();
    this.checkpointLoaded = true;
  }

  private async loadModel(): Promise<void> {
    let header: ModelFileHeader | null = null;
    try {
      header = await readModelHeader(this.modelFile);
    } catch (err) {
      if (!(err instanceof ModelFileError)) throw err;
      this.log.warn({ err: err.message }, 'model file unreadable; retraining');
    }
    if (header !== null && header.format === MODEL_FORMAT_VERSION) {
      // Scores at once; a model that is due keeps scoring while its successor trains.
      this.model = header;
      this.state = 'ready';
      this.log.info({ modelVersion: header.version, lines: header.lines, templates: header.templates }, 'model loaded');
      // Patterns and names, compared as a reload compares them (a name appears in the templates).
      if (header.extraMasks !== undefined && JSON.stringify(header.extraMasks) !== JSON.stringify(this.source.extraMasks)) {
        this.retrain('EXTRA_MASKS changed since the model was trained');
        return;
      }
      // The model read each line after its level word, or without one (line-reader.ts modelInput).
      if ((header.levelField ?? '') !== (this.ctx.config().fields.level ?? '')) {
        this.retrain('LEVEL_FIELD changed since the model was trained');
        return;
      }
      if (!this.ctx.isDue(new Date(header.trainedAt))) return;
      this.retrain('model is due for retraining');
      return;
    }
    this.state = 'training';
    this.retrain(header === null ? 'no model' : `model format ${header.format} is not ${MODEL_FORMAT_VERSION}`);
  }

  /**
   * Lines are read by `_id` greater than the checkpoint, and MongoDB compares values of one BSON
   * type only: lines with an `_id` of another type than the checkpoint's are never read, silently
   * (a `last_id` rewound by hand as a string instead of an ObjectId reads no line at all), and
   * ObjectIds made after this machine's clock wait for it (readableBefore). Checked when polls
   * have caught up (ID_AUDIT_POLLS; two to four lookups on the (hostname, _id) index, scans on a
   * server without it); each finding is logged when it first appears, or again after it was gone.
   */
  private async auditIds(client: MongoClient, cfg: DaemonConfig): Promise<void> {
    if (this.checkpoint === null) return;
    const last: unknown = BSON.EJSON.parse(this.checkpoint, { relaxed: false });
    const type = bsonTypeAlias(last);
    if (type === null) return;
    const coll = client.db(cfg.inputDb).collection(this.source.name);
    /** The host's first (order 1) or last (-1) line by _id, among those matching `id` if given. */
    const lineWith = (id: Document | null, order: 1 | -1) =>
      coll.findOne({ [cfg.fields.hostname]: this.host, ...(id === null ? {} : { _id: id }) }, { projection: { _id: 1 }, sort: { _id: order } });
    // MongoDB sorts _ids by type first: a line of another type, if any, is the first or the last.
    const ends = [await lineWith(null, 1), await lineWith(null, -1)];
    const other = ends.find((d) => d !== null && bsonTypeAlias(d._id) !== type) ?? null;
    if (other === null) this.idsReported.delete('type');
    else {
      const kinds = { checkpointKind: idKind(last), linesKind: idKind(other._id), lineId: BSON.EJSON.stringify(other._id) };
      const none = (await lineWith({ $type: type }, -1)) === null;
      this.reportIds(
        'type',
        `${kinds.linesKind} ${none}`,
        kinds,
        none
          ? `the checkpoint's last_id is ${kinds.checkpointKind} but no line of this host has such an _id (lineId has ${kinds.linesKind}), so no line is read after it: set last_id to the _id of the last line scored, of the same type`
          : `lines of this host with ${kinds.linesKind} _id are never read: the checkpoint is ${kinds.checkpointKind}, and MongoDB compares _ids of one type only (keep one _id type per host)`,
      );
    }
    if (!(last instanceof ObjectId)) return;
    const now = Date.now();
    const first = readableBefore(now, 0);
    // ObjectIds sort after the types before them and together: a last line that is an ObjectId
    // made before `first` tells that none is ahead, without a lookup.
    const newest: unknown = ends[1]?._id;
    const ahead = ends[1] === null || (newest instanceof ObjectId && newest.toHexString() < first.toHexString()) ? null : await lineWith({ $gte: first }, 1);
    if (ahead === null) this.idsReported.delete('ahead');
    else {
      const id = ahead._id as ObjectId;
      this.reportIds(
        'ahead',
        'present',
        { lineId: id.toHexString(), aheadSeconds: Math.round((id.getTimestamp().getTime() - now) / 1000) },
        "lines with ObjectIds made after this machine's clock are read when it reaches them (a writer's clock, or this machine's, is off)",
      );
    }
  }

  /** Logs a finding of auditIds unless it was logged last time in the same `state`. */
  private reportIds(finding: string, state: string, fields: Record<string, unknown>, msg: string): void {
    if (this.idsReported.get(finding) === state) return;
    this.idsReported.set(finding, state);
    this.log.warn(fields, msg);
  }

  private async scoreOnce(): Promise<boolean> {
    const cfg = this.ctx.config();
    const model = this.model!;
    const ref = this.sourceRef(cfg);
    // Caught up, the host's next lines come in one read with those of the source's other hosts;
    // with a backlog (and at start, whose backlog is unknown) it reads alone, in full batches.
    const after: unknown = this.checkpoint === null ? null : BSON.EJSON.parse(this.checkpoint, { relaxed: false });
    const behindFrom = this.lookBehind;
    this.lookBehind = null;
    const lines = this.backlog ? null : await this.ctx.readShared(ref, after, cfg.batchSize, cfg.settleSeconds, behindFrom);
    if (this.stopped) return false;
    const task: ScoreTask & { sourceName: string } = {
      kind: 'score',
      sourceName: this.source.name,
      source: ref,
      modelFile: this.modelFile,
      modelVersion: model.version,
      checkpoint: this.checkpoint,
      batchSize: cfg.batchSize,
      settleSeconds: cfg.settleSeconds,
      threshold: this.source.threshold,
      ignore: this.source.ignore,
      target: { db: cfg.targetDb, collection: this.source.targetCollection },
      state: { db: cfg.targetDb, collection: cfg.stateCollection },
      writer: this.ctx.writer,
      ...(lines !== null ? { lines } : { serverFiltersEveryDocument: this.ctx.serverFiltersEveryDocument() }),
    };
    const res = await this.ctx.run(task);
    if (res.kind === 'failed') {
      if (res.cause === 'model') {
        this.log.warn({ err: res.message }, 'model unusable; retraining');
        this.model = null;
        this.state = 'training';
        this.retrain('model unusable');
        return false;
      }
      throw new TaskFailed(res);
    }
    if (res.kind !== 'scored') throw new Error(`unexpected result ${res.kind} for a score task`);
    this.ctx.health.ok();
    if (this.stopped) return false;
    this.checkpoint = res.checkpoint;
    this.backlog = res.more;
    this.lookBehind = res.lookBehind === null ? null : ObjectId.createFromHexString(res.lookBehind);
    const s = this.ctx.stats;
    s.linesRead += res.read;
    // Expected once per new model (a restart takes up the saved memory); more often means saves
    // whose replies were lost, or another writer of the state document.
    if (res.familiarSaved === 'full') this.log.debug('memory of new messages saved whole with the checkpoint');
    s.lateLines += res.late;
    if (res.late > 0) this.logLate(res.late);
    s.linesScored += res.scored;
    s.anomaliesWritten += res.anomalies;
    s.anomaliesIgnored += res.ignored;
    s.binaryDecoded += res.binaryDecoded;
    const skipped = res.skipped.missingMessage + res.skipped.nonStringMessage;
    s.linesSkipped += skipped;
    if (res.anomalies > 0) {
      this.log.info({ anomalies: res.anomalies, read: res.read, target: this.source.targetCollection }, 'anomalies written');
    }
    if (skipped > 0 || res.binaryDecoded > 0) {
      this.log.warn(
        { ...res.skipped, binaryDecoded: res.binaryDecoded, ...(skipped > 0 ? { skippedIds: res.skippedIds } : {}) },
        'lines without a text message (skipped) or with binary messages (decoded)',
      );
    }
    // After the batch is counted: each lookup of the audit is a scan on a server without the
    // (hostname, _id) index, and /metrics would not show a saved batch until they answered.
    // Not at start, for the same reason. A host without a checkpoint yet has nothing to compare:
    // its first check waits for one.
    if (!res.more && this.checkpoint !== null && this.pollsToIdAudit-- <= 0) {
      // Due, it waits while other hosts catch up (a restart, an outage over), for at most
      // ID_AUDIT_POLLS polls: on a server without the index its lookups are scans that slowed
      // their batch reads (bench part 4).
      if (this.idAuditWaits < ID_AUDIT_POLLS && this.ctx.hostsCatchingUp()) {
        this.idAuditWaits++;
        this.pollsToIdAudit = 0;
        return res.more;
      }
      this.idAuditWaits = 0;
      this.pollsToIdAudit = ID_AUDIT_POLLS;
      // The batch is saved: a failed lookup is tried again at the next audit, not as a failed poll.
      await this.auditIds(await this.ctx.client(), cfg).catch((err: unknown) => this.log.debug({ err: String(err) }, 'checking the host\'s _ids failed'));
    }
    return res.more;
  }

  /**
   * Lines found behind the checkpoint: at info once per LATE_INFO_MS per host, with those found
   * since the last info line, at debug in between. A writer whose clock runs ahead moves the
   * checkpoint past the other writers' next lines every time one of its lines is read: an info line
   * every few seconds, for as long as it writes (auditIds warns about one more than AHEAD_SECONDS
   * ahead). Lines counted at debug are said at the next info line; the metric has them all.
   */
  private logLate(late: number): void {
    const now = Date.now();
    const msg = 'lines found behind the checkpoint (their inserts became visible after later ids); scored now. Frequent? See SETTLE_SECONDS';
    if (now - this.lateInfoAt < LATE_INFO_MS) {
      this.lateSinceInfo += late;
      this.log.debug({ late }, msg);
      return;
    }
    this.log.info({ late, ...(this.lateSinceInfo > 0 ? { lateSinceLastInfo: this.lateSinceInfo } : {}) }, msg);
    this.lateInfoAt = now;
    this.lateSinceInfo = 0;
  }

  private async train(): Promise<void> {
    if (this.stopped) return;
    const cfg = this.ctx.config();
    if (this.model === null) this.state = 'training';
    const task: TrainTask & { sourceName: string } = {
      kind: 'train',
      sourceName: this.source.name,
      source: this.sourceRef(cfg),
      sinceMs: Date.now() - cfg.trainingWindowDays * 86_400_000,
      // Only lines already scored: a model that has seen a line would judge it routine. This holds
      // for a retraining after a lost, corrupt or outdated model file too, whose host may have a
      // backlog of unscored lines after its checkpoint.
      untilId: this.checkpoint,
      maxLines: cfg.maxTrainingLines,
      minLines: cfg.minTrainingLines,
      modelFile: this.modelFile,
      maxTemplates: cfg.maxTemplates,
      extraMasks: this.source.extraMasks,
    };
    try {
      await this.holdingLease();
      if (this.stopped) return;
      let res = await this.ctx.run(task);
      if (res.kind === 'insufficient' && task.untilId !== null && this.model === null) {
        // Too little history up to the checkpoint (a host that has been waiting for enough lines):
        // the lines waiting to be scored are all there is to learn from, as for a new host.
        res = await this.ctx.run({ ...task, untilId: null });
      }
      if (res.kind === 'failed') throw new TaskFailed(res);
      this.ctx.health.ok();
      this.trainings.worked();
      if (this.stopped) return;
      if (res.kind === 'insufficient' && this.model !== null) {
        // A quiet host that has a model: it keeps scoring with it; the next scheduled retraining tries again.
        this.log.info(
          { lines: res.lines, minLines: cfg.minTrainingLines, modelVersion: this.model.version, ...(res.hint ? { hint: res.hint } : {}) },
          'retraining skipped: too few lines in the training window; the current model stays',
        );
        return;
      }
      if (res.kind === 'insufficient') {
        this.state = 'untrained';
        this.log.warn(
          {
            lines: res.lines,
            minLines: cfg.minTrainingLines,
            retryInSeconds: cfg.untrainedRetrySeconds,
            ...(res.hint ? { hint: res.hint } : {}),
            ...(res.skipped.missingMessage + res.skipped.nonStringMessage > 0 ? { skipped: res.skipped } : {}),
          },
          'too few lines to train; new lines wait unscored until a model exists',
        );
        this.scheduleTrain(cfg.untrainedRetrySeconds * 1000, 'retry after too few lines');
        return;
      }
      if (res.kind !== 'trained') throw new Error(`unexpected result ${res.kind} for a train task`);
      this.model = { version: res.modelVersion, trainedAt: new Date().toISOString(), lines: res.lines, templates: res.templates };
      this.state = 'ready';
      const s = this.ctx.stats;
      s.trainings++;
      s.lastTrainingSeconds = res.durationMs / 1000;
      s.trainingSecondsTotal += res.durationMs / 1000;
      this.log.info(
        { lines: res.lines, templates: res.templates, durationMs: Math.round(res.durationMs), modelVersion: res.modelVersion },
        'trained',
      );
      const levels = res.levels;
      if (levels !== undefined && levels.without * 2 > res.lines) {
        // A misspelt LEVEL_FIELD would otherwise go unnoticed: the model reads the lines without a level.
        this.log.warn(
          { levelField: cfg.fields.level, withoutLevel: levels.without, lines: res.lines, ...(levels.unread.length > 0 ? { valuesNamingNoLevel: levels.unread } : {}) },
          'most training lines have no level in LEVEL_FIELD (the field is missing, or holds no level word or number): the model reads them without one',
        );
      }
    } catch (err) {
      const failures = this.trainings.failed(this.onError(err, 'train'));
      this.scheduleTrain(this.ctx.retryDelayMs(failures, 2000, 300_000), 'retry after failure');
    }
  }

  /**
   * Waits until the daemon's lease is known to be its own (PipelineContext.leaseFresh); throws when
   * it could not be renewed. A lease found lost stops this pipeline (standBy) meanwhile.
   */
  private async holdingLease(): Promise<void> {
    if (!(await this.ctx.leaseFresh()) && !this.stopped) throw new LeaseUnconfirmed();
  }

  /** Logs or reports a failed step; true when MongoDB did not answer. */
  private onError(err: unknown, during: 'poll' | 'train'): boolean {
    if (this.stopped) return false;
    const failure = err instanceof TaskFailed ? err.failure : null;
    if (failure?.cause === 'database' || err instanceof LeaseUnconfirmed || (!failure && isConnectivityError(err))) {
      this.ctx.health.failed(failure?.message ?? (err as Error).message);
      return true;
    }
    this.ctx.stats.errors++;
    if (!failure) this.ctx.stats.workerCrashes++;
    this.log.error({ during, err: failure?.message ?? (err instanceof Error ? err.stack : String(err)) }, `${during} failed; will retry`);
    return false;
  }

  private sourceRef(cfg: DaemonConfig): LineSourceRef {
    return { uri: cfg.mongoUri, inputDb: cfg.inputDb, collection: this.source.name, host: this.host, fields: cfg.fields };
  }
}

/** A stored checkpoint as the pipeline holds it (EJSON of last_id; null before any line). */
function checkpointText(doc: CheckpointDoc): string | null {
  return doc.last_id === null || doc.last_id === undefined ? null : BSON.EJSON.stringify(doc.last_id, { relaxed: false });
}

class TaskFailed extends Error {
  constructor(readonly failure: TaskFailure) {
    super(failure.message);
  }
}

/** A save refused because another daemon run claimed the state document, in the scoring thread or here. */
function isTaken(err: unknown): boolean {
  return err instanceof CheckpointTaken || (err instanceof TaskFailed && err.failure.cause === 'taken');
}

/** The daemon's lease could not be renewed before a step (MongoDB unreachable from the main thread). */
class LeaseUnconfirmed extends Error {
  constructor() {
    super("the daemon's lease could not be renewed before scoring");
  }
}

/**
 * The kinds of `_id` as MongoDB orders them (numbers of any width are one kind): the `$type` alias
 * the _id check asks for, and how messages name it.
 */
const ID_KINDS: ReadonlyArray<{ is: (v: unknown) => boolean; alias: string; text: string }> = [
  { is: (v) => typeof v === 'string', alias: 'string', text: 'a string' },
  {
    is: (v) => typeof v === 'number' || v instanceof BSON.Long || v instanceof BSON.Int32 || v instanceof BSON.Double || v instanceof BSON.Decimal128,
    alias: 'number',
    text: 'a number',
  },
  { is: (v) => v instanceof BSON.ObjectId, alias: 'objectId', text: 'an ObjectId' },
  { is: (v) => v instanceof Date, alias: 'date', text: 'a date' },
  { is: (v) => v instanceof BSON.Timestamp, alias: 'timestamp', text: 'a Timestamp' },
  { is: (v) => v instanceof BSON.Binary, alias: 'binData', text: 'a Binary' },
];

/** BSON `$type` alias of an `_id`, or null for a type not worth a check. */
function bsonTypeAlias(v: unknown): string | null {
  return ID_KINDS.find((k) => k.is(v))?.alias ?? null;
}

/** The kind of an `_id`, as messages name it. */
function idKind(v: unknown): string {
  const known = ID_KINDS.find((k) => k.is(v));
  if (known !== undefined) return known.text;
  return v === null || v === undefined ? 'missing' : `a ${(v as object).constructor?.name ?? typeof v}`;
}
