import { BSON } from 'mongodb';
import { MODEL_FORMAT_VERSION } from '../model/detector.js';
import { ModelTrainer } from '../model/trainer.js';
import { sharedClient } from '../mongo/client.js';
import { emptySkipCounts, messageText, modelInput, trainingCursor, trainingWindowHint } from '../mongo/line-reader.js';
import { writeModelFile } from '../store/model-files.js';
import { fieldValue } from '../mongo/field-path.js';
import type { TrainResult, TrainTask } from './protocol.js';

/** Streams the host's training window into a trainer; the window is never held in memory. */
export async function trainHost(task: TrainTask, sourceName: string): Promise<TrainResult> {
  const started = performance.now();
  const client = await sharedClient(task.source.uri);
  // The window is read newest first (trainingCursor).
  const trainer = new ModelTrainer({ maxTemplates: task.maxTemplates, extraMasks: task.extraMasks }, 'newest-first');
  const skipped = emptySkipCounts();
  const untilId = task.untilId === null ? null : BSON.EJSON.parse(task.untilId, { relaxed: false });
  const cursor = trainingCursor(client, task.source, task.sinceMs, task.maxLines, untilId);
  const fields = task.source.fields;
  const levels = fields.level === undefined ? undefined : { without: 0, unread: [] as string[] };
  try {
    for await (const doc of cursor) {
      const m = messageText(doc, fields.message);
      if (m.text === null) {
        skipped[m.skip]++;
        continue;
      }
      const text = modelInput(doc, fields, m.text);
      trainer.add(text);
      // No word in front: the field was missing or named no level (an operator's misspelt LEVEL_FIELD).
      if (levels !== undefined && text === m.text) noteUnread(levels, fieldValue(doc, fields.level!));
    }
  } finally {
    await cursor.close().catch(() => undefined);
  }
  if (trainer.lines < task.minLines) {
    const noText = skipped.missingMessage + skipped.nonStringMessage;
    const hint =
      (await trainingWindowHint(client, task.source, task.sinceMs)) ??
      (noText > trainer.lines ? `most lines of the window have no text in ${task.source.fields.message} (MESSAGE_FIELD)` : null);
    return { kind: 'insufficient', lines: trainer.lines, durationMs: performance.now() - started, skipped, ...(hint ? { hint } : {}) };
  }
  const model = trainer.finish();
  const summary = model.summary();
  const trainedAt = new Date();
  const version = `${trainedAt.toISOString()}#${summary.trainedLines}`;
  await writeModelFile(
    task.modelFile,
    {
      kind: 'anomaly-detector-model',
      format: MODEL_FORMAT_VERSION,
      version,
      source: sourceName,
      host: task.source.host,
      trainedAt: trainedAt.toISOString(),
      lines: summary.trainedLines,
      templates: summary.templates,
      extraMasks: task.extraMasks,
      levelField: task.source.fields.level ?? '',
    },
    model.serialize(),
  );
  return {
    kind: 'trained',
    modelVersion: version,
    lines: summary.trainedLines,
    templates: summary.templates,
    durationMs: performance.now() - started,
    skipped,
    ...(levels === undefined ? {} : { levels }),
  };
}

/** Counts a training line without a level word, keeping up to 3 of the values that named none. */
function noteUnread(levels: { without: number; unread: string[] }, value: unknown): void {
  levels.without++;
  if (value === undefined || levels.unread.length >= 3) return;
  const shown = (typeof value === 'string' ? value : (BSON.EJSON.stringify(value as never) ?? String(value))).slice(0, 40);
  if (!levels.unread.includes(shown)) levels.unread.push(shown);
}
