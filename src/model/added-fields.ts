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
import { collapseField } from './header.js';

/** New fields of a record whose familiarity is looked up (detector.ts familiarFields): the first ones. */
const FIELDS_OBSERVED = 8;

/**
 * A field as the masker leaves it: `key=<*>`, `key="<*>"` (structured.ts renders fields so), with
 * the bracket it opens (a bracketed MDC's first field: `[user="<*>"`) or the brackets it closes
 * (RFC 5424 structured data's last parameter: `ms="<*>"]`).
 */
const PAIR = /^\[?([A-Za-z_@][\w.@/-]*)=(?:<\*>|"<\*>"|'<\*>')(\]*)$/;

/** The field name of a masked `key=value` token, or null when the token is not one. */
export function pairKey(token: string): string | null {
  if (token.indexOf('=') < 0) return null;
  const m = PAIR.exec(token);
  return m === null ? null : m[1]!;
}

/** No brackets moved (movedClosers). */
const NONE_MOVED: ReadonlyArray<[number, string]> = [];

/** The brackets a field's token closes (`]` of `ms="<*>"]`), '' when none or it is no field. */
function closers(token: string): string {
  if (token.charCodeAt(token.length - 1) !== 93) return ''; // ]
  const m = PAIR.exec(token);
  return m === null ? '' : m[2]!;
}

/**
 * Where the brackets closed by a new field go when it is taken out of its record: to the field
 * before it (not new), which closed them before the new one was appended (`ms="<*>" region="<*>"]`
 * was `ms="<*>"]`). As [position of that field in the line, the brackets] pairs, ascending.
 */
export function movedClosers(tokens: readonly string[], at: readonly number[]): ReadonlyArray<[number, string]> {
  let out: Array<[number, string]> | null = null;
  for (let a = 0; a < at.length; a++) {
    const shut = closers(tokens[at[a]!]!);
    if (shut === '') continue;
    let b = a;
    let j = at[a]! - 1;
    while (b > 0 && at[b - 1] === j) (b--, j--);
    if (j >= 0 && pairKey(tokens[j]!) !== null && closers(tokens[j]!) === '' && out?.[out.length - 1]?.[0] !== j) (out ??= []).push([j, shut]);
  }
  return out ?? NONE_MOVED;
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
 * or they are more than the line's other fields (no record of fewer fields can be the line), or one
 * of them opens a bracket (taken out, it would take the bracket with it).
 */
export function addedFieldPositions(tokens: readonly string[], known: ReadonlySet<string>): number[] | null {
  let out: number[] | null = null;
  let fields = 0;
  for (let p = 0; p < tokens.length; p++) {
    const k = pairKey(tokens[p]!);
    if (k === null) continue;
    fields++;
    if (known.has(k)) continue;
    if (tokens[p]!.charCodeAt(0) === 91) return null; // [
    (out ??= []).push(p);
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

/**
 * `base` (a line without the tokens at `at`, ascending) with `line`'s tokens at `at` put back, and
 * the brackets `moved` gave to the fields before them (withoutTokens) taken back.
 */
export function withTokens(base: readonly string[], line: readonly string[], at: readonly number[], moved: ReadonlyArray<[number, string]> = NONE_MOVED): string[] {
  const out: string[] = [];
  let a = 0;
  let b = 0;
  let m = 0;
  for (let p = 0; p < line.length; p++) {
    if (a < at.length && at[a] === p) (a++, out.push(line[p]!));
    else if (m < moved.length && moved[m]![0] === p) out.push(base[b++]!.slice(0, -moved[m++]![1].length));
    else out.push(base[b++]!);
  }
  return out;
}

/**
 * The line without the tokens at `drop` (ascending) and their values; `moved` (movedClosers): the
 * brackets closed by dropped fields, given to the fields before them.
 */
export function withoutTokens(tok: Tokenized, drop: readonly number[], moved: ReadonlyArray<[number, string]> = NONE_MOVED): Tokenized {
  const tokens: string[] = [];
  const values: string[] = [];
  const valueEnd: number[] = [];
  let d = 0;
  let m = 0;
  for (let p = 0, start = 0; p < tok.tokens.length; p++) {
    const end = tok.valueEnd[p]!;
    if (d < drop.length && drop[d] === p) d++;
    else {
      tokens.push(m < moved.length && moved[m]![0] === p ? tok.tokens[p]! + moved[m++]![1] : tok.tokens[p]!);
      for (let v = start; v < end; v++) values.push(tok.values[v]!);
      valueEnd.push(values.length);
    }
    start = end;
  }
  return { tokens, values, valueEnd };
}

/**
 * The record a line with new fields at `at` is: the line without them (withoutTokens, `moved` from
 * movedClosers), its header's bracketed field (`field`, miner.ts headerField) read where the
 * record has it. A field added before it had moved it out of place, and the miner had left it
 * whole (a log4j thread `[http-nio-8080-exec-96]` after an MDC `[user="..." region="..."]`),
 * its value then unusual on every line. Null when the field spans several tokens there: the
 * record could not be written back (withTokens) with the line's new fields in place.
 */
export function recordOf(tok: Tokenized, at: readonly number[], moved: ReadonlyArray<[number, string]>, field: number): Tokenized | null {
  const rest = withoutTokens(tok, at, moved);
  if (field < 0 || at[0]! > field) return rest;
  const collapsed = collapseField(rest, field);
  return collapsed.tokens.length === rest.tokens.length ? collapsed : null;
}

/** The values of the token at `p`. */
export function valuesAt(tok: Tokenized, p: number): string[] {
  return tok.values.slice(p === 0 ? 0 : tok.valueEnd[p - 1]!, tok.valueEnd[p]!);
}
