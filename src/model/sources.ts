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
import { leadingAddressEnd } from './value-shape.js';

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
 * Places for addresses per slot in training, one address per place by its key: an address that
 * takes another's place starts its count afresh (the densest so far is kept). Typed arrays, made
 * for a slot's first address: a Map cost 4% of training where clients come from everywhere.
 */
const SOURCE_BITS = 11;
/** Addresses a slot holds before its table is made: most slots that ever hold one hold few. */
const TABLE_AFTER = 8;

/** An address's count after one more line of it at host line `at`, where it was `count` at `last`. */
export function sourceCount(count: number, last: number, at: number): number {
  return count * Math.exp(-SOURCE_DECAY * (at - last)) + 1;
}

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** FNV-1a of `seed` and then v[0, end): an address's key without slicing it out of its value. */
export function addressKey(v: string, end: number, seed: number): number {
  let h = Math.imul(FNV_OFFSET ^ seed, FNV_PRIME);
  for (let i = 0; i < end; i++) h = Math.imul(h ^ v.charCodeAt(i), FNV_PRIME);
  return h >>> 0;
}

/**
 * Where the IPv4 address a value begins with ends, or -1: a cheap test first (a digit, then a dot
 * within four characters), as most values that begin with a digit are numbers.
 */
export function sourceEnd(v: string): number {
  const c = v.charCodeAt(0);
  if (c < 48 || c > 57 || v.length < 7) return -1;
  if (v.charCodeAt(1) !== 46 && v.charCodeAt(2) !== 46 && v.charCodeAt(3) !== 46) return -1;
  return leadingAddressEnd(v);
}

/**
 * A table of address counts: each key has two places (two hashes), and a new address takes the one
 * whose count is lower, so a dense address keeps its count where a stream of others would have
 * pushed it out of a single place (a deny storm's count started afresh every few hundred lines).
 */
export class SourceTable {
  private readonly keys: Uint32Array;
  private readonly counts: Float64Array;
  private readonly lasts: Float64Array;

  constructor(private readonly bits: number) {
    this.keys = new Uint32Array(1 << bits);
    this.counts = new Float64Array(1 << bits);
    this.lasts = new Float64Array(1 << bits);
  }

  /** The place of `key` (never 0), or -1 when it has none. */
  find(key: number): number {
    const k = (key | 1) >>> 0;
    const a = Math.imul(k, 0x9e3779b1) >>> (32 - this.bits);
    if (this.keys[a] === k) return a;
    const b = Math.imul(k, 0x85ebca6b) >>> (32 - this.bits);
    return this.keys[b] === k ? b : -1;
  }

  count(place: number): number {
    return this.counts[place]!;
  }

  last(place: number): number {
    return this.lasts[place]!;
  }

  /** Sets the count of `key`, in its place or (a new one) the one of its two with the lower count. */
  set(key: number, count: number, last: number): void {
    const k = (key | 1) >>> 0;
    let p = this.find(key);
    if (p < 0) {
      const a = Math.imul(k, 0x9e3779b1) >>> (32 - this.bits);
      const b = Math.imul(k, 0x85ebca6b) >>> (32 - this.bits);
      p = this.keys[a] === 0 || this.counts[a]! <= this.counts[b]! ? a : b;
      this.keys[p] = k;
    }
    this.counts[p] = count;
    this.lasts[p] = last;
  }
}

/** Training-time densest count of any one address of a slot. */
export class SourceCounter {
  values = 0;
  /** Different addresses seen (again after the map started afresh: at least as many as there were). */
  distinct = 0;
  densest = 0;
  private table: SourceTable | null = null;

  /** One more line of the address keyed `address` (addressKey) at host line `at`. */
  add(address: number, at: number): void {
    if (++this.values < TABLE_AFTER) {
      this.distinct++;
      return;
    }
    const table = (this.table ??= new SourceTable(SOURCE_BITS));
    const p = table.find(address);
    // (A new address, or one whose place others took meanwhile: counted as different ones.)
    if (p < 0) this.distinct++;
    const count = p < 0 ? 1 : sourceCount(table.count(p), table.last(p), at);
    table.set(address, count, at);
    if (count > this.densest) this.densest = count;
  }

  /** The slot's densest count, when most of its values were addresses, of many sources; else undefined (not judged). */
  freeze(slotValues: number): number | undefined {
    if (this.values < MIN_SOURCE_VALUES || this.distinct < MIN_SOURCES || this.values * 2 < slotValues) return undefined;
    return Math.round(this.densest * 1000) / 1000;
  }
}

/** Evidence (nats) of an address whose count is `count` where the slot's densest in training was `densest`. */
export function floodEvidence(count: number, densest: number): number {
  return burstWeight(count, densest, FLOOD_CAP);
}

/** Most nats a flood from one source adds: a routine message (a deny, a failed logon) can reach the threshold on it. */
const FLOOD_CAP = 6;
