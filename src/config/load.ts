// Reads the YAML file and the environment; the only place besides cli.ts that looks at process.env.
import { dirname, resolve } from 'node:path';
import { isScalar, parseDocument, type ParsedNode } from 'yaml';
import { uriProblems } from '../mongo/client.js';
import { environmentWith } from './env-file.js';
import { readInstalledFile } from './read-file.js';
import { ConfigError, validateConfig, type DaemonConfig } from './schema.js';

/**
 * Loads and validates a configuration file, in the environment plus the variables of `envFiles`
 * (the service's environment file, see env-file.ts); throws ConfigError with every problem found.
 */
export function loadConfig(file: string, envFiles: readonly string[] = [], env: NodeJS.ProcessEnv = process.env): DaemonConfig {
  try {
    env = environmentWith(envFiles, env);
  } catch (err) {
    throw new ConfigError(file, [{ path: '--environment-file', message: (err as Error).message }]);
  }
  const path = resolve(file);
  let text: string;
  try {
    text = readInstalledFile(path);
  } catch (err) {
    throw new ConfigError(file, [{ path: '(file)', message: `cannot read: ${(err as Error).message}` }]);
  }
  return parseConfigText(text, file, dirname(path), env);
}

export function parseConfigText(text: string, file: string, baseDir: string, env: NodeJS.ProcessEnv = {}): DaemonConfig {
  // uniqueKeys: a source listed twice would otherwise silently keep only the last one. Compared as
  // the strings they become: `2024:` and `"2024":` are one collection name. merge: sources that
  // share settings may take them from another with `<<: *anchor` (YAML 1.1 merge keys).
  const doc = parseDocument(text, { uniqueKeys: sameKey, prettyErrors: true, merge: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      file,
      doc.errors.map((e) => ({
        path: e.linePos ? `line ${e.linePos[0].line}, column ${e.linePos[0].col}` : '(yaml)',
        // The position is in the path already: `Missing closing "quote at line 3, column 1:` loses its tail.
        message:
          e.code === 'DUPLICATE_KEY'
            ? `duplicate key ${quotedKey(keyAt(text, e.pos[0]))}: each key may appear once in a mapping`
            : e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, ''),
      })),
    );
  }
  let data: unknown;
  try {
    data = doc.toJS();
  } catch (err) {
    // A YAML alias bomb (`Excessive alias count`) and the like: a bad file, not a crash.
    throw new ConfigError(file, [{ path: '(yaml)', message: (err as Error).message.split('\n')[0]! }]);
  }
  return validateConfig(data, file, {
    baseDir,
    envUri: env.MONGODB_URI || undefined,
    envUriFile: env.MONGODB_URI_FILE || undefined,
    readUriFile: (p) => readInstalledFile(resolve(baseDir, p)),
    uriProblems,
  });
}

function sameKey(a: ParsedNode, b: ParsedNode): boolean {
  return a === b || (isScalar(a) && isScalar(b) && String(a.value) === String(b.value));
}

/** A key as written, in quotes: its own when it has them (not escaped into a second pair). */
function quotedKey(written: string): string {
  return /^(".*"|'.*')$/s.test(written) ? written : JSON.stringify(written);
}

/** The key written at `pos` (quoted as written), for naming a duplicate. */
function keyAt(text: string, pos: number): string {
  const line = text.slice(pos).split('\n')[0]!;
  return /^("(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[^:]*?)\s*:/.exec(line)?.[1] ?? line.trim();
}
