// Reads the YAML file and the environment; the only place besides cli.ts that looks at process.env.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { ConfigError, validateConfig, type DaemonConfig } from './schema.js';

/** Loads and validates a configuration file; throws ConfigError with every problem found. */
export function loadConfig(file: string, env: NodeJS.ProcessEnv = process.env): DaemonConfig {
  const path = resolve(file);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(file, [{ path: '(file)', message: `cannot read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` }]);
  }
  return parseConfigText(text, file, dirname(path), env);
}

export function parseConfigText(text: string, file: string, baseDir: string, env: NodeJS.ProcessEnv = {}): DaemonConfig {
  // uniqueKeys: a source listed twice would otherwise silently keep only the last one.
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      file,
      doc.errors.map((e) => ({
        path: e.linePos ? `line ${e.linePos[0].line}, column ${e.linePos[0].col}` : '(yaml)',
        message: e.message.split('\n')[0],
      })),
    );
  }
  const envUriFile = env.MONGODB_URI_FILE;
  let envUri = env.MONGODB_URI;
  if (!envUri && envUriFile) envUri = readFileSync(envUriFile, 'utf8').trim();
  return validateConfig(doc.toJS(), file, {
    baseDir,
    envUri: envUri || undefined,
    readUriFile: (p) => readFileSync(resolve(baseDir, p), 'utf8'),
  });
}
