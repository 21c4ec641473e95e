// Floods from one source: a slot of addresses where one address suddenly writes far more of the
// template's lines than any address ever did in training. A port scan, a brute force or a deny
// storm is a message the host writes every day (known, often without failure words), but from one
// client hundreds of times in minutes; its density as a message (occasions.ts, bursts) cannot
// tell it from a quiet night when that message fills the log, its source can. A review's firewall:
// 454 denies from one address in 8 minutes, 0 flagged; a mail server's SASL brute force, 0 of 70.
//
// Each address of a slot is counted with a weight that halves every SOURCE_HALF_LIFE lines of the
// host, in training (its densest count per slot: SlotModel.flood) and when scoring (familiarity.ts).

import { burstWeight } from './evidence.js';
import { recentCount } from './occasions.js';
import { FNV_OFFSET, fnvRange } from './features.js';
import { isHex, leadingAddressEnd } from './value-shape.js';

/** Host lines after which an address's count has halved: about an hour of a busy host's lines, days of a quiet one's. */
export const SOURCE_HALF_LIFE = 1024;
const SOURCE_DECAY = Math.LN2 / SOURCE_HALF_LIFE;
/** Fewest address values before a slot's sources are judged. */
export const MIN_SOURCE_VALUES = 20;
/**
 * Fewest different addresses before a slot's sources are judged: a slot of one server's address
 * (`-> 10.0.1.10:5672`) is the template itself, whose every burst it would report as a flood (a
 * review's RabbitMQ: routine bursts of closed connections flagged).
 */
export const MIN_SOURCES = 10;
/**
 * Most places for addresses per slot in training (SourceTable, starting at 16): an address that
 * takes another's place starts its count afresh (the densest so far is kept). Typed arrays: a Map
 * cost 4% of training where clients come from everywhere.
 */
const SOURCE_BITS = 11;

/** An address's count after one more line of it at host line `at`, where it was `count` at `last`. */
export function sourceCount(count: number, last: number, at: number): number {
  return recentCount(count, last, at, SOURCE_DECAY);
}

/** FNV-1a of `seed` and then v[start, end): an address's key without slicing it out of its value. */
export function addressKey(v: string, start: number, end: number, seed: number): number {
  return fnvRange(Math.imul(FNV_OFFSET ^ seed, 0x01000193), v, start, end) >>> 0;
}

const MAPPED = '::ffff:';

/** Where the address found by the last sourceEnd begins in its value. */
export let sourceStart = 0;

/**
 * Where the address a value holds ends (its start in sourceStart), or -1: an IPv4 address (after
 * `::ffff:` too: the IPv4 address is the source), an IPv6 address (in brackets too, without its
 * port or zone), at the value's start or at the start of one of its pieces (BIND's `client
 * @0x7f3c 203.0.113.5#53212`, where the masker merged the client's handle with its address), or
 * after a user's `@` (MySQL's `'root'@'91.92.253.120'`).
 * Cheap tests first, as most values are numbers or names.
 */
export function sourceEnd(v: string): number {
  sourceStart = 0;
  const end = addressAt(v, 0);
  if (end > 0) return end;
  for (let i = v.indexOf(' '); i >= 0 && i + 3 < v.length; i = v.indexOf(' ', i + 1)) {
    const e = addressAt(v, i + 1);
    if (e > 0) {
      if (sourceStart === 0) sourceStart = i + 1;
      return e;
    }
  }
  // A user at an address: MySQL's `'root'@'91.92.253.120'` (masked as one value, its outer quotes
  // left out), `root@10.0.0.5`.
  const at = v.indexOf('@');
  if (at >= 0 && at + 7 < v.length) {
    const i = v.charCodeAt(at + 1) === 39 || v.charCodeAt(at + 1) === 34 ? at + 2 : at + 1;
    const e = addressAt(v, i);
    if (e > 0) {
      if (sourceStart === 0) sourceStart = i;
      return e;
    }
  }
  return -1;
}

/** Where an address that begins at `i` of `v` ends, or -1; sets sourceStart when the address begins after `i`. */
function addressAt(v: string, i: number): number {
  const c = v.charCodeAt(i);
  // An IPv4 address mapped to IPv6, as Node.js, Java and other dual-stack daemons write a client.
  if (c === 58 && v.startsWith(MAPPED, i)) {
    const end = ipv4End(v, i + MAPPED.length);
    if (end > 0) {
      sourceStart = i + MAPPED.length;
      return end;
    }
  }
  if (c === 91) {
    // `[2001:db8::1]:443`: the address in its brackets.
    const end = ipv6End(v, i + 1);
    if (end < 0 || v.charCodeAt(end) !== 93) return -1;
    sourceStart = i + 1;
    return end;
  }
  if (c >= 48 && c <= 57) {
    const end = ipv4End(v, i);
    if (end > 0) return end;
  }
  return isHex(c) || c === 58 ? ipv6End(v, i) : -1;
}

/** Where the IPv4 address at `i` ends, or -1: a digit, then a dot within four characters, first. */
function ipv4End(v: string, i: number): number {
  if (v.length - i < 7 || (v.charCodeAt(i + 1) !== 46 && v.charCodeAt(i + 2) !== 46 && v.charCodeAt(i + 3) !== 46)) return -1;
  if (i === 0) return leadingAddressEnd(v);
  const end = leadingAddressEnd(v.slice(i));
  return end > 0 ? i + end : -1;
}

/**
 * Where the IPv6 address at `i` ends, or -1: groups of one to four hex digits between colons, with
 * one `::` and at most seven groups, or eight groups; not followed by a letter, digit, colon or dot
 * (a longer token). A time (`10:00:00`) has no `::` and too few groups, a MAC address six groups.
 */
function ipv6End(v: string, i: number): number {
  const n = v.length;
  // A colon within the first five characters, or it is no address: the usual cheap rejection.
  let colon = i;
  while (colon < n && colon - i <= 4 && v.charCodeAt(colon) !== 58) colon++;
  if (colon >= n || colon - i > 4) return -1;
  let groups = 0;
  let double = false;
  let k = i;
  if (v.charCodeAt(k) === 58) {
    if (v.charCodeAt(k + 1) !== 58) return -1;
    double = true;
    k += 2;
  }
  for (;;) {
    const start = k;
    while (k < n && k - start < 5 && isHex(v.charCodeAt(k))) k++;
    const digits = k - start;
    if (digits > 4) return -1;
    if (digits > 0) groups++;
    if (k >= n || v.charCodeAt(k) !== 58) {
      if (digits === 0 && !(double && v.charCodeAt(k - 1) === 58 && v.charCodeAt(k - 2) === 58)) return -1;
      break;
    }
    if (digits === 0) return -1;
    // A colon: `::` once, or one between groups.
    if (v.charCodeAt(k + 1) === 58) {
      if (double) return -1;
      double = true;
      k += 2;
      if (k >= n || !isHex(v.charCodeAt(k))) break;
    } else k++;
  }
  if (double ? groups > 7 || groups === 0 : groups !== 8) return -1;
  if (k < n) {
    const c = v.charCodeAt(k);
    if (c === 46 || c === 58 || c === 95 || (c >= 48 && c <= 57) || ((c | 32) >= 97 && (c | 32) <= 122)) return -1;
  }
  return k;
}

/**
 * A table of address counts: each key has two places (two hashes), and a new address takes an empty
 * one, or grows the table (up to 2^maxBits places), or else the place whose count is lower, so a
 * dense address keeps its count where a stream of others would have pushed it out of a single
 * place (a deny storm's count started afresh every few hundred lines). It starts small and grows
 * with the addresses: a table of full size per slot took training from 51 to 437 MB of heap on a
 * host of 4,634 templates, each with a slot of addresses.
 */
export class SourceTable {
  private bits: number;
  private keys: Uint32Array;
  private counts: Float64Array;
  private lasts: Float64Array;

  constructor(
    bits: number,
    private readonly maxBits: number,
  ) {
    this.bits = bits;
    this.keys = new Uint32Array(1 << bits);
    this.counts = new Float64Array(1 << bits);
    this.lasts = new Float64Array(1 << bits);
  }

  /** The first of the two places of a key as stored (`key | 1`: 0 marks an empty place). */
  private first(k: number): number {
    return Math.imul(k, 0x9e3779b1) >>> (32 - this.bits);
  }

  private second(k: number): number {
    return Math.imul(k, 0x85ebca6b) >>> (32 - this.bits);
  }

  /** The place of `key`, or -1 when it has none. */
  find(key: number): number {
    const k = (key | 1) >>> 0;
    const a = this.first(k);
    if (this.keys[a] === k) return a;
    const b = this.second(k);
    return this.keys[b] === k ? b : -1;
  }

  count(place: number): number {
    return this.counts[place]!;
  }

  last(place: number): number {
    return this.lasts[place]!;
  }

  /** Whether the last observe() found no count for its address (a new one, or one pushed out). */
  fresh = false;

  /** One more line of the address keyed `key` at host line `at`: its count now (sourceCount). */
  observe(key: number, at: number): number {
    const p = this.find(key);
    this.fresh = p < 0;
    if (p < 0) {
      this.set(key, 1, at);
      return 1;
    }
    const count = sourceCount(this.counts[p]!, this.lasts[p]!, at);
    this.counts[p] = count;
    this.lasts[p] = at;
    return count;
  }

  /** Sets the count of `key`: in its place, or (a new one) an empty one of its two, or a larger table, or the one of lower count. */
  set(key: number, count: number, last: number): void {
    let p = this.find(key);
    if (p < 0) {
      const k = (key | 1) >>> 0;
      for (;;) {
        const a = this.first(k);
        const b = this.second(k);
        if (this.keys[a] === 0) p = a;
        else if (this.keys[b] === 0) p = b;
        else if (this.bits < this.maxBits) {
          this.grow();
          continue;
        } else p = this.counts[a]! <= this.counts[b]! ? a : b;
        break;
      }
      this.keys[p] = k;
    }
    this.counts[p] = count;
    this.lasts[p] = last;
  }

  /** Twice the places, every address moved to one of its own (one that finds neither empty is dropped: lower, never higher). */
  private grow(): void {
    const { keys, counts, lasts } = this;
    this.bits++;
    this.keys = new Uint32Array(1 << this.bits);
    this.counts = new Float64Array(1 << this.bits);
    this.lasts = new Float64Array(1 << this.bits);
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i]!;
      if (k === 0) continue;
      const a = this.first(k);
      const b = this.second(k);
      const p = this.keys[a] === 0 ? a : this.keys[b] === 0 ? b : -1;
      if (p < 0) continue;
      this.keys[p] = k;
      this.counts[p] = counts[i]!;
      this.lasts[p] = lasts[i]!;
    }
  }
}

/** Values a slot may hold beyond twice its addresses before it is no slot of sources (SourceCounter.hopeless). */
const LOOKAHEAD = 64;

/** Training-time densest count of any one address of a slot. */
export class SourceCounter {
  values = 0;
  /** Different addresses seen (again after one was pushed out: at least as many as there were). */
  distinct = 0;
  densest = 0;
  private table: SourceTable | null = null;

  /** One more line of the address keyed `address` (addressKey) at host line `at`. */
  add(address: number, at: number): void {
    this.values++;
    const table = (this.table ??= new SourceTable(4, SOURCE_BITS));
    const count = table.observe(address, at);
    // (A new address, or one pushed out by others meanwhile: counted as different ones.)
    if (table.fresh) this.distinct++;
    if (count > this.densest) this.densest = count;
  }

  /**
   * Whether a slot of `slotValues` values so far is too far from half addresses to become a slot of
   * sources (freeze): its values are not looked at any more (looking cost 3% of training).
   */
  hopeless(slotValues: number): boolean {
    return this.values * 2 + LOOKAHEAD < slotValues;
  }

  /** The slot's densest count, when most of its values were addresses, of many sources; else undefined (not judged). */
  freeze(slotValues: number): number | undefined {
    if (this.values < MIN_SOURCE_VALUES || this.distinct < MIN_SOURCES || this.values * 2 < slotValues) return undefined;
    return Math.round(this.densest * 1000) / 1000;
  }
}

/** Evidence (nats) of an address whose count is `count` where the slot's densest in training was `densest`. */
export function floodEvidence(count: number, densest: number): number {
  return burstWeight(count, densest, FLOOD_CAP, FLOOD_WEIGHT);
}

/**
 * Nats per doubling of one address's count beyond 2 x the densest of training + 4: twice a
 * message's burst (evidence.ts BURST_WEIGHT), because the densest is already the extreme of every
 * address over the whole training window, not one message's ordinary count. A flood reaches the
 * threshold (ln 1,000) on its own at about 5 times that, 10 times the densest: a pod's 200 NXDOMAIN
 * queries in 200 lines where no client had written more than 14, 0 flagged at 1.5 nats (the
 * message's, until 2026-11-25, which asked for 24 times), 79 now; of 46 review sets' port scans,
 * deny storms and brute forces, 1,347 incident lines more, no routine line more.
 */
const FLOOD_WEIGHT = 3;

/**
 * Most nats a flood from one source adds: above the threshold (ln 1,000), so that a flood of a
 * routine message without failure words (a firewall's drops) can reach it on the flood alone. At 6
 * it could not: a review's port scan of 250 Palo Alto drop records was 1 line flagged, now 137.
 */
const FLOOD_CAP = 9;
