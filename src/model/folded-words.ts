// Small sets of lower-case ASCII words (calendar names, literals) looked up in any case at a place
// in a text, without copying or lower-casing the word: the masker asks this of most words.

import { isLetter } from './vocabulary.js';

/** Most letters of a word in a set: nine letters of 5 bits each stay below 2^45, exact in a number. */
const MAX_LETTERS = 9;

export class FoldedWords {
  /** The words' letters as numbers (5 bits a letter, case folded). */
  private readonly keys = new Set<number>();
  /** One bit per first letter of a word: most words are ruled out by their first letter. */
  private readonly firsts: number = 0;

  constructor(private readonly words: ReadonlySet<string>) {
    for (const w of words) {
      if (!/^[a-z]+$/.test(w) || w.length > MAX_LETTERS) throw new Error(`FoldedWords: ${JSON.stringify(w)} is not 1-${MAX_LETTERS} lower-case letters`);
      this.keys.add(keyOf(w, 0, w.length));
      this.firsts |= 1 << (w.charCodeAt(0) - 97);
    }
  }

  /** Whether text[a, b) is one of the words in any case, as `words.has(text.slice(a, b).toLowerCase())` says. */
  has(text: string, a: number, b: number): boolean {
    // Lower-casing never shortens a word: a longer one is none of them.
    if (b <= a || b - a > MAX_LETTERS) return false;
    let key = 0;
    for (let k = a; k < b; k++) {
      const d = text.charCodeAt(k);
      // Beyond ASCII, lower-casing may still make a letter (the Kelvin sign becomes `k`): let it decide.
      if (d >= 128) return this.words.has(text.slice(a, b).toLowerCase());
      if (!isLetter(d)) return false;
      if (k === a && (this.firsts & (1 << ((d | 32) - 97))) === 0) return false;
      key = key * 32 + ((d | 32) - 96);
    }
    return this.keys.has(key);
  }
}

/** Letters of text[a, b) (ASCII letters only) as a number, case folded. */
function keyOf(text: string, a: number, b: number): number {
  let key = 0;
  for (let k = a; k < b; k++) key = key * 32 + ((text.charCodeAt(k) | 32) - 96);
  return key;
}
