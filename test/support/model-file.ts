// A model file as the daemon saves one (header and body), trained on the given lines, for tests
// that hand tasks to a scoring thread directly.
import { join } from 'node:path';
import { MODEL_FORMAT_VERSION, ModelTrainer } from '../../src/model/detector.js';
import { writeModelFile } from '../../src/store/model-files.js';
import { tempDir } from './temp-dir.js';

/** Writes the model of host web1 in source "syslog", version v1, to a new temporary directory; returns its path. */
export async function writeTestModel(lines: readonly string[]): Promise<string> {
  const t = new ModelTrainer();
  for (const l of lines) t.add(l);
  const file = join(tempDir('ad-model-'), 'syslog', 'web1.model');
  const header = { kind: 'anomaly-detector-model' as const, format: MODEL_FORMAT_VERSION, version: 'v1', source: 'syslog', host: 'web1', trainedAt: '', lines: lines.length, templates: 1 };
  await writeModelFile(file, header, t.finish().serialize());
  return file;
}
