// Where the variable values of a template sit. The miner (Drain-like) keeps
// one token per position, so a slot is identified by its token position and,
// for tokens holding several masked values (`a=<*>,b=<*>`), the value's index
// within the token. This stays valid while a template generalizes.

import { WILDCARD, type Tokenized } from './mask.js';

export interface Slot {
  /** Token position. */
  pos: number;
  /** Index of the masked value within the token; -1 = the whole token (a `<*>` position). */
  vi: number;
}

const PLACEHOLDER = /<[*A-Za-z0-9_.-]{1,64}>/g;

export function placeholders(token: string): number {
  if (token.indexOf('<') < 0) return 0;
  PLACEHOLDER.lastIndex = 0;
  let n = 0;
  while (PLACEHOLDER.exec(token) !== null) n++;
  return n;
}

export function slotLayout(tokens: readonly string[]): Slot[] {
  const out: Slot[] = [];
  for (let pos = 0; pos < tokens.length; pos++) {
    const t = tokens[pos]!;
    if (t === WILDCARD) {
      out.push({ pos, vi: -1 });
      continue;
    }
    const n = placeholders(t);
    for (let vi = 0; vi < n; vi++) out.push({ pos, vi });
  }
  return out;
}

export function slotKey(s: Slot): string {
  return `${s.pos}:${s.vi}`;
}

/** The line's value in a slot, or null when the line does not have one there. */
export function slotValue(t: Tokenized, s: Slot): string | null {
  if (s.pos >= t.tokens.length) return null;
  const start = s.pos === 0 ? 0 : t.valueEnd[s.pos - 1]!;
  const end = t.valueEnd[s.pos]!;
  if (s.vi < 0) {
    if (end === start) return t.tokens[s.pos]!;
    if (end === start + 1) return t.values[start]!;
    return t.values.slice(start, end).join(' ');
  }
  return start + s.vi < end ? t.values[start + s.vi]! : null;
}

/** Whether the line's tokens equal the template's at every constant position. */
export function matchesExactly(template: readonly string[], line: readonly string[]): boolean {
  if (template.length !== line.length) return false;
  for (let k = 0; k < template.length; k++) {
    const t = template[k]!;
    if (t !== WILDCARD && t !== line[k]) return false;
  }
  return true;
}
