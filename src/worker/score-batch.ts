import { randomUUID } from 'node:crypto';
import { BSON, ObjectId, type Document, type MongoClient } from 'mongodb';
import { sharedClient } from '../mongo/client.js';
import { writeAnomalies, type AnomalyRecord } from '../mongo/anomaly-writer.js';
import { loadCheckpoint, saveCheckpoint, savedFamiliarity, savedRecentIds, savedRevision, type CheckpointDoc, type FamiliarityUpdate } from '../mongo/checkpoints.js';
import { Familiarity, type FamiliarityDraft } from '../model/familiarity.js';
import { fieldValue } from '../mongo/field-path.js';
import { copiedLevel, copiedMessage, copiedTimestamp, emptySkipCounts, messageText, modelInput, readHostParts, readLinesAfter, unpackLines, type SharedBatch } from '../mongo/line-reader.js';
import { dueCheckFrom, findLateLines, heldRecentIds, lookBehindFor, recentIdsFor, type LinesBehind, type RecentIds, type UnsavedBatch } from './late-lines.js';
import { modelFor, type Cached } from './model-cache.js';
import type { ScoreResult, ScoreTask } from './protocol.js';

/** Compiled IGNORE lists, by their patterns (a list changes only on a configuration reload). */
const ignoreCache = new Map<string, RegExp[]>();

function ignorePatterns(patterns: readonly string[]): RegExp[] {
  if (patterns.length === 0) return [];
  const key = JSON.stringify(patterns);
  let compiled = ignoreCache.get(key);
  if (compiled === undefined) {
    if (ignoreCache.size >= 64) ignoreCache.clear();
    // Validated with the configuration; compiled here because a RegExp cannot cross to a worker.
    compiled = patterns.map((p) => new RegExp(p));
    ignoreCache.set(key, compiled);
  }
  return compiled;
}

/**
 * Takes the familiarity log saved with the checkpoint when it was recorded with this model up to
 * exactly this checkpoint; otherwise (another model, a checkpoint moved by hand, an old state
 * document) the host starts a new one, which can only flag more.
 */
function restoreFamiliarity(doc: CheckpointDoc | null, task: ScoreTask, cached: Cached): void {
  const saved = savedFamiliarity(doc, cached.version);
  const here = doc !== null && task.checkpoint !== null && BSON.EJSON.stringify(doc.last_id, { relaxed: false }) === task.checkpoint;
  cached.familiar = saved !== null && here ? Familiarity.fromState(saved.state) : new Familiarity();
  // A log saved by an earlier version (one array, no revision) is written whole once before batches change single entries.
  cached.savedRev = saved !== null && here ? saved.rev : null;
  cached.at = task.checkpoint;
}

/**
 * One poll of one host: read the lines after the checkpoint, score them, write the anomalies,
 * and only then move the checkpoint. A failure anywhere leaves the checkpoint where it was, so
 * the batch is read again; the idempotent anomaly writes make that repeat harmless.
 */
export async function scoreBatch(task: ScoreTask): Promise<ScoreResult> {
  const started = performance.now();
  const cached = await modelFor(task.modelFile, task.modelVersion);
  const client = await sharedClient(task.source.uri);
  const after = task.checkpoint === null ? null : BSON.EJSON.parse(task.checkpoint, { relaxed: false });
  const held = after instanceof ObjectId ? heldRecentIds(task.modelFile) : undefined;
  if (held?.unsaved) await takeUpIfApplied(client, task, cached, held, held.unsaved);
  // No record for other _id types; from no checkpoint (a host that had no line at first sight)
  // one that starts with this batch.
  const recent = after instanceof ObjectId || after === null ? recentIdsFor(task.modelFile, task.checkpoint) : null;
  // Another checkpoint than the last batch reached (or the first batch of this model): after a
  // failed task the supervisor reads it from the database, which is ahead when the failed save
  // was applied (its reply lost). The memory is then the one saved there, as after a restart; so
  // are the ids read just behind the checkpoint, for a record started over.
  if (cached.at !== task.checkpoint || recent?.blank) {
    const doc = await loadCheckpoint(client, task.state, task.sourceName, task.source.host);
    if (cached.at !== task.checkpoint) restoreFamiliarity(doc, task, cached);
    const saved = recent?.blank && after instanceof ObjectId ? savedRecentIds(doc, after) : null;
    if (saved !== null) recent!.restore(saved);
  }
  // Recorded into a draft, kept only once the checkpoint (and the draft with it) has been saved:
  // a batch read again after a failure is scored exactly as the first time, so no anomaly is lost
  // to its own earlier lines.
  const draft = cached.familiar.draft();
  try {
    return await scoreAfter(task, cached, client, draft, after, recent, started);
  } catch (err) {
    // The retry looks for late lines at once, also in a full batch or after a long backoff: this
    // try may have failed within its check (those it found the retry takes over: `found`).
    if (recent !== null) recent.recheck = true;
    throw err;
  }
}

/**
 * After a failed save: when the task starts where that save would have moved the checkpoint (the
 * supervisor read it there, or a batch of late lines only left it in place), the revision in the
 * state document tells whether the server applied it. Applied, the batch's ids join the record
 * of recent ids and the memory is the one saved, as if the reply had come.
 */
async function takeUpIfApplied(client: MongoClient, task: ScoreTask, cached: Cached, recent: RecentIds, unsaved: UnsavedBatch): Promise<void> {
  if (unsaved.to !== task.checkpoint) {
    recent.unsaved = null;
    return;
  }
  // Kept until the lookup succeeds: a database still down fails this task, and the next one asks again.
  const doc = await loadCheckpoint(client, task.state, task.sourceName, task.source.host);
  recent.unsaved = null;
  if (savedRevision(doc) !== unsaved.rev) return;
  recent.keep(unsaved.ids, unsaved.lastId, unsaved.to);
  restoreFamiliarity(doc, task, cached);
}

/** A batch as scoreAfter takes it: its lines, whether more wait, and the lines behind the checkpoint when read with it. */
interface BatchRead {
  docs: Document[];
  more: boolean;
  behind?: LinesBehind;
}

/** The batch the supervisor read with other hosts' (shared-reads.ts), decoded. */
function unpackBatch(lines: SharedBatch): BatchRead {
  const { behind } = lines;
  return {
    docs: unpackLines(lines.bson),
    more: lines.more,
    ...(behind && { behind: { from: ObjectId.createFromHexString(behind.from), docs: unpackLines(behind.bson) } }),
  };
}

/**
 * The host's batch read by this thread together with its lines behind the checkpoint, when a
 * check for late lines is due and the server would scan the collection to count them
 * (dueCheckFrom); null when the batch is to be read plainly (readLinesAfter): no check due, a
 * server with the index, or a read that could not tell each line's host.
 */
async function readWithLinesBehind(client: MongoClient, task: ScoreTask, after: unknown, recent: RecentIds | null): Promise<BatchRead | null> {
  if (task.serverFiltersEveryDocument !== true || recent === null || !(after instanceof ObjectId)) return null;
  const behindFrom = dueCheckFrom(recent, after, Date.now());
  if (behindFrom === null) return null;
  const { host, ...src } = task.source;
  // Room for the lines held behind the checkpoint and some late ones: a host writing faster than a
  // batch per window has more than a batch there, and the check would count after all.
  const behindLimit = Math.max(task.batchSize, recent.countSince(behindFrom.getTimestamp().getTime() / 1000) + LATE_ROOM);
  const want = { host, after, behindFrom, behindLimit };
  const part = (await readHostParts(client, src, [want], task.batchSize, task.settleSeconds, true, (_raw, doc) => doc))?.get(host);
  if (part === undefined) return null;
  const { behind } = part;
  return { docs: part.lines, more: part.more, ...(behind && { behind: { from: ObjectId.createFromHexString(behind.from), docs: behind.lines } }) };
}

/** Late lines a read behind the checkpoint has room for beyond those held (readWithLinesBehind); with more, the check counts them. */
const LATE_ROOM = 500;

/** Skipped documents named per batch in the warning, so an operator can find them. */
const SKIPPED_IDS_SHOWN = 3;

async function scoreAfter(
  task: ScoreTask,
  cached: Cached,
  client: MongoClient,
  draft: FamiliarityDraft,
  after: unknown,
  recent: RecentIds | null,
  started: number,
): Promise<ScoreResult> {
  const { model, version } = cached;
  const { docs: batch, more, behind }: BatchRead =
    task.lines !== undefined
      ? unpackBatch(task.lines)
      : ((await readWithLinesBehind(client, task, after, recent)) ?? (await readLinesAfter(client, task.source, after, task.batchSize, task.settleSeconds)));
  const late =
    recent !== null && after instanceof ObjectId
      ? await findLateLines(client, task.source, after, recent, { readsBehind: task.lines !== undefined || task.serverFiltersEveryDocument === true, behind })
      : [];
  // Late lines first: they were made before the batch's lines.
  const docs = late.length > 0 ? [...late, ...batch] : batch;
  // The batch's last line; late lines alone leave the checkpoint where it was.
  const lastId: unknown = batch.length > 0 ? batch[batch.length - 1]._id : after;
  const skipped = emptySkipCounts();
  const skippedIds: string[] = [];
  const ignore = ignorePatterns(task.ignore);
  const anomalies: AnomalyRecord[] = [];
  let ignored = 0;
  let scored = 0;
  let binaryDecoded = 0;
  const detectedAt = new Date();
  const f = task.source.fields;
  for (const doc of docs) {
    const m = messageText(doc, f.message);
    if (m.text === null) {
      skipped[m.skip]++;
      if (skippedIds.length < SKIPPED_IDS_SHOWN) skippedIds.push(BSON.EJSON.stringify(doc._id));
      continue;
    }
    if (m.binary) binaryDecoded++;
    scored++;
    const text = m.text;
    const r = model.score(modelInput(doc, f, text), draft);
    if (r.score >= task.threshold) {
      if (ignore.length > 0 && ignore.some((re) => re.test(text))) {
        ignored++;
        continue;
      }
      anomalies.push({
        source: task.sourceName,
        inputId: doc._id,
        ...copiedMessage(fieldValue(doc, f.message), text),
        // The host matched exactly, or as one element of an array (copied whole, a huge array
        // could exceed the document limit, and two array fields in one index are refused).
        hostname: task.source.host,
        ...copiedTimestamp(fieldValue(doc, f.timestamp)),
        ...copiedLevel(doc, f),
        score: r.score,
        reasons: r.reasons,
        template: r.template,
        templateId: r.templateId,
        modelVersion: version,
        threshold: task.threshold,
        detectedAt,
      });
    }
  }
  // Counted as written only when new: a batch read again after a crash between its write and its
  // checkpoint finds its first write's documents in place.
  const written = await writeAnomalies(client, task.target, f, anomalies);
  let checkpoint = task.checkpoint;
  let familiarSaved: ScoreResult['familiarSaved'] = 'none';
  if (docs.length > 0) {
    const rev = randomUUID();
    const since = cached.savedRev;
    const familiar: FamiliarityUpdate = { version, rev, full: () => draft.state(), change: since === null ? null : { since, change: draft.change() } };
    // Every anomaly of the batch is in the target now, also those an earlier try of the batch wrote
    // before its save failed: the state document counts them with the lines that moved its checkpoint.
    const counts = { scored, anomalies: anomalies.length, skipped: skipped.missingMessage + skipped.nonStringMessage };
    const to = BSON.EJSON.stringify(lastId, { relaxed: false });
    const ids = docs.map((d) => d._id as unknown);
    if (recent !== null) recent.unsaved = { rev, to, ids, lastId };
    const keptIds = recent !== null && lastId instanceof ObjectId ? recent.savedWith(ids, lastId) : undefined;
    familiarSaved = await saveCheckpoint(client, task.state, task.sourceName, task.source.host, task.writer, lastId, counts, familiar, keptIds);
    cached.savedRev = rev;
    checkpoint = to;
    if (recent !== null) {
      recent.unsaved = null;
      recent.keep(ids, lastId, to);
    }
  }
  draft.commit();
  cached.at = checkpoint;
  const lookBehind = recent !== null && lastId instanceof ObjectId ? lookBehindFor(recent, lastId, Date.now()) : null;
  return {
    kind: 'scored',
    checkpoint,
    lookBehind: lookBehind?.toHexString() ?? null,
    read: docs.length,
    late: late.length,
    scored,
    anomalies: written,
    ignored,
    binaryDecoded,
    skipped,
    skippedIds,
    more,
    familiarSaved,
    durationMs: performance.now() - started,
  };
}
