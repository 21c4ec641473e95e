// A model file as the daemon saves one (header and body), trained on the given lines, for tests
// that hand tasks to a scoring thread directly.
import { join } from 'node:path';
import { MODEL_FORMAT_VERSION } from '../../src/model/detector.js';
import { ModelTrainer } from '../../src/model/trainer.js';
import { writeModelFile } from '../../src/store/model-files.js';
import { tempDir } from './temp-dir.js';

/**
 * Writes the model of host web1 in source "syslog", version v1, to a new temporary directory (or
 * as another version over `file`, as a retraining does); returns its path.
 */
export async function writeTestModel(lines: readonly string[], over?: { file: string; version: string }): Promise<string> {
  const t = new ModelTrainer();
  for (const l of lines) t.add(l);
  const file = over?.file ?? join(tempDir('ad-model-'), 'syslog', 'web1.model');
  const version = over?.version ?? 'v1';
  const header = { kind: 'anomaly-detector-model' as const, format: MODEL_FORMAT_VERSION, version, source: 'syslog', host: 'web1', trainedAt: '', lines: lines.length, templates: 1 };
  await writeModelFile(file, header, t.finish().serialize());
  return file;
}
