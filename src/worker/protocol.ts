// Typed messages between the supervisor and the piscina workers. Everything here must survive
// structured cloning, so ids travel as EJSON text and dates as epoch milliseconds.
import type { MaskRuleConfig } from '../model/types.js';
import type { SharedBatch } from '../mongo/line-reader.js';
import type { InputFields } from '../config/schema.js';

/** Which MongoDB collection and fields a host's lines come from. */
export interface LineSourceRef {
  uri: string;
  inputDb: string;
  collection: string;
  host: string;
  fields: InputFields;
}

export interface TrainTask {
  kind: 'train';
  source: LineSourceRef;
  /** Lines with timestamps at or after this instant (epoch ms) are training data. */
  sinceMs: number;
  /**
   * EJSON of the host's checkpoint when retraining a host that already has a model: the new model
   * learns only from lines already scored, so no line is judged by a model that has seen it. Null
   * for a first training, which also takes the lines waiting for it.
   */
  untilId: string | null;
  maxLines: number;
  minLines: number;
  modelFile: string;
  maxTemplates: number;
  extraMasks: MaskRuleConfig[];
}

export type TrainResult =
  | {
      kind: 'trained';
      modelVersion: string;
      lines: number;
      templates: number;
      durationMs: number;
      skipped: SkipCounts;
      /** With LEVEL_FIELD set: training lines whose field named no level, and up to 3 of the values it held instead. */
      levels?: { without: number; unread: string[] };
    }
  | {
      kind: 'insufficient';
      lines: number;
      durationMs: number;
      /** Why so few, when the host's newest line tells (no line at all, a timestamp that is no date...). */
      hint?: string;
      skipped: SkipCounts;
    };

export interface ScoreTask {
  kind: 'score';
  source: LineSourceRef;
  sourceName: string;
  modelFile: string;
  modelVersion: string;
  /** EJSON of the last processed _id, or null to start from the first line of the host. */
  checkpoint: string | null;
  batchSize: number;
  settleSeconds: number;
  threshold: number;
  /** Regular expressions (sources): a line whose message matches one is not written (config IGNORE). */
  ignore: string[];
  target: { db: string; collection: string };
  state: { db: string; collection: string };
  /** The daemon run (lease owner) that claimed the host's state document: only its saves move the checkpoint. */
  writer: string;
  /**
   * The batch after `checkpoint`, read by the supervisor with those of the source's other hosts
   * (shared-reads.ts); without it the thread reads the host's batch itself.
   */
  lines?: SharedBatch;
  /**
   * The server tests a query's conditions against every stored line (server-kind.ts): a thread
   * reading the batch itself brings the lines behind the checkpoint with it when a check for late
   * lines is due, instead of counting them in a query of their own.
   */
  serverFiltersEveryDocument?: boolean;
}

/** Lines that could not be scored as text, by cause; they are counted, logged and passed over. */
export interface SkipCounts {
  missingMessage: number;
  nonStringMessage: number;
}

export interface ScoreResult {
  kind: 'scored';
  /** EJSON of the new checkpoint (unchanged when nothing was read). */
  checkpoint: string | null;
  /**
   * Hex ObjectId: the host's next check for late lines is likely due and will look from there, so
   * its next batch is best read from there (SharedBatch.behind); null when no check is near.
   */
  lookBehind: string | null;
  read: number;
  /** Of those read, lines found behind the checkpoint (late-lines.ts). */
  late: number;
  scored: number;
  /** Anomaly documents newly written (not those a repeated batch found in place). */
  anomalies: number;
  /** Lines at or above the threshold that IGNORE kept out of the target. */
  ignored: number;
  /** Binary messages decoded as UTF-8 with replacement characters and scored. */
  binaryDecoded: number;
  skipped: SkipCounts;
  /** `_id`s (EJSON) of the first skipped documents of the batch, at most SKIPPED_IDS_SHOWN: for the warning. */
  skippedIds: string[];
  /** True when the batch was full, so more lines are probably waiting. */
  more: boolean;
  /**
   * How the host's memory of new messages was saved with the checkpoint: whole (the first save
   * for a new model, or when the saved memory was not the revision the thread holds: another
   * daemon's save, an earlier version's layout), as the change of this batch (also after a
   * restart or a failed batch, which take up the saved memory), or not at all (nothing read).
   */
  familiarSaved: 'full' | 'change' | 'none';
  durationMs: number;
}

/**
 * Sent to a host's scoring thread once its pipeline has stopped (the host left the
 * configuration): the thread drops what it holds for the host, its model and its memory of the
 * host's recent lines, which would otherwise stay for the life of the process and, were the host
 * added back onto the same thread, be taken up again in place of the saved state.
 */
export interface ForgetTask {
  kind: 'forget';
  modelFile: string;
}

export interface ForgetResult {
  kind: 'forgotten';
  /** Whether the thread held a model of the host. */
  held: boolean;
}

export type WorkerTask = TrainTask | ScoreTask | ForgetTask;
export type WorkerResult = TrainResult | ScoreResult | ForgetResult | TaskFailure;

/** Errors travel back as data; the supervisor decides what to do. */
export interface TaskFailure {
  kind: 'failed';
  /**
   * 'database' for connectivity problems (retry with backoff), 'model' for an unusable model file,
   * 'taken' when another daemon run claimed the host's state document (checkpoints.ts
   * CheckpointTaken), 'internal' otherwise.
   */
  cause: 'database' | 'model' | 'taken' | 'internal';
  message: string;
}
