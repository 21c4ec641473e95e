import { randomUUID } from 'node:crypto';
import { BSON, ObjectId, type MongoClient } from 'mongodb';
import { sharedClient } from '../mongo/client.js';
import { writeAnomalies, type AnomalyRecord } from '../mongo/anomaly-writer.js';
import { loadCheckpoint, saveCheckpoint, savedFamiliarity, type FamiliarityUpdate } from '../mongo/checkpoints.js';
import { Familiarity, type FamiliarityDraft } from '../model/familiarity.js';
import { fieldValue } from '../mongo/field-path.js';
import { copiedMessage, emptySkipCounts, messageText, readLinesAfter } from '../mongo/line-reader.js';
import { findLateLines, recentIdsFor } from './late-lines.js';
import { modelFor, type Cached, type InDoubtSave } from './model-cache.js';
import type { ScoreResult, ScoreTask } from './protocol.js';
import type { RecentIds } from './late-lines.js';

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
async function restoreFamiliarity(client: MongoClient, task: ScoreTask, cached: Cached): Promise<void> {
  const doc = await loadCheckpoint(client, task.state, task.sourceName, task.source.host);
  cached.restored = true;
  const saved = savedFamiliarity(doc, cached.version);
  if (doc === null || saved === null) return;
  if (task.checkpoint === null || BSON.EJSON.stringify(doc.last_id, { relaxed: false }) !== task.checkpoint) return;
  cached.familiar = Familiarity.fromState(saved.state);
  // A log saved by an earlier version (one array, no revision) is written whole once before batches change single entries.
  cached.savedRev = saved.rev;
}

/**
 * One poll of one host: read the lines after the checkpoint, score them, write the anomalies,
 * and only then move the checkpoint. A failure anywhere leaves the checkpoint where it was, so
 * the batch is read again; the idempotent anomaly writes make that repeat harmless.
 */
export async function scoreBatch(task: ScoreTask): Promise<ScoreResult> {
  const started = performance.now();
  const cached = await modelFor(task.modelFile, task.modelVersion);
  const { model, version } = cached;
  const client = await sharedClient(task.source.uri);
  if (!cached.restored) await restoreFamiliarity(client, task, cached);
  const recentOf = (id: unknown): RecentIds | null => (id instanceof ObjectId ? recentIdsFor(task.modelFile) : null);
  // Batches saved although their tasks failed: this batch goes on after them.
  const earlier = await unreportedBatches(client, task, cached, recentOf);
  const from = earlier === null ? task.checkpoint : earlier.checkpoint;
  // Recorded into a draft, kept only once the checkpoint (and the draft with it) has been saved:
  // a batch read again after a failure is scored exactly as the first time, so no anomaly is lost
  // to its own earlier lines.
  const draft = cached.familiar.draft();
  const after = from === null ? null : BSON.EJSON.parse(from, { relaxed: false });
  const { docs: batch, more } = await readLinesAfter(client, task.source, after, task.batchSize, task.settleSeconds);
  const recent = recentOf(after);
  const late = recent ? await findLateLines(client, task.source, after as ObjectId, recent, more) : [];
  // Late lines first: they were made before the batch's lines.
  const docs = late.length > 0 ? [...late, ...batch] : batch;
  // The batch's last line; late lines alone leave the checkpoint where it was.
  const lastId: unknown = batch.length > 0 ? batch[batch.length - 1]._id : after;
  const skipped = emptySkipCounts();
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
      continue;
    }
    if (m.binary) binaryDecoded++;
    scored++;
    const text = m.text;
    const r = model.score(text, draft);
    if (r.score >= task.threshold) {
      if (ignore.length > 0 && ignore.some((re) => re.test(text))) {
        ignored++;
        continue;
      }
      anomalies.push({
        source: task.sourceName,
        inputId: doc._id,
        ...copiedMessage(fieldValue(doc, f.message), text),
        hostname: fieldValue(doc, f.hostname),
        timestamp: fieldValue(doc, f.timestamp),
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
  const result: ScoreResult = {
    kind: 'scored',
    checkpoint: docs.length > 0 ? BSON.EJSON.stringify(lastId, { relaxed: false }) : from,
    read: docs.length,
    late: late.length,
    scored,
    anomalies: written,
    ignored,
    binaryDecoded,
    skipped,
    more,
    familiarSaved: 'none',
    durationMs: 0,
  };
  if (docs.length > 0) {
    const rev = randomUUID();
    const since = cached.savedRev;
    const familiar: FamiliarityUpdate = { version, rev, full: () => draft.state(), change: since === null ? null : { since, change: draft.change() } };
    // Every anomaly of the batch is in the target now, also those an earlier try of the batch wrote
    // before its save failed: the state document counts them with the lines that moved its checkpoint.
    const counts = { scored, anomalies: anomalies.length, skipped: skipped.missingMessage + skipped.nonStringMessage };
    try {
      result.familiarSaved = await saveCheckpoint(client, task.state, task.sourceName, task.source.host, lastId, counts, familiar);
    } catch (err) {
      cached.inDoubt = { from, rev, draft, ids: docs.map((d) => d._id as unknown), lastId, result };
      throw err;
    }
    cached.savedRev = rev;
  }
  keepBatch(draft, recent, docs.map((d) => d._id as unknown), lastId);
  result.durationMs = performance.now() - started;
  result.anomalies += cached.writtenUnreported;
  cached.unreported = null;
  cached.writtenUnreported = 0;
  return earlier === null ? result : addUp(earlier, result);
}

/** Makes a saved batch part of what the thread holds: its sightings of new messages, its ids. */
function keepBatch(draft: FamiliarityDraft, recent: RecentIds | null, ids: readonly unknown[], lastId: unknown): void {
  draft.commit();
  if (recent === null || ids.length === 0) return;
  for (const id of ids) if (id instanceof ObjectId) recent.add(id);
  if (lastId instanceof ObjectId) recent.prune(lastId);
}

/**
 * The saved batches the supervisor has not heard of, as one result (null if none): where this
 * task really starts. After a batch whose save failed, whether the server applied it anyway (its
 * reply lost with the connection) is told by the revision it wrote. If it did, the batch is kept
 * as if the reply had come, so its lines are neither read, scored nor counted again; if not, it is
 * dropped and this task reads them again.
 */
async function unreportedBatches(
  client: MongoClient,
  task: ScoreTask,
  cached: Cached,
  recentOf: (id: unknown) => RecentIds | null,
): Promise<ScoreResult | null> {
  // Another checkpoint than the one the supervisor was left at: it has read the database itself
  // (its host restarted), which holds what this thread holds.
  if (cached.unreported !== null && cached.unreported.from !== task.checkpoint) cached.unreported = null;
  const known = cached.unreported?.result ?? null;
  const d: InDoubtSave | null = cached.inDoubt;
  if (d === null) return known;
  if (d.from !== (known === null ? task.checkpoint : known.checkpoint)) {
    cached.inDoubt = null;
    return known;
  }
  const saved = savedFamiliarity(await loadCheckpoint(client, task.state, task.sourceName, task.source.host), cached.version);
  cached.inDoubt = null;
  if (saved === null || saved.rev !== d.rev) {
    // Read again by this task, which finds the documents the failed try wrote in place.
    cached.writtenUnreported += d.result.anomalies;
    return known;
  }
  cached.savedRev = d.rev;
  keepBatch(d.draft, recentOf(d.lastId), d.ids, d.lastId);
  const result = known === null ? d.result : addUp(known, d.result);
  cached.unreported = { from: task.checkpoint, result };
  return result;
}

/** Two batches' results as one: the counts of both, the state after the second. */
function addUp(first: ScoreResult, second: ScoreResult): ScoreResult {
  return {
    ...second,
    read: first.read + second.read,
    late: first.late + second.late,
    scored: first.scored + second.scored,
    anomalies: first.anomalies + second.anomalies,
    ignored: first.ignored + second.ignored,
    binaryDecoded: first.binaryDecoded + second.binaryDecoded,
    skipped: {
      missingMessage: first.skipped.missingMessage + second.skipped.missingMessage,
      nonStringMessage: first.skipped.nonStringMessage + second.skipped.nonStringMessage,
    },
  };
}
