// Reads the YAML file and the environment; the only place besides cli.ts that looks at process.env.
import { dirname, resolve } from 'node:path';
import { LineCounter, isAlias, isMap, isScalar, isSeq, parseDocument, visit, type Document, type ParsedNode, type YAMLError } from 'yaml';
import { uriProblems } from '../mongo/client.js';
import { environmentWith } from './env-file.js';
import { readInstalledFile } from './read-file.js';
import { ConfigError, validateConfig, type ConfigProblem, type DaemonConfig } from './schema.js';

/**
 * Loads and validates a configuration file, in the environment plus the variables of `envFiles`
 * (the service's environment file, see env-file.ts); throws ConfigError with every problem found.
 */
export function loadConfig(file: string, envFiles: readonly string[] = [], env: NodeJS.ProcessEnv = process.env): DaemonConfig {
  const name = configName(file);
  try {
    env = environmentWith(envFiles, env);
  } catch (err) {
    throw new ConfigError(name, [{ path: '--environment-file', message: (err as Error).message }]);
  }
  // `-` is standard input (check-config only: the daemon rereads its file on SIGHUP). Relative
  // paths in it are relative to the working directory, not to /dev.
  const path = file === '-' ? '/dev/stdin' : resolve(file);
  const stdin = path === '/dev/stdin';
  let text: string;
  try {
    text = readInstalledFile(path);
  } catch (err) {
    throw new ConfigError(name, [{ path: '(file)', message: `cannot read: ${(err as Error).message}` }]);
  }
  return parseConfigText(text, name, stdin ? process.cwd() : dirname(path), env);
}

/** The configuration file as messages name it. */
export function configName(file: string): string {
  return file === '-' ? '(standard input)' : file;
}

export function parseConfigText(text: string, file: string, baseDir: string, env: NodeJS.ProcessEnv = {}): DaemonConfig {
  // uniqueKeys: a source listed twice would otherwise silently keep only the last one. Compared as
  // the strings they become: `2024:` and `"2024":` are one collection name. merge: sources that
  // share settings may take them from another with `<<: *anchor` (YAML 1.1 merge keys).
  const lines = new LineCounter();
  const doc = parseDocument(text, { uniqueKeys: sameKey, prettyErrors: true, merge: true, lineCounter: lines });
  if (doc.errors.length > 0) throw new ConfigError(file, syntaxProblems(doc.errors, text, lines));
  // A list or mapping as a key (`? [a]`) would become the text "[ a ]" (with a warning from the
  // YAML library on stderr): a collection named by accident, refused here.
  const complex: ConfigProblem[] = [];
  visit(doc, {
    Pair(_, pair) {
      if (isMap(pair.key) || isSeq(pair.key)) complex.push({ path: where(lines, pair.key.range?.[0] ?? 0), message: 'a key must be a name, not a list or a mapping' });
      // `007:` or `1.10:` as a source name is the number 7 or 1.1 to YAML: a collection named otherwise than written.
      const key = pair.key;
      if (isScalar(key) && key.type === 'PLAIN' && (typeof key.value === 'number' || typeof key.value === 'boolean' || key.value === null) && typeof key.source === 'string' && String(key.value) !== key.source) {
        complex.push({ path: where(lines, key.range?.[0] ?? 0), message: `YAML reads the key ${key.source} as ${String(key.value)}: put it in quotes, "${key.source}":` });
      }
    },
  });
  if (complex.length > 0) throw new ConfigError(file, complex);
  const aliases = unanchoredAliases(doc, lines);
  if (aliases.length > 0) throw new ConfigError(file, aliases);
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

/** `line L, column C` of an offset in the text. */
function where(lines: LineCounter, offset: number): string {
  const { line, col } = lines.linePos(offset);
  return `line ${line}, column ${col}`;
}

/**
 * An alias (`*common`, `<<: *common`) whose anchor (`&common`) is not set above it: misspelt, or
 * defined on a later source. The library says only "Merge sources must be maps or map aliases",
 * without a line.
 */
function unanchoredAliases(doc: Document.Parsed, lines: LineCounter): ConfigProblem[] {
  // Where each anchor is first set, then the aliases that come before it.
  const anchors = new Map<string, number>();
  visit(doc, {
    Node(_, node) {
      if (!isAlias(node) && node.anchor !== undefined && !anchors.has(node.anchor)) anchors.set(node.anchor, node.range?.[0] ?? 0);
    },
  });
  const out: ConfigProblem[] = [];
  visit(doc, {
    Alias(_, node) {
      const at = node.range?.[0] ?? 0;
      const anchored = anchors.get(node.source);
      if (anchored !== undefined && anchored < at) return;
      const why = anchored === undefined ? `no anchor &${node.source} is set in the file` : `its anchor &${node.source} is set only further down`;
      out.push({ path: where(lines, at), message: `*${node.source} refers to nothing: ${why} (an anchor must come before the aliases that use it)` });
    },
  });
  return out;
}

// A value that starts with `*`, `@` or a backquote, which YAML reads otherwise than as text (a cron
// expression such as `*/30 2 * * *`).
const UNQUOTED_SPECIAL = /^(\s*(?:- +)?([^\s#:][^#:]*?):[ \t]+)([*@`].*)$/;

/**
 * The YAML syntax errors in the user's terms. An unquoted value starting with `*` (a cron
 * expression) gives a burst of alias errors on its line: said once, as what to do. After an
 * unclosed `[` the library reports the healthy line that follows; the bracket is where to look.
 */
function syntaxProblems(errors: readonly YAMLError[], text: string, lines: LineCounter): ConfigProblem[] {
  const out: ConfigProblem[] = [];
  const hinted = new Set<number>();
  // After the first mistake the library reads the rest of the file out of step (a stray `]` gave
  // twenty "Unexpected ... token" lines): the first is kept, and duplicate keys, each its own.
  let first = true;
  let later = 0;
  for (const e of errors) {
    const { line } = lines.linePos(e.pos[0]);
    if (hinted.has(line)) continue;
    if (e.code === 'DUPLICATE_KEY') {
      out.push(syntaxProblem(e, text, lines));
      continue;
    }
    if (!first) {
      later++;
      continue;
    }
    first = false;
    const lineText = text.split('\n')[line - 1]?.replace(/\r$/, '') ?? '';
    const special = UNQUOTED_SPECIAL.exec(lineText);
    if (special !== null && /^(BAD_ALIAS|UNEXPECTED_TOKEN|BAD_SCALAR_START)$/.test(e.code)) {
      hinted.add(line);
      // A comment needs a blank before its `#` (node-cron's `1#2` is part of the value).
      const value = special[3]!.replace(/\s+#.*$/, '').trim();
      const what = value.startsWith('*') ? 'YAML reads a value starting with * as an alias' : `YAML reserves ${value[0]} at the start of a value`;
      out.push({ path: `line ${line}, column ${special[1]!.length + 1}`, message: `${what}: put the value in quotes, ${special[2]}: ${JSON.stringify(value)}` });
      continue;
    }
    out.push(syntaxProblem(e, text, lines));
  }
  if (later > 0) out.push({ path: '(yaml)', message: `${later} more YAML error${later > 1 ? 's' : ''} after the first, which may follow from it: fix it and check again` });
  return out;
}

/**
 * A YAML syntax error in the user's terms, at the line where the mistake is made: the YAML library
 * reports an unclosed quote where the file ends, and some mistakes in its own API's terms.
 */
function syntaxProblem(e: YAMLError, text: string, lines: LineCounter): ConfigProblem {
  // The position is in the path already: `Missing closing "quote at line 3, column 1:` loses its tail.
  const message = e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
  const path = where(lines, e.pos[0]);
  switch (e.code) {
    case 'DUPLICATE_KEY':
      return { path, message: `duplicate key ${quotedKey(keyAt(text, e.pos[0]))}: each key may appear once in a mapping` };
    case 'MULTIPLE_DOCS':
      return { path, message: 'a second YAML document starts here (a "---" line): the configuration is one document' };
    case 'MULTILINE_IMPLICIT_KEY': {
      const line = text.slice(text.lastIndexOf('\n', e.pos[0] - 1) + 1).split('\n')[0]!;
      return /^\s*[A-Za-z_][\w.-]*:[^\s:]/.test(line) ? { path, message: `${message}: put a space after the colon (KEY: value)` } : { path, message };
    }
    case 'MISSING_CHAR': {
      const quote = /closing (["'])quote/.exec(message)?.[1];
      const open = quote === undefined ? -1 : unclosedQuote(text, quote);
      return open < 0 ? { path, message } : { path: where(lines, open), message: `the ${quote}quote opened here is never closed` };
    }
    case 'BAD_INDENT': {
      // "Flow sequence in block collection must be sufficiently indented and end with a ]": a `[` or
      // `{` left open, reported at the next line.
      const close = /end with an? ([\]}])/.exec(message)?.[1];
      const open = close === undefined ? -1 : unclosedBracket(text, e.pos[0], close === ']' ? '[' : '{');
      return open < 0 ? { path, message } : { path: where(lines, open), message: `the ${close === ']' ? '[' : '{'} opened here is never closed with ${close}` };
    }
    case 'RESOURCE_EXHAUSTION':
      // The library's own words are a JavaScript stack overflow; the cause is in the file.
      return /call stack/i.test(message) ? { path, message: 'lists or mappings nested hundreds of levels deep here: a configuration is a few levels deep' } : { path, message };
    default:
      return { path, message };
  }
}

/**
 * Offset of the quote that opens a quoted value never closed, or -1: a quote opens a value where a
 * value can start (after a key's colon, a list dash, `[`, `{`, `,`, or first on its line), not
 * inside a word (`don't`); comments are skipped.
 */
function unclosedQuote(text: string, quote: string): number {
  let open = -1;
  let inside: string | null = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (inside !== null) {
      if (inside === '"' && c === '\\') i++;
      else if (c === inside) {
        if (inside === "'" && text[i + 1] === "'") i++;
        else inside = null;
      }
      continue;
    }
    if (c === '#' && (i === 0 || /\s/.test(text[i - 1]!))) {
      const end = text.indexOf('\n', i);
      if (end < 0) break;
      i = end;
    } else if (c === '"' || c === "'") {
      const before = text.slice(text.lastIndexOf('\n', i - 1) + 1, i).trimEnd();
      if (before === '' || /[:\-[{,?]$/.test(before)) {
        inside = c;
        open = i;
      }
    }
  }
  return inside === quote ? open : -1;
}

/**
 * Offset of the `[` (or `{`) left open before `end`, or -1: the nearest one that starts a flow
 * value (first on its line, or after `: `, `- `, `,` or another bracket) and is not closed before
 * `end`, quotes and comments skipped. A bracket inside a plain value (`a[0-9]`) starts nothing.
 */
function unclosedBracket(text: string, end: number, bracket: '[' | '{'): number {
  const starts = new RegExp(`(?:^\\s*|[:\\-,\\[{]\\s|[\\[{,])\\${bracket}`, 'gm');
  let candidate = -1;
  for (let m = starts.exec(text); m !== null && m.index < end; m = starts.exec(text)) {
    const at = m.index + m[0].length - 1;
    if (openUntil(text, at, end, bracket)) candidate = at;
  }
  return candidate;
}

/** Whether the bracket at `open` is still open at `end` (quotes and comments skipped). */
function openUntil(text: string, open: number, end: number, bracket: '[' | '{'): boolean {
  const close = bracket === '[' ? ']' : '}';
  let depth = 0;
  let inside: string | null = null;
  for (let i = open; i < end; i++) {
    const c = text[i]!;
    if (inside !== null) {
      if (c === inside) inside = null;
      else if (c === '\\' && inside === '"') i++;
      continue;
    }
    if (c === '"' || c === "'") inside = c;
    else if (c === '#' && /\s/.test(text[i - 1] ?? ' ')) {
      const nl = text.indexOf('\n', i);
      if (nl < 0 || nl >= end) return depth > 0;
      i = nl;
    } else if (c === bracket) depth++;
    else if (c === close && --depth === 0) return false;
  }
  return depth > 0;
}
