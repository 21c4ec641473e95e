// Structured log lines (a JSON object, or logfmt `key=value` pairs) carry
// their message as the value of one field. Masked as they come, every such
// line would be one template: `msg="<*>"` hides the message, and a JSON
// object longer than MAX_TOKEN_CHARS is a single value. So before masking,
// such a line is rewritten as the plain line its fields describe: the level
// (upper case, where a plain-text header puts it), the message's own words,
// the error's text, then the other fields as `key=value` pairs, whose values
// are masked as in any other line. A header in front (syslog's `app[42]:`, a
// container runtime's `<time> stdout F`, a bare timestamp) stays in front.
//
// Only the whole line, or what follows such a header, is read this way: an
// object a program embeds in its own wording (`posted {"text": "see you"}`)
// holds data, not the line's message, so its fields are only split into
// pairs (all values), and logfmt pairs after other words are left alone. A
// line that is not well-formed structure is left as it is.
//
// Levels declared in code are written out the same way: klog's severity
// letter (`E1121 10:00:03.123456 1 file.go:12]`, whose quoted message is also
// read as the line's words) and a network device's `%LINK-3-UPDOWN:`; an
// access log's status gets its reason phrase (access-log.ts); a Linux audit
// record's type is its wording (audit.ts); a comma-separated record's fields
// are chunks of their own (csv-record.ts).

import { renderAccessLog, renderSquid } from './access-log.js';
import { LEVEL_LETTERS, renderLogcat } from './logcat.js';
import { LEVEL_WORDS, PINO_LEVELS, SYSLOG_LEVELS } from './level-word.js';
import { renderAudit } from './audit.js';
import { closingQuote } from './quoted.js';
import { renderCsvRecord } from './csv-record.js';
import { isSeparator } from './spaces.js';
import { NOTHING } from './vocabulary.js';

/** Fields holding the message, by preference (compared lower-case). */
const JSON_MESSAGE_KEYS = ['message', 'msg', 'short_message', 'log', 'body', 'text', 'event'];
const LOGFMT_MESSAGE_KEYS = ['msg', 'message'];
/** Fields holding the level (lower-case; `log.level` is ECS's flat form). */
const LEVEL_KEYS = new Set(['level', 'lvl', 'severity', 'loglevel', 'log_level', 'levelname', 'log.level', 'severity_text']);
/** A logfmt level pair, which makes a line without a message structured too. */
const LOGFMT_LEVEL = /(?:^|\s)(?:level|lvl|severity|loglevel|log_level|levelname|log\.level|severity_text)=/i;

/**
 * Fields before the message that are the record's header (time, process, host, logger, thread,
 * format version; MongoDB's severity, component, id and context): their values stand where a
 * plain-text header has them, without their names (lower-case; `@t` is Serilog's compact time).
 */
const HEADER_KEYS = new Set([
  'time', 'ts', 't', '@t', 'timestamp', '@timestamp', 'date', 'datetime', 'asctime', 'created', 'time_local',
  'pid', 'process', 'process.pid', 'hostname', 'host', 'host.name', 'name', 'logger', 'logger_name',
  'log.logger', 'thread', 'thread_name', 'threadname', 'process.thread.name', 'caller', 'v', '@version',
  'version', 's', 'c', 'id', 'ctx', 'syslog_identifier', 'syslog_facility', 'syslog_pid',
]);

/** A header field before the message: HEADER_KEYS, or journald's metadata (`_HOSTNAME`, `__REALTIME_TIMESTAMP`). */
function isHeaderKey(lower: string): boolean {
  return HEADER_KEYS.has(lower) || lower.charCodeAt(0) === 95;
}

/** Fields holding an error, rendered as text after the message (their wording is evidence). */
const ERROR_KEYS = new Set(['error', 'err', 'exception', 'exc_info', 'error.message']);
/** MongoDB's own log format: `"s"` is F, E, W, I or D1..D5. */
const MONGO_LEVELS = new Map([['F', 'FATAL'], ['E', 'ERROR'], ['W', 'WARNING'], ['I', 'INFO']]);
/**
 * klog's header: severity letter glued to the date (MMDD; glog's newer YYYYMMDD), time, thread id,
 * `file:line]`; at the start of the line or after a header.
 */
const KLOG_HEADER = /(?:^|\s)([IWEF])((?:\d{4}|\d{8}) \d{2}:\d{2}:\d{2}\.\d{1,9} +\d+ [^\s\]]+:\d+\])(?: |$)/;
/** Characters of a line looked at for a klog header or a device's message code. */
const SCAN_CHARS = 256;
/**
 * A network device's message code, `%FACILITY-SEVERITY-MNEMONIC` (Cisco IOS, IOS XE/XR, NX-OS,
 * ASA; a number as mnemonic on ASA), severity 0-7 as in syslog.
 */
const DEVICE_CODE = '%[A-Z][A-Z0-9_]*(?:-[A-Z][A-Z0-9_]*)*-([0-7])-[A-Z0-9_]+';
/** A device's message code opening its message (`%LINK-3-UPDOWN:`, XR's `... :`). */
const MNEMONIC = new RegExp(`(^|\\s)(${DEVICE_CODE} ?:)`);
const WHOLE_CODE = new RegExp(`^${DEVICE_CODE}$`);

/** Whether a token is a device's message code: wording (the event's name), not a value (mask.ts). */
export function isDeviceCode(token: string): boolean {
  return token.charCodeAt(0) === 37 && WHOLE_CODE.test(token);
}
/** A field value longer than this is cut for the pair: it is one masked value either way. */
const VALUE_CHARS = 1024;

const OBJECT_START = /\{\s*"/;

/** Rendering of a structured line as plain text, or null when the line is not structured. */
export function renderStructured(text: string): string | null {
  try {
    // Every line of a log comes through here, most of them structured in none of these ways: each
    // way is looked for only when the line has the one character it cannot do without (`]` for
    // klog and access logs, `=` for audit records and logfmt): on a line with neither, two
    // searches instead of seven.
    const close = text.indexOf(']');
    const bracket = close >= 0;
    if (bracket && (text.indexOf('] ', close) >= 0 || text.endsWith(']'))) {
      const r = renderKlog(text);
      if (r !== null) return r;
    }
    if (text.indexOf('{') >= 0 && OBJECT_START.test(text)) {
      const r = renderJson(text);
      if (r !== null) return r;
    }
    const eq = text.indexOf('=') >= 0;
    if (eq && text.indexOf('audit') >= 0) {
      const r = renderAudit(text, isHeader);
      if (r !== null) return r;
    }
    if (eq && (text.indexOf('msg=') >= 0 || text.indexOf('message=') >= 0 || LOGFMT_LEVEL.test(text))) {
      const r = renderLogfmt(text);
      if (r !== null) return r;
    }
    if (bracket) {
      const access = renderAccessLog(text);
      if (access !== null) return access;
    }
    if (text.indexOf('TCP_') >= 0 || text.indexOf('NONE') >= 0 || text.indexOf('UDP_') >= 0) {
      const squid = renderSquid(text);
      if (squid !== null) return squid;
    }
    const logcat = renderLogcat(text);
    if (logcat !== null) return logcat;
    const record = renderCsvRecord(text);
    if (record !== null) return record;
    if (text.indexOf('%') >= 0) return renderMnemonic(text);
  } catch {
    // Structure too deep or too wide to render (a stack overflow): the line is masked as it came.
  }
  return null;
}

/**
 * What may come before a line's structure: nothing, a syslog tag (`app[42]:`), a container
 * runtime's `<time> stdout F`, or values only (a timestamp, a sequence number).
 */
function isHeader(prefix: string): boolean {
  if (prefix === '' || prefix.endsWith(':') || /\s(?:stdout|stderr) [FP]$/.test(prefix)) return true;
  return prefix.split(/\s+/).every((chunk) => /\d/.test(chunk));
}

function joined(parts: readonly string[]): string {
  let out = '';
  for (const p of parts) if (p !== '') out = out === '' ? p : out + ' ' + p;
  return out;
}

/**
 * A field value as one chunk the masker reads as one value: a number, true, false or null as it is,
 * anything else quoted, on one line, without inner quotes or escapes (one value however it is
 * spelled, empty or not).
 */
function quoted(value: unknown): string {
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  let v = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  if (v.length > VALUE_CHARS) v = v.slice(0, VALUE_CHARS);
  return `"${v.replace(/\s+/g, ' ').replace(/["\\]/g, "'")}"`;
}

/** A field as one `key=value` chunk the masker reads as a key and its value. */
function pair(key: string, value: unknown): string {
  return `${key.replace(/[^\w.@-]/g, '_') || '_'}=${quoted(value)}`;
}

/** Most fields of MongoDB's `attr` given pairs of their own; a wider one stays one value. */
const MAX_NESTED_KEYS = 32;

/**
 * MongoDB's `attr` (the message's attributes, their names fixed per message id) as pairs one level
 * down, dotted (`attr.durationMillis=104213`), so that each is a value of its own, judged as a
 * top-level one is, and an error among them reads as an error. Deeper objects stay one value
 * each: their keys (a query's field names) vary from line to line and would split one message
 * into many templates. Before, `attr` was one opaque value: a slow query 35 times slower than
 * ever scored as routine. Other records' nested objects stay one value: their keys vary with the
 * data (a request's headers), and each set of them would be a template of its own.
 */
function pushAttributes(out: string[], key: string, v: unknown): void {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    out.push(pair(key, v));
    return;
  }
  const keys = Object.keys(v);
  if (keys.length === 0 || keys.length > MAX_NESTED_KEYS) {
    out.push(pair(key, v));
    return;
  }
  const o = v as Record<string, unknown>;
  for (const k of keys) {
    const name = `${key}.${k}`;
    out.push(ERROR_KEYS.has(k.toLowerCase()) ? errorField(name, o[k]) : pair(name, o[k]));
  }
}

function isNoError(v: unknown): boolean {
  if (v === null || v === undefined || v === false || v === 0) return true;
  if (typeof v === 'string') {
    const t = v.trim();
    return t === '' || t === '0' || NOTHING.test(t);
  }
  if (Array.isArray(v)) return v.length === 0;
  return typeof v === 'object' && Object.keys(v as object).length === 0;
}

/** An error field as its text after its name (`err: connection refused`); empty when it says there was none. */
function errorField(key: string, v: unknown): string {
  return isNoError(v) ? '' : `${key}: ${errorText(v)}`;
}

/** An error field's text: a string, or an object's type and message (pino's `err`); its stack is left out. */
function errorText(v: unknown): string {
  let s: string;
  if (typeof v === 'string') s = v;
  else {
    const o = typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
    const parts = [o['type'] ?? o['name'] ?? o['kind'], o['message'] ?? o['msg']].filter((x): x is string => typeof x === 'string');
    s = parts.length > 0 ? parts.join(' ') : (JSON.stringify(v) ?? '');
  }
  return s.length > VALUE_CHARS ? s.slice(0, VALUE_CHARS) : s;
}

interface Fields {
  keys: string[];
  lower: string[];
  get(i: number): unknown;
}

/** Index of the message field among the keys, or -1. */
function messageField(f: Fields, preference: readonly string[], numericLevel: boolean): number {
  const find = (name: string): number => f.lower.findIndex((k, i) => k === name && typeof f.get(i) === 'string');
  // pino and bunyan merge the caller's fields into the record: with their numeric level, theirs is `msg`.
  const msg = numericLevel ? find('msg') : -1;
  if (msg >= 0) return msg;
  for (const m of preference) {
    const i = find(m);
    if (i >= 0) return i;
  }
  return -1;
}

/** The level a field declares, as a plain-text header writes it, or null. */
function levelOf(f: Fields, i: number, messageKey: string | null): string | null {
  const key = f.keys[i]!;
  const v = f.get(i);
  if (key === 'PRIORITY') return SYSLOG_LEVELS[Number(v)] ?? null;
  if (key === 's' && messageKey === 'msg' && typeof v === 'string') return MONGO_LEVELS.get(v) ?? (/^D[1-5]?$/.test(v) ? 'DEBUG' : null);
  if (!LEVEL_KEYS.has(f.lower[i]!)) return null;
  if (typeof v === 'number') {
    if (messageKey === 'msg') return PINO_LEVELS.get(v) ?? null;
    if (messageKey === 'short_message') return SYSLOG_LEVELS[v] ?? null;
    return null;
  }
  return typeof v === 'string' ? (LEVEL_WORDS.get(v.toLowerCase()) ?? null) : null;
}

/**
 * Renders the fields in the record's order: the level first, fields before the message as bare
 * values, the message, errors as text, fields after it as pairs (`asLine` false: all pairs).
 * `nameEarly` (JSON): only the header's fields before the message are bare values; the event's own
 * (pino and bunyan write them there) come after the message as pairs. Until 2026-11-25 every field
 * before the message was a bare value: a pino record's `durationMs`, `query` and `rows` lost their
 * names, so a field added by a deploy (`traceId`) made every line a new message rather than a known
 * record with a new field, and the unit a name gives (`durationMs`) was lost. Not for logfmt: a
 * FortiGate writes `msg=` after twenty fields of the device and the event's kind, whose names made
 * a new administrator's login from ssh look like the known ones (0.77 -> 0.45).
 */
function renderFields(f: Fields, messageAt: number, asLine: boolean, nameEarly: boolean): string[] {
  const messageKey = messageAt >= 0 ? f.lower[messageAt]! : null;
  const mongo = messageKey === 'msg' && f.keys.includes('s') && f.keys.includes('c') && f.keys.includes('ctx');
  let level: string | null = null;
  const out: string[] = [];
  /** The event's own fields before the message (pino and bunyan write theirs there): after it, named. */
  let early: string[] | null = null;
  for (let i = 0; i < f.keys.length; i++) {
    const v = f.get(i);
    if (i === messageAt && asLine) {
      // A container runtime's record (`{"log": "...", "stream": ...}`) holds the application's own line.
      out.push(renderStructured(v as string) ?? (v as string));
      if (early !== null) out.push(...early);
      continue;
    }
    if (asLine && level === null) {
      level = levelOf(f, i, messageKey);
      if (level !== null) continue;
    }
    // Fields before the message are the record's header (time, host, logger, thread): their values
    // stand where a plain-text header has them, without their names, which every line repeats; a
    // JSON record's own fields there (nameEarly) come after the message, named.
    if (!asLine) out.push(pair(f.keys[i]!, v));
    else if (ERROR_KEYS.has(f.lower[i]!)) out.push(errorField(f.keys[i]!, v));
    else if (i < messageAt && (!nameEarly || isHeaderKey(f.lower[i]!))) out.push(quoted(v));
    else if (i < messageAt) (early ??= []).push(pair(f.keys[i]!, v));
    else if (mongo && f.keys[i] === 'attr') pushAttributes(out, 'attr', v);
    else out.push(pair(f.keys[i]!, v));
  }
  // The level leads, wherever the record has it: where a plain-text line declares it (vocabulary.ts declaredLevel).
  if (level !== null) out.unshift(level);
  return out;
}

function renderJson(text: string): string | null {
  let end = text.length;
  while (end > 0 && isSeparator(text.charCodeAt(end - 1))) end--;
  if (end === 0 || text.charCodeAt(end - 1) !== 125) return null;
  const open = text.search(OBJECT_START);
  let obj: unknown;
  try {
    obj = JSON.parse(text.slice(open, end));
  } catch {
    return null;
  }
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) return null;
  const record = obj as Record<string, unknown>;
  const keys = Object.keys(record);
  if (keys.length === 0) return null;
  // ECS's nested form: `"log": {"level": "info"}`.
  const log = record['log'];
  const nestedLevel = typeof log === 'object' && log !== null && typeof (log as Record<string, unknown>)['level'] === 'string';
  const f: Fields = {
    keys: nestedLevel ? keys.map((k) => (k === 'log' ? 'log.level' : k)) : keys,
    lower: keys.map((k) => (nestedLevel && k === 'log' ? 'log.level' : k.toLowerCase())),
    get: (i) => (nestedLevel && keys[i] === 'log' ? (log as Record<string, unknown>)['level'] : record[keys[i]!]),
  };
  const prefix = text.slice(0, open).trimEnd();
  const asLine = isHeader(prefix);
  const numericLevel = f.lower.some((k, i) => LEVEL_KEYS.has(k) && typeof f.get(i) === 'number');
  const messageAt = asLine ? messageField(f, JSON_MESSAGE_KEYS, numericLevel) : -1;
  return joined([prefix, ...renderFields(f, messageAt, asLine, true)]);
}

interface Chunk {
  start: number;
  end: number;
  /** For a `key=value` pair: where its `=` is; else -1. */
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
    if (isSeparator(text.charCodeAt(i))) {
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
      const k = closingQuote(text, keyEnd + 2);
      if (k < n && (k + 1 === n || isSeparator(text.charCodeAt(k + 1)))) {
        out.push({ start, end: k + 1, keyEnd });
        i = k + 1;
        continue;
      }
      keyEnd = -1; // an unclosed quote: not a pair
    }
    while (i < n && !isSeparator(text.charCodeAt(i))) i++;
    out.push({ start, end: i, keyEnd });
  }
  return out;
}

function unquote(text: string, from: number, end: number): string {
  if (text[from] !== '"') return text.slice(from, end);
  return text.slice(from + 1, end - 1).replace(/\\(.)/g, (_m, c: string) => (c === 'n' ? '\n' : c === 't' ? '\t' : c));
}

/**
 * A message is quoted text or one unquoted chunk (`msg=server/start`, `msg=Done.`). Linux audit's
 * `msg=audit(1234.5:67):` is an id, not a message: such lines stay as they are.
 */
function isMessageValue(text: string, c: Chunk): boolean {
  return text[c.keyEnd + 1] === '"' || /^[^\s"=()]+$/.test(text.slice(c.keyEnd + 1, c.end));
}

function renderLogfmt(text: string): string | null {
  const chunks = logfmtChunks(text);
  // The pairs run to the end of the line; what comes before them must be a header.
  let first = chunks.length;
  while (first > 0 && chunks[first - 1]!.keyEnd >= 0) first--;
  if (chunks.length - first < 2) return null;
  const prefix = first > 0 ? text.slice(0, chunks[first]!.start).trimEnd() : '';
  if (!isHeader(prefix)) return null;
  const pairs = chunks.slice(first);
  const f: Fields = {
    keys: pairs.map((c) => text.slice(c.start, c.keyEnd)),
    lower: pairs.map((c) => text.slice(c.start, c.keyEnd).toLowerCase()),
    get: (i) => unquote(text, pairs[i]!.keyEnd + 1, pairs[i]!.end),
  };
  let messageAt = -1;
  for (const m of LOGFMT_MESSAGE_KEYS) {
    messageAt = f.lower.findIndex((k, i) => k === m && isMessageValue(text, pairs[i]!));
    if (messageAt >= 0) break;
  }
  // Without a message, a declared level still leads (masked as a value, `level=error` and
  // `level=info` would be one template), the pairs after it; without either, it is plain key=value.
  if (messageAt < 0 && !f.keys.some((_, i) => levelOf(f, i, null) !== null)) return null;
  return joined([prefix, ...renderFields(f, messageAt, true, false)]);
}

/**
 * klog (`E1121 10:00:03.123456 1 pod_workers.go:1298] "Error syncing pod" err="..." pod="ns/x"`):
 * the severity letter is written out as the level, so that `E` and `I` lines differ; a quoted
 * message (klog's structured form) is its words, its pairs rendered as logfmt's. Without the
 * rewrite the quoted message is one masked value, every structured message of a file one template.
 */
function renderKlog(text: string): string | null {
  const m = KLOG_HEADER.exec(text.length > SCAN_CHARS ? text.slice(0, SCAN_CHARS) : text);
  if (m === null) return null;
  const letterAt = m.index + m[0].indexOf(m[1]!);
  const outer = text.slice(0, letterAt).trimEnd();
  if (!isHeader(outer)) return null;
  const header = m[2]!;
  const rest = text.slice(letterAt + 1 + header.length).trim();
  const level = LEVEL_LETTERS.get(m[1]!)!;
  // A JSON or logfmt body is rendered as such, behind klog's header.
  if (rest[0] !== '"') return joined([outer, level, header, renderStructured(rest) ?? rest]);
  const k = closingQuote(rest, 1);
  if (k >= rest.length || (k + 1 < rest.length && !isSeparator(rest.charCodeAt(k + 1)))) return joined([outer, level, header, rest]);
  const message = unquote(rest, 0, k + 1).replace(/\s+/g, ' ');
  const after = rest.slice(k + 1);
  const parts: string[] = [];
  for (const c of logfmtChunks(after)) {
    if (c.keyEnd < 0) {
      parts.push(after.slice(c.start, c.end));
      continue;
    }
    const key = after.slice(c.start, c.keyEnd);
    const v = unquote(after, c.keyEnd + 1, c.end);
    parts.push(ERROR_KEYS.has(key.toLowerCase()) ? errorField(key, v) : pair(key, v));
  }
  return joined([outer, level, header, message, ...parts]);
}

/**
 * A device message code (`%LINK-3-UPDOWN:`) has its severity written out before it as the level
 * (`ERROR %LINK-3-UPDOWN:`), as a plain-text header declares one; the code itself is wording
 * (mask.ts keeps it), the event's name.
 */
function renderMnemonic(text: string): string | null {
  const m = MNEMONIC.exec(text.length > SCAN_CHARS ? text.slice(0, SCAN_CHARS) : text);
  if (m === null) return null;
  const at = m.index + m[1]!.length;
  // Only where a device puts it: first, or after a header (a code quoted in other wording is data).
  if (!isDeviceHeader(text.slice(0, at).trimEnd())) return null;
  return `${text.slice(0, at)}${SYSLOG_LEVELS[Number(m[3])]!} ${text.slice(at)}`;
}

const MONTH = /^(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)$/;

/** A header before a device's message code: any header, or a syslog time and the device's name (`Nov 21 10:00:00 core-sw`). */
function isDeviceHeader(prefix: string): boolean {
  if (isHeader(prefix)) return true;
  const chunks = prefix.split(/\s+/);
  const device = chunks.pop()!;
  return chunks.length > 0 && /^[\w.-]+$/.test(device) && chunks.every((c) => /\d/.test(c) || MONTH.test(c));
}
