// The shape of a slot value and its numbers: "12345ms" -> shape "#ms" with
// [12345]; "10.1.2.3:50010" -> "#.#.#.#:#" with five numbers; "-201 ssh2" ->
// "# ssh#" with [-201, 2]. Comparing numbers per shape and position lets the
// model see a port, a duration or a size far outside its usual range even
// when the value also contains other text. Allocation-free: results are left
// in module-level scratch state, read right after the call.

import { calendarWordEnd } from './calendar.js';
import { DURATION, readUnit, unitClass, unitFactor, unitKind } from './units.js';

/** Numbers remembered per value (the rest only shape the hash). */
export const MAX_FIELDS = 6;
const MAX_VALUE = 120;

/** Numbers of the last scanned value; valid until the next scan. */
export const fields = new Float64Array(MAX_FIELDS);
export let fieldCount = 0;
/**
 * Bit i set: number i of the last scanned value is a word of its own (spaces or the value's ends
 * around it, with its sign and unit): one of several quantities a run of words holds (`1914 2027`,
 * an access log's size and time), not a part of an address, a clock or a version.
 */
export let wordFields = 0;

/**
 * The last scanned value's numbers that are quantities (bit i: number i), judged by their slot's
 * tail (slots.ts) and per key (keyed-slots.ts): a number alone in its value, or a word of its own
 * among others (`1914 2027`: a size and a time); an address's octets, a clock's readings are none.
 */
export function quantityFields(): number {
  return fieldCount === 1 ? 1 : wordFields;
}

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
const HASH_LONG = 1;
/** Hashed in place of a calendar word (not a character code a value can hold: above U+FFFF). */
const CALENDAR_WORD = 0x110000;
/** Hashed in place of a duration's or a size's unit (units.ts), the number read in its kind's unit: `880ms` and `9.8s` are one shape. */
const UNIT_OF = 0x110010;
/** The shape of a hex identifier (looksHex) written without `0x`; with it, HASH_HEX_PREFIXED. */
export const HASH_HEX = 2;
const HASH_HEX_PREFIXED = 3;

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}
function isAlnum(c: number): boolean {
  return isDigit(c) || (c >= 97 && c <= 122) || (c >= 65 && c <= 90);
}
/** A hex digit's character code (sources.ts reads IPv6 addresses with it too). */
export function isHex(c: number): boolean {
  return isDigit(c) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);
}

/** Identifiers in hex (0x..., or 8+ hex chars mixing digits and letters) are opaque: their digits mean nothing. */
function looksHex(v: string): boolean {
  const n = v.length;
  let i = 0;
  if (n > 2 && v.charCodeAt(0) === 48 && (v.charCodeAt(1) | 32) === 120) i = 2;
  else if (n < 8) return false;
  let letters = 0;
  let digits = 0;
  for (let k = i; k < n; k++) {
    const c = v.charCodeAt(k);
    if (!isHex(c)) return false;
    if (isDigit(c)) digits++;
    else letters++;
  }
  return i === 2 ? n > 2 : letters > 0 && digits > 0;
}

/**
 * Scans a value: returns the 32-bit hash of its shape (digit runs as `#`, a
 * leading minus sign belonging to the number) and leaves its first MAX_FIELDS
 * numbers in `fields` / `fieldCount`.
 */
export function scanValue(v: string): number {
  fieldCount = 0;
  wordFields = 0;
  // Here, not where addresses are read: a long value or a hex id returns early, and a slot must
  // not judge it by the address the value before it left here.
  otherAddressHash = 0;
  publicAddress = false;
  scannedAddressEnd = -1;
  scannedUnits = 0;
  const n = v.length;
  if (n > MAX_VALUE) return HASH_LONG;
  // (A pointer's `0x7ffd...` is another kind than a queue id's `4F2A1B3C5D`: digits alone are one
  // more of the second, not of the first; see slots.ts.)
  if (looksHex(v)) return v.charCodeAt(0) === 48 && (v.charCodeAt(1) | 32) === 120 ? HASH_HEX_PREFIXED : HASH_HEX;
  let h = FNV_OFFSET;
  let i = 0;
  while (i < n) {
    let c = v.charCodeAt(i);
    let negative = false;
    if (c === 45 && i + 1 < n && isDigit(v.charCodeAt(i + 1)) && (i === 0 || !isAlnum(v.charCodeAt(i - 1)))) {
      negative = true;
      i++;
      c = v.charCodeAt(i);
    }
    if (!isDigit(c)) {
      // A run of spaces is one: syslog pads the day of the month (`Nov  9`, `Nov 10`), and a
      // host trained on the 1st to the 9th read every line of the 10th as a new kind of value.
      if (c === 32 && i > 0 && v.charCodeAt(i - 1) === 32) {
        i++;
        continue;
      }
      // A month, weekday or zone name is one kind of word: "Jan 10 06:55:46" has the shape of
      // "Dec 10 06:55:46" (a new month is not a new kind of value).
      const end = c >= 65 && c <= 90 ? calendarWordEnd(v, i) : -1;
      if (end > 0) {
        h = Math.imul(h ^ CALENDAR_WORD, FNV_PRIME);
        i = end;
        continue;
      }
      h = Math.imul(h ^ c, FNV_PRIME);
      i++;
      continue;
    }
    const numberStart = i;
    let x = 0;
    while (i < n && isDigit((c = v.charCodeAt(i)))) {
      x = x * 10 + (c - 48);
      i++;
    }
    // One decimal point makes a fraction; a dotted sequence (IP, version) stays separate numbers.
    if (i + 1 < n && c === 46 && isDigit(v.charCodeAt(i + 1))) {
      let j = i + 1;
      while (j < n && isDigit(v.charCodeAt(j))) j++;
      if (!(j + 1 < n && v.charCodeAt(j) === 46 && isDigit(v.charCodeAt(j + 1))) && !(i > 0 && dottedBefore(v, i))) {
        let scale = 0.1;
        for (let k = i + 1; k < j; k++, scale /= 10) x += (v.charCodeAt(k) - 48) * scale;
        i = j;
      }
    }
    h = Math.imul(h ^ 35, FNV_PRIME);
    // A unit only on a number of its own, not inside a name or an id: a pod's `web-7d9f8c6b5-r19mg`
    // held `7d` (seven days) and `9d2` in another, so its next name was a new kind of value.
    const unitEnd = numberStart === 0 || !isAlnum(v.charCodeAt(numberStart - 1)) ? readUnit(v, i) : -1;
    if (unitEnd > 0) {
      const kind = unitKind;
      let y = x * unitFactor;
      let units = 1 << unitClass;
      let j = unitEnd;
      // Compound durations, one number: Go's `1h2m3.5s`, Cisco's `2h:36m:00s` (its parts read
      // apart, a routine session's `00s` was 4 decades below its slot's seconds).
      while (kind === DURATION && j < n) {
        const at = isDigit(v.charCodeAt(j)) ? j : v.charCodeAt(j) === 58 && j + 1 < n && isDigit(v.charCodeAt(j + 1)) ? j + 1 : -1;
        if (at < 0) break;
        const more = readNumber(v, at);
        const end = readUnit(v, numberEnd);
        if (end < 0 || end === numberEnd || unitKind !== DURATION || numberEnd < n && v.charCodeAt(numberEnd) === 32) break;
        y += more * unitFactor;
        units |= 1 << unitClass;
        j = end;
      }
      if (j >= n || !isAlnum(v.charCodeAt(j))) {
        x = y;
        scannedUnits |= units;
        i = j;
        h = Math.imul(h ^ (UNIT_OF + kind), FNV_PRIME);
      }
    }
    if (fieldCount < MAX_FIELDS) {
      const from = negative ? numberStart - 1 : numberStart;
      if ((from === 0 || v.charCodeAt(from - 1) === 32) && (i === n || v.charCodeAt(i) === 32)) wordFields |= 1 << fieldCount;
      fields[fieldCount++] = negative ? -x : x;
    }
  }
  if (fieldCount >= 4 && isDigit(v.charCodeAt(0))) {
    const kind = addressKind(v);
    if (kind !== NO_ADDRESS) {
      scannedAddressEnd = addressEnd;
      const marked = (Math.imul(h ^ PUBLIC_ADDRESS, FNV_PRIME) >>> 0) | 4;
      const plain = (h >>> 0) | 4;
      publicAddress = kind === PUBLIC;
      otherAddressHash = publicAddress ? plain : marked;
      return publicAddress ? marked : plain;
    }
  }
  return (h >>> 0) | 4; // never collides with the reserved small hashes
}

/**
 * For a value that begins with an IPv4 address (the last scanValue): the hash of the same shape
 * with an address of the other kind, public or not (0 for other values), and whether it is public.
 */
export let otherAddressHash = 0;
export let publicAddress = false;
/** Where the IPv4 address the last scanned value begins with ends (its source: sources.ts), or -1. */
export let scannedAddressEnd = -1;
/** The units the last scanned value wrote its numbers in, one bit per unit (units.ts unitClass). */
export let scannedUnits = 0;

/** Hashed after a public IPv4 address's shape (not a character code a value can hold: above U+FFFF). */
const PUBLIC_ADDRESS = 0x110001;

/**
 * Where the public IPv4 address the value begins with ends (`45.9.20.11:443` -> 10), or -1 when it
 * begins with none (addressKind).
 */
export function publicAddressEnd(v: string): number {
  return isDigit(v.charCodeAt(0)) && addressKind(v) === PUBLIC ? addressEnd : -1;
}

/** Where the address the last addressKind read ends. */
let addressEnd = 0;
const NO_ADDRESS = 0;
const PRIVATE = 1;
const PUBLIC = 2;

/**
 * Whether the value begins with an IPv4 address (`185.220.101.4`, `8.8.8.8:53`), public or not
 * (private, loopback, link-local, shared (CGNAT), multicast or `0.`). A public address's shape is
 * another kind than a private one's: a failed logon from outside, where the slot only ever held
 * the company's own networks, is a new kind of value, not one more address of the same range
 * (octets are no quantities: 10 -> 185 is within the margin of a magnitude). The other way round
 * it is not (slots.ts surprise): an internal client in a public server's log is ordinary.
 */
function addressKind(v: string): number {
  let a = 0;
  let b = 0;
  let i = 0;
  for (let k = 0; k < 4; k++) {
    if (k > 0) {
      if (v.charCodeAt(i) !== 46) return NO_ADDRESS;
      i++;
    }
    const start = i;
    let x = 0;
    while (i < v.length && i - start < 4 && isDigit(v.charCodeAt(i))) x = x * 10 + (v.charCodeAt(i++) - 48);
    if (i === start || i - start > 3 || x > 255) return NO_ADDRESS;
    if (k === 0) a = x;
    else if (k === 1) b = x;
  }
  // Not the start of a longer dotted number (a version `1.2.3.4.5`, `1.2.3.45678`).
  if (i < v.length && (isDigit(v.charCodeAt(i)) || (v.charCodeAt(i) === 46 && isDigit(v.charCodeAt(i + 1))))) return NO_ADDRESS;
  addressEnd = i;
  if (a === 0 || a === 10 || a === 127 || a >= 224) return PRIVATE;
  if ((a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 169 && b === 254) || (a === 100 && b >= 64 && b <= 127)) return PRIVATE;
  return PUBLIC;
}

/** Where the IPv4 address a value begins with ends (`45.9.20.11:443` -> 10), or -1 when it begins with none. */
export function leadingAddressEnd(v: string): number {
  return v.length > 6 && isDigit(v.charCodeAt(0)) && addressKind(v) !== NO_ADDRESS ? addressEnd : -1;
}

/**
 * A value of digits alone, at least 8 of them: where a slot held hex identifiers, one that
 * happens to have no letters (about 1 in 100 of Postfix's 11-digit queue ids).
 */
export function digitsOnlyId(v: string): boolean {
  const n = v.length;
  if (n < 8 || n > MAX_VALUE) return false;
  for (let i = 0; i < n; i++) if (!isDigit(v.charCodeAt(i))) return false;
  return true;
}

/** Where the last readNumber's number ended. */
let numberEnd = 0;

/** The number (digits, maybe one fraction) at `i` of `v`; numberEnd where it ends. */
function readNumber(v: string, i: number): number {
  const n = v.length;
  let x = 0;
  while (i < n && isDigit(v.charCodeAt(i))) x = x * 10 + (v.charCodeAt(i++) - 48);
  if (i + 1 < n && v.charCodeAt(i) === 46 && isDigit(v.charCodeAt(i + 1))) {
    i++;
    for (let scale = 0.1; i < n && isDigit(v.charCodeAt(i)); i++, scale /= 10) x += (v.charCodeAt(i) - 48) * scale;
  }
  numberEnd = i;
  return x;
}

// "1.2.3": the run before "3" was reached through a dot as well.
function dottedBefore(v: string, dot: number): boolean {
  let k = dot - 1;
  while (k >= 0 && isDigit(v.charCodeAt(k))) k--;
  return k > 0 && v.charCodeAt(k) === 46 && isDigit(v.charCodeAt(k - 1));
}
