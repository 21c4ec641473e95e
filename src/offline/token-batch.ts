// Tokenized lines packed to cross between threads (tokenizer-thread.ts). Structured cloning an
// array of { tokens, values, valueEnd } objects cost the receiving thread 2.4 µs a line, more
// than half of tokenizing it; packed, a token is a number into a table of the strings seen so
// far (each sent once), and the values are strings of their own (cut from one joined string they
// were views into it, which the model read slower): about 0.2 µs a line.

import type { Tokenized } from '../model/mask.js';

export interface TokenBatch {
  /** The table starts over before this batch (it had grown past TABLE_MAX). */
  readonly reset: boolean;
  /** Tokens new to the table, in the order of their numbers. */
  readonly fresh: string[];
  /** Per line: its numbers of tokens and of values. */
  readonly tokenCounts: Int32Array;
  readonly valueCounts: Int32Array;
  /** Per token: its number in the table, and the line's valueEnd there. */
  readonly ids: Int32Array;
  readonly valueEnds: Int32Array;
  /** Every value of the batch, one after the other (each a string of its own when cloned). */
  readonly values: string[];
}

/** Distinct tokens the table holds before it starts over (lines of ever new words would grow it without end). */
export const TABLE_MAX = 100_000;

/** The sending side: numbers each distinct token once. */
export class TokenEncoder {
  private readonly table = new Map<string, number>();

  constructor(private readonly tableMax = TABLE_MAX) {}

  encode(lines: readonly Tokenized[]): TokenBatch {
    const table = this.table;
    const reset = table.size > this.tableMax;
    if (reset) table.clear();
    const fresh: string[] = [];
    const tokenCounts = new Int32Array(lines.length);
    const valueCounts = new Int32Array(lines.length);
    let tokens = 0;
    let values = 0;
    for (let i = 0; i < lines.length; i++) {
      tokens += lines[i]!.tokens.length;
      values += lines[i]!.values.length;
    }
    const ids = new Int32Array(tokens);
    const valueEnds = new Int32Array(tokens);
    const texts: string[] = [];
    let t = 0;
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!;
      tokenCounts[i] = line.tokens.length;
      valueCounts[i] = line.values.length;
      for (let k = 0; k < line.tokens.length; k++) {
        const token = line.tokens[k]!;
        let id = table.get(token);
        if (id === undefined) {
          id = table.size;
          table.set(token, id);
          fresh.push(token);
        }
        ids[t] = id;
        valueEnds[t++] = line.valueEnd[k]!;
      }
      for (const value of line.values) texts.push(value);
    }
    return { reset, fresh, tokenCounts, valueCounts, ids, valueEnds, values: texts };
  }
}

/** The receiving side: keeps the table as the encoder built it. */
export class TokenDecoder {
  private table: string[] = [];

  decode(batch: TokenBatch): Tokenized[] {
    if (batch.reset) this.table = [];
    const table = this.table;
    for (const token of batch.fresh) table.push(token);
    const { tokenCounts, valueCounts, ids, valueEnds, values } = batch;
    const out: Tokenized[] = [];
    let t = 0;
    let v = 0;
    for (let i = 0; i < tokenCounts.length; i++) {
      const n = tokenCounts[i]!;
      const tokens: string[] = [];
      const valueEnd: number[] = [];
      for (let k = 0; k < n; k++) {
        const token = table[ids[t]!];
        if (token === undefined) throw new Error(`token batch: token number ${ids[t]} is not in the table`);
        tokens.push(token);
        valueEnd.push(valueEnds[t++]!);
      }
      const lineValues: string[] = [];
      for (let k = valueCounts[i]!; k > 0; k--) lineValues.push(values[v++]!);
      out.push({ tokens, values: lineValues, valueEnd });
    }
    if (t !== ids.length || v !== values.length) throw new Error('token batch: counts do not add up');
    return out;
  }
}
