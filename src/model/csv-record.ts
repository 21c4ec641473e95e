// Some devices write each event as one comma-separated record after the
// syslog header: Palo Alto Networks' firewalls (PAN-OS: `1,2025/03/25
// 23:10:10,0128...,SYSTEM,auth,0,...,auth-fail,,0,0,general,medium,"failed
// authentication for user 'admin'. Reason: ...",...`), PostgreSQL's csvlog.
// Masked as it comes, a record is a few chunks glued by commas, the longest
// one often beyond MAX_TOKEN_CHARS and so one value: an authentication
// failure and a success were one template. So such a record is rewritten as
// its fields, one chunk each (`auth-fail,`). A quoted field with spaces is
// written as its text: CSV quotes a field because it holds commas, and such a
// field is the record's free-text description, the event's wording. An
// unquoted field with spaces (a time, a country, a threat's name) stays one
// value, quoted: `Russian Federation` is the same message as `Germany`.
//
// Many lines that are no record have commas too, and read as one they lose
// their level and wording: a time with its milliseconds after a comma (log4j,
// Python: `10:00:00,123 INFO ... ids 1,2,3,...`), a list of ids or numbers in
// a message or a URL (`/items/1,2,3,... - 443 - ... 503`). So a record does
// not start at a time's seconds, has at least a few fields that are words
// (`SYSTEM`, `auth-fail`, `LOG`), and no unquoted field that runs on like a
// message; anything else is left as it is. (Windows' DHCP server log, with a
// word or two per record, stays as it is too: its descriptions are its
// wording, unquoted.)

/** Fewest fields of a record: fewer is a list inside a message, not a record. */
const MIN_FIELDS = 12;
/** Fewest fields that are words (letters and `-` only, two or more): fewer is a list of values. */
const MIN_WORD_FIELDS = 3;
/** Most words of an unquoted field: more is the rest of a line after a list, not a field. */
const MAX_FIELD_WORDS = 10;
/** Most fields read: a longer run of commas (a megabyte of them) is data, masked as it comes. */
const MAX_FIELDS = 512;
/** Chunks of header (syslog's priority, time, host; RFC 5424's dashes) before the record. */
const MAX_HEADER_CHUNKS = 8;
/** A first field that ends with a time's seconds: the comma starts its milliseconds. */
const CLOCK_END = /\d:\d\d$/;

/** The line with its comma-separated record's fields as chunks of their own, or null. */
export function renderCsvRecord(text: string): string | null {
  if (!hasCommas(text, MIN_FIELDS - 1)) return null;
  const start = recordStart(text);
  if (start < 0) return null;
  const fields = splitFields(text, start);
  if (fields === null || fields.length < MIN_FIELDS || CLOCK_END.test(fields[0]!)) return null;
  let pairs = 0;
  let words = 0;
  for (const f of fields) {
    // `ready=true,policy=3,...`: pairs, which the masker reads as such.
    if (f.indexOf('=') >= 0) pairs++;
    else if (isWord(f)) words++;
  }
  if (pairs * 4 >= fields.length || words < MIN_WORD_FIELDS) return null;
  let out = text.slice(0, start);
  for (let i = 0; i < fields.length; i++) out += (i === 0 ? '' : ' ') + fields[i] + (i < fields.length - 1 ? ',' : '');
  return out;
}

/** Letters and `-` only, at least two letters: `SYSTEM`, `auth-fail`, `Allow-Outbound`. */
function isWord(f: string): boolean {
  let letters = 0;
  for (let i = 0; i < f.length; i++) {
    const c = f.charCodeAt(i);
    const lower = c | 32;
    if (lower >= 97 && lower <= 122) letters++;
    else if (c !== 45) return false;
  }
  return letters >= 2;
}

function hasCommas(text: string, n: number): boolean {
  let k = -1;
  for (let c = 0; c < n; c++) {
    k = text.indexOf(',', k + 1);
    if (k < 0) return false;
  }
  return true;
}

/**
 * Start of the first chunk with a comma inside it, when only a short header comes before; else -1
 * (also when that chunk holds a `=`: pairs, looked at no further).
 */
function recordStart(text: string): number {
  let chunks = 0;
  let i = 0;
  const n = text.length;
  while (i < n && chunks <= MAX_HEADER_CHUNKS) {
    while (i < n && text.charCodeAt(i) === 32) i++;
    const s = i;
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 32) break;
      // A comma with more of the chunk after it (`word,` ends a clause).
      if (c === 44 && i + 1 < n && text.charCodeAt(i + 1) !== 32) {
        const space = text.indexOf(' ', i);
        const eq = text.indexOf('=', s);
        return eq >= 0 && (space < 0 || eq < space) ? -1 : s;
      }
      i++;
    }
    chunks++;
  }
  return -1;
}

/**
 * The record's fields from `start` to the end of the line, quotes taken off (a doubled quote
 * inside is one quote, written `'`); null when it is no record: commas followed by a space
 * outside quotes (more than one in four) are prose or a list, and an unclosed quote is no CSV.
 * (PAN-OS writes a configuration path as ` vsys  vsys1 address web1`, after a comma.)
 */
function splitFields(text: string, start: number): string[] | null {
  const fields: string[] = [];
  const n = text.length;
  let i = start;
  let spaced = 0;
  for (;;) {
    let field: string;
    if (text.charCodeAt(i) === 34) {
      let k = i + 1;
      let inner = '';
      for (;;) {
        const q = text.indexOf('"', k);
        if (q < 0) return null;
        inner += text.slice(k, q);
        if (text.charCodeAt(q + 1) === 34) {
          inner += "'";
          k = q + 2;
          continue;
        }
        i = q + 1;
        break;
      }
      if (i < n && text.charCodeAt(i) !== 44) return null;
      field = inner.trim();
    } else {
      let k = text.indexOf(',', i);
      if (k < 0) k = n;
      field = text.slice(i, k);
      if (field.indexOf(' ') >= 0) {
        field = field.trim();
        if (wordCount(field) > MAX_FIELD_WORDS) return null;
        field = `"${field.replace(/"/g, "'")}"`;
      }
      i = k;
    }
    fields.push(field);
    if (fields.length > MAX_FIELDS) return null;
    if (i >= n) break;
    // At a comma: the next field starts after it.
    i++;
    if (i < n && text.charCodeAt(i) === 32) spaced++;
    if (i >= n) {
      fields.push('');
      break;
    }
  }
  return spaced * 4 > fields.length ? null : fields;
}

/** Words of a field separated by spaces (runs of spaces count once). */
function wordCount(f: string): number {
  let n = 1;
  for (let i = 1; i < f.length; i++) if (f.charCodeAt(i) === 32 && f.charCodeAt(i - 1) !== 32) n++;
  return n;
}
