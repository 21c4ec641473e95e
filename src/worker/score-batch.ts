import { BSON } from 'mongodb';
import { sharedClient } from '../mongo/client.js';
import { writeAnomalies, type AnomalyRecord } from '../mongo/anomaly-writer.js';
import { saveCheckpoint } from '../mongo/checkpoints.js';
import { emptySkipCounts, fieldValue, messageText, readLinesAfter } from '../mongo/line-reader.js';
import { modelFor } from './model-cache.js';
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
 * One poll of one host: read the lines after the checkpoint, score them, write the anomalies,
 * and only then move the checkpoint. A failure anywhere leaves the checkpoint where it was, so
 * the batch is read again; the idempotent anomaly writes make that repeat harmless.
 */
export async function scoreBatch(task: ScoreTask): Promise<ScoreResult> {
  const started = performance.now();
  const { model, version, familiar } = await modelFor(task.modelFile, task.modelVersion);
  // Recorded into a draft, kept only once the checkpoint has moved: a batch read again after a
  // failure is scored exactly as the first time, so no anomaly is lost to its own earlier lines.
  const draft = familiar.draft();
  const client = await sharedClient(task.source.uri);
  const after = task.checkpoint === null ? null : BSON.EJSON.parse(task.checkpoint, { relaxed: false });
  const docs = await readLinesAfter(client, task.source, after, task.batchSize, task.settleSeconds);
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
        message: fieldValue(doc, f.message),
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
  await writeAnomalies(client, task.target, f, anomalies);
  let checkpoint = task.checkpoint;
  if (docs.length > 0) {
    const lastId = docs[docs.length - 1]._id;
    await saveCheckpoint(client, task.state, task.sourceName, task.source.host, lastId, {
      scored,
      anomalies: anomalies.length,
      skipped: skipped.missingMessage + skipped.nonStringMessage,
    });
    checkpoint = BSON.EJSON.stringify(lastId, { relaxed: false });
  }
  draft.commit();
  return {
    kind: 'scored',
    checkpoint,
    read: docs.length,
    scored,
    anomalies: anomalies.length,
    ignored,
    binaryDecoded,
    skipped,
    more: docs.length >= task.batchSize,
    durationMs: performance.now() - started,
  };
}
