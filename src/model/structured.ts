// Structured log lines (a JSON object, or logfmt `key=value` pairs) carry
// their message as the value of one field. Masked as they come, every such
// line would be one template: `msg="<*>"` hides the message, and a JSON
// object longer than MAX_TOKEN_CHARS is a single value. So before masking,
// such a line is rewritten as the plain line its fields describe: the level
// (upper case, where a plain-text header puts it), the message's own words,
// the error's text, then the other fields as `key=value` pairs, whose values
// are masked as in any other line. Anything before the structure (a syslog
// header) stays in front; an object without a message field (an event
// record) is its fields. A line that is not well-formed structure is left as
// it is.

/** Fields holding the message, by preference (compared lower-case). */
const JSON_MESSAGE_KEYS = ['message', 'msg', 'short_message', 'log', 'body', 'text', 'event'];
const LOGFMT_MESSAGE_KEYS = ['msg', 'message'];
/** Fields holding the level (lower-case; `log.level` is ECS). */
const LEVEL_KEYS = new Set(['level', 'lvl', 'severity', 'loglevel', 'log_level', 'levelname', 'log.level', 'severity_text', 'priority']);
/** Fields holding an error, rendered as text after the message (their wording is evidence). */
const ERROR_KEYS = new Set(['error', 'err', 'exception', 'exc_info', 'error.message']);
/** Level words a field may hold (anything else stays a value). */
const LEVEL_WORDS = new Set([
  'trace', 'debug', 'info', 'information', 'informational', 'notice', 'warn', 'warning',
  'error', 'err', 'crit', 'critical', 'alert', 'emerg', 'emergency', 'fatal', 'panic', 'severe',
]);
/** pino / bunyan numeric levels. */
const NUMERIC_LEVELS = new Map([[10, 'TRACE'], [20, 'DEBUG'], [30, 'INFO'], [40, 'WARN'], [50, 'ERROR'], [60, 'FATAL']]);
/** syslog priorities (journald's PRIORITY field). */
const SYSLOG_LEVELS = ['EMERG', 'ALERT', 'CRIT', 'ERROR', 'WARNING', 'NOTICE', 'INFO', 'DEBUG'];

const OBJECT_START = /\{\s*"/;

/** Rendering of a structured line as plain text, or null when the line is not structured. */
export function renderStructured(text: string): string | null {
  if (text.indexOf('{') >= 0 && OBJECT_START.test(text)) {
    const r = renderJson(text);
    if (r !== null) return r;
  }
  if (text.indexOf('msg=') >= 0 || text.indexOf('message=') >= 0) return renderLogfmt(text);
  return null;
}

function levelWord(key: string, value: unknown): string | null {
  if (typeof value === 'number' || (typeof value === 'string' && /^\d{1,2}$/.test(value))) {
    const n = Number(value);
    return key === 'priority' || key === 'syslog.priority' ? (SYSLOG_LEVELS[n] ?? null) : (NUMERIC_LEVELS.get(n) ?? null);
  }
  if (typeof value !== 'string' || key === 'priority') return null;
  const lower = value.toLowerCase();
  return LEVEL_WORDS.has(lower) ? lower.toUpperCase() : null;
}

/** A field value as one `key=value` chunk the masker reads as a key and its value. */
function pair(key: string, value: unknown): string {
  const k = key.replace(/[^\w.@-]/g, '_') || '_';
  let v = typeof value === 'string' ? value : JSON.stringify(value) ?? String(value);
  if (/^[^\s"'=,;&(){}[\]]+$/.test(v)) return `${k}=${v}`;
  // Quoted, on one line and without inner double quotes: one value however it is spelled.
  v = v.replace(/\s+/g, ' ').replace(/"/g, "'");
  return `${k}="${v}"`;
}

function isEmpty(v: unknown): boolean {
  if (v === null || v === undefined || v === false || v === '') return true;
  if (Array.isArray(v)) return v.length === 0;
  return typeof v === 'object' && Object.keys(v as object).length === 0;
}

/** An error field's text: a string, or an object's type and message (pino's `err`); its stack is left out. */
function errorText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
    const o = v as Record<string, unknown>;
    const parts = [o['type'] ?? o['name'] ?? o['kind'], o['message'] ?? o['msg']].filter((x): x is string => typeof x === 'string');
    if (parts.length > 0) return parts.join(' ');
  }
  return JSON.stringify(v) ?? '';
}

function renderJson(text: string): string | null {
  let end = text.length;
  while (end > 0 && text.charCodeAt(end - 1) <= 32) end--;
  if (end === 0 || text.charCodeAt(end - 1) !== 125) return null;
  const open = text.search(OBJECT_START);
  let obj: unknown;
  try {
    obj = JSON.parse(text.slice(open, end));
  } catch {
    return null;
  }
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) return null;
  const fields = obj as Record<string, unknown>;
  const keys = Object.keys(fields);
  const lower = keys.map((k) => k.toLowerCase());
  let messageAt = -1;
  for (const m of JSON_MESSAGE_KEYS) {
    messageAt = lower.findIndex((k, i) => k === m && typeof fields[keys[i]!] === 'string');
    if (messageAt >= 0) break;
  }
  if (keys.length === 0) return null;
  let level: string | null = null;
  const out: string[] = [];
  const errors: string[] = [];
  const rest: string[] = [];
  keys.forEach((key, i) => {
    const v = fields[key];
    if (i === messageAt) return;
    if (level === null && LEVEL_KEYS.has(lower[i]!)) {
      level = levelWord(lower[i]!, v);
      if (level !== null) return;
    }
    if (ERROR_KEYS.has(lower[i]!)) {
      if (!isEmpty(v)) errors.push(`${key}: ${errorText(v)}`);
      return;
    }
    rest.push(pair(key, v));
  });
  const prefix = text.slice(0, open).trimEnd();
  if (prefix !== '') out.push(prefix);
  if (level !== null) out.push(level);
  if (messageAt >= 0) {
    const message = fields[keys[messageAt]!] as string;
    // A container runtime's record (`{"log": "...", "stream": ...}`) holds the application's own line.
    out.push(renderStructured(message) ?? message);
  }
  // Without a message field (an event record), the fields themselves are the line.
  out.push(...errors, ...rest);
  return out.join(' ');
}

interface Chunk {
  start: number;
  end: number;
  /** For a `key=value` pair: the key and where the value starts; else keyEnd is -1. */
  keyEnd: number;
}

const KEY_START = /[A-Za-z_@]/;
const KEY_CHAR = /[\w.@/-]/;

/** Splits a logfmt line into chunks, a quoted value (with backslash escapes) being part of its pair. */
function logfmtChunks(text: string): Chunk[] {
  const out: Chunk[] = [];
  const n = text.length;
  let i = 0;
  while (i < n) {
    if (text.charCodeAt(i) <= 32) {
      i++;
      continue;
    }
    const start = i;
    let keyEnd = -1;
    if (KEY_START.test(text[i]!)) {
      let k = i + 1;
      while (k < n && KEY_CHAR.test(text[k]!)) k++;
      if (text[k] === '=') keyEnd = k;
    }
    if (keyEnd >= 0 && text[keyEnd + 1] === '"') {
      let k = keyEnd + 2;
      while (k < n && text[k] !== '"') k += text[k] === '\\' ? 2 : 1;
      if (k < n && (k + 1 === n || text.charCodeAt(k + 1) <= 32)) {
        out.push({ start, end: k + 1, keyEnd });
        i = k + 1;
        continue;
      }
      keyEnd = -1; // an unclosed quote: not a pair
    }
    while (i < n && text.charCodeAt(i) > 32) i++;
    out.push({ start, end: i, keyEnd });
  }
  return out;
}

function unquote(text: string, from: number, end: number): string {
  if (text[from] !== '"') return text.slice(from, end);
  return text.slice(from + 1, end - 1).replace(/\\(.)/g, (_m, c: string) => (c === 'n' ? '\n' : c === 't' ? '\t' : c));
}

/**
 * A message is quoted text or one word. Linux audit's `msg=audit(1234.5:67):` is an id, not a
 * message: such lines stay as they are.
 */
function isMessageValue(text: string, c: Chunk): boolean {
  return text[c.keyEnd + 1] === '"' || /^[A-Za-z][A-Za-z_-]*$/.test(text.slice(c.keyEnd + 1, c.end));
}

function renderLogfmt(text: string): string | null {
  const chunks = logfmtChunks(text);
  // The pairs run to the end of the line; what comes before them is a header.
  let first = chunks.length;
  while (first > 0 && chunks[first - 1]!.keyEnd >= 0) first--;
  if (chunks.length - first < 2) return null;
  const keyOf = (c: Chunk): string => text.slice(c.start, c.keyEnd).toLowerCase();
  let messageAt = -1;
  for (const m of LOGFMT_MESSAGE_KEYS) {
    for (let i = first; i < chunks.length && messageAt < 0; i++) if (keyOf(chunks[i]!) === m && isMessageValue(text, chunks[i]!)) messageAt = i;
    if (messageAt >= 0) break;
  }
  if (messageAt < 0) return null;
  let level: string | null = null;
  const errors: string[] = [];
  const rest: string[] = [];
  for (let i = first; i < chunks.length; i++) {
    if (i === messageAt) continue;
    const c = chunks[i]!;
    const key = keyOf(c);
    const value = unquote(text, c.keyEnd + 1, c.end);
    if (level === null && LEVEL_KEYS.has(key)) {
      level = levelWord(key, value);
      if (level !== null) continue;
    }
    if (ERROR_KEYS.has(key)) {
      if (value !== '') errors.push(`${text.slice(c.start, c.keyEnd)}: ${value}`);
      continue;
    }
    rest.push(text.slice(c.start, c.end));
  }
  const out: string[] = [];
  const prefix = first > 0 ? text.slice(0, chunks[first]!.start).trimEnd() : '';
  if (prefix !== '') out.push(prefix);
  if (level !== null) out.push(level);
  const m = chunks[messageAt]!;
  out.push(unquote(text, m.keyEnd + 1, m.end), ...errors, ...rest);
  return out.join(' ');
}
