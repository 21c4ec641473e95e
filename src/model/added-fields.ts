// A structured logger's records gaining a field: a deploy adds `"region":"eu-west-1"` to every
// JSON record, or `session=...` to every logfmt line. Each record then has one token more than its
// template, matched no known one, and every line of the host was a new message for days: its
// routine failures ("call finished ... outcome=timeout") flagged on every line (885 of 3,000
// routine lines in a generated JSON log, none before the field came). A record whose only
// difference from a known template is fields of names the host never wrote is that template's
// message with new fields (core.ts withAddedFields): new as a new message is, so that a field
// that comes with an incident (`"mfa_bypassed":true`) is news and a field that a deploy added to
// every record fades as it keeps coming back, but its failure words as routine as in that
// template, and its values judged by that template's slots.

import type { Tokenized } from './mask.js';
import { fnv1a } from './features.js';
import { wordsOfTokens } from './vocabulary.js';

/** New fields of a record whose familiarity is looked up (detector.ts familiarFields): the first ones. */
const FIELDS_OBSERVED = 8;

/** A field as the masker leaves it: `key=<*>`, `key="<*>"` (structured.ts renders fields so). */
const PAIR = /^([A-Za-z_@][\w.@/-]*)=(?:<\*>|"<\*>"|'<\*>')$/;

/** The field name of a masked `key=value` token, or null when the token is not one. */
export function pairKey(token: string): string | null {
  if (token.indexOf('=') < 0) return null;
  const m = PAIR.exec(token);
  return m === null ? null : m[1]!;
}

/** Field names among these tokens. */
export function pairKeysOf(tokens: readonly string[], into: Set<string>): void {
  for (const t of tokens) {
    const k = pairKey(t);
    if (k !== null) into.add(k);
  }
}

/** Fields among these tokens. */
export function pairCount(tokens: readonly string[]): number {
  let n = 0;
  for (const t of tokens) if (pairKey(t) !== null) n++;
  return n;
}

/**
 * Positions of the fields whose names are not in `known` (ascending), or null when there are none
 * or they are more than the line's other fields (no record of fewer fields can be the line).
 */
export function addedFieldPositions(tokens: readonly string[], known: ReadonlySet<string>): number[] | null {
  let out: number[] | null = null;
  let fields = 0;
  for (let p = 0; p < tokens.length; p++) {
    const k = pairKey(tokens[p]!);
    if (k === null) continue;
    fields++;
    if (!known.has(k)) (out ??= []).push(p);
  }
  return out !== null && 2 * out.length <= fields ? out : null;
}

/**
 * The familiarity keys of the first FIELDS_OBSERVED new fields (tokens at `at`): looking up dozens
 * per line took a third longer on lines of ever new combinations of them. Each by its name's words,
 * as a new message is (`tenant_8123` is `tenant`): names made of ids, new on every record, each
 * took a place in the log and pushed the host's new messages out of it.
 */
export function fieldFamiliarityKeys(tokens: readonly string[], at: readonly number[]): number[] {
  return at.slice(0, FIELDS_OBSERVED).map((p) => {
    const words = wordsOfTokens([tokens[p]!]);
    return fnv1a(`field\u0001${words.length > 0 ? words.join(' ') : pairKey(tokens[p]!)!}`);
  });
}

/** `base` (a line without the tokens at `at`, ascending) with `line`'s tokens at `at` put back. */
export function withTokens(base: readonly string[], line: readonly string[], at: readonly number[]): string[] {
  const out: string[] = [];
  let a = 0;
  let b = 0;
  for (let p = 0; p < line.length; p++) out.push(a < at.length && at[a] === p ? (a++, line[p]!) : base[b++]!);
  return out;
}

/** The line without the tokens at `drop` (ascending) and their values. */
export function withoutTokens(tok: Tokenized, drop: readonly number[]): Tokenized {
  const tokens: string[] = [];
  const values: string[] = [];
  const valueEnd: number[] = [];
  let d = 0;
  for (let p = 0, start = 0; p < tok.tokens.length; p++) {
    const end = tok.valueEnd[p]!;
    if (d < drop.length && drop[d] === p) d++;
    else {
      tokens.push(tok.tokens[p]!);
      for (let v = start; v < end; v++) values.push(tok.values[v]!);
      valueEnd.push(values.length);
    }
    start = end;
  }
  return { tokens, values, valueEnd };
}

/** The values of the token at `p`. */
export function valuesAt(tok: Tokenized, p: number): string[] {
  return tok.values.slice(p === 0 ? 0 : tok.valueEnd[p - 1]!, tok.valueEnd[p]!);
}
