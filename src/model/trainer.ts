// Streaming training: every line goes through the miner and updates constant-
// size statistics of its template (count, spread over the training period,
// slot values). Memory is bounded by the template cap, never by line count.

import type { ModelOptions } from './types.js';
import { HostModel } from './detector.js';
import { TemplateMiner } from './miner.js';
import { compileMasks, WILDCARD, type Tokenized } from './mask.js';
import { HeaderWarmup } from './header.js';
import { SlotAccumulator } from './slots.js';
import { KeyedAccumulator } from './keyed-slots.js';
import { slotLayout, slotKey, slotValue, type Slot } from './layout.js';
import { wordsOfToken } from './vocabulary.js';
import { wordVector, hashedVector, Idf } from './features.js';
import { buildClusters } from './cluster-building.js';
import { RATE_DECAY, absorbOccasions, decayedCount, recentCount, noteOccasion, occasionGap, occasionsWeight, type TimedOccasions } from './occasions.js';
import { MODEL_FORMAT, MODEL_FORMAT_VERSION, type ModelData, type ResolvedOptions, type TemplateRecord } from './snapshot.js';
import { isQuotedText, isStackFrame, lineFailureTerms, textFailureTerms, wordsOfTokens } from './vocabulary.js';
import { PredecessorCounter, addPairs, keptContext } from './sequence.js';

export const DEFAULT_MAX_TEMPLATES = 5000;
export const DEFAULT_SEED = 42;

/**
 * The training period is cut into SEGMENTS equal stretches of lines (the
 * stretch doubles as lines arrive, so no total is needed in advance). A
 * template's effective count is the number of independent, randomly spread
 * occurrences that would touch as many segments as it did: a burst of 50
 * identical lines in one stretch is worth about one occurrence, a message
 * written 50 times across the period is worth about 50.
 */
const SEGMENTS = 128;
/** The quantities per key of a template of fewer than two slots: none (shared; it keeps nothing). */
const NO_KEYED = new KeyedAccumulator(0);

/** A record's quantities per key, when it has any worth keeping (keyed-slots.ts). */
function keyedOf(k: KeyedAccumulator): Pick<TemplateRecord, 'keyed'> {
  const keyed = k.freeze();
  return keyed === undefined ? {} : { keyed };
}

interface TemplateState extends TimedOccasions {
  id: number;
  key: string;
  tokens: readonly string[];
  count: number;
  bits: Uint32Array;
  /** Number of separate occasions so far (their weights are the Occasions fields). */
  episodes: number;
  /** Its recent count of lines (occasions.ts recentCount), where its last line was, and its largest recent count. */
  recent: number;
  recentAt: number;
  densest: number;
  /** The same over the longer horizon (occasions.ts recentCount at RATE_DECAY), and its largest. */
  rate: number;
  highestRate: number;
  /** Predecessors (sequence.ts): [template id, lines of this template it preceded] pairs, flat. */
  pred: number[];
  /**
   * Its words include failure terms: only such templates use a sequence context when scored, so
   * only theirs is counted (counting every template's cost a quarter of the training speed).
   */
  failure: boolean;
  /** Its lines that were stack-trace frames: frames of many methods merge into one template (`at <*>`) whose tokens no longer say so. */
  frames: number;
  /**
   * Whether its tokens are a frame's, and where they are `<*>`: a line of it differs from them only
   * there (the miner's merged positions), so a line with `<*>` there too (a masked value) is a frame
   * as its template is, and asking each line was the same question (4% of training). A line with a
   * word there (its template was made where the group had already merged that position) is asked.
   */
  frameShape: boolean;
  frameWild: number[];
  slots: Array<{ slot: Slot; acc: SlotAccumulator }>;
  /** Its quantities per key (keyed-slots.ts), for the slots laid out now. */
  keyed: KeyedAccumulator;
}

/** TemplateState.frameShape and frameWild for a template's tokens: whether they are a frame's, and where they are `<*>`. */
function noteFrameShape(st: Pick<TemplateState, 'frameShape' | 'frameWild'>, tokens: readonly string[]): void {
  st.frameShape = isStackFrame(tokens);
  const wild: number[] = [];
  for (let k = 0; k < tokens.length; k++) if (tokens[k] === WILDCARD) wild.push(k);
  st.frameWild = wild;
}

export function resolveOptions(options: ModelOptions | undefined): ResolvedOptions {
  if (options === undefined || options === null) options = {};
  if (typeof options !== 'object' || Array.isArray(options)) throw new Error('model options must be an object');
  for (const k of Object.keys(options)) {
    if (k !== 'extraMasks' && k !== 'maxTemplates' && k !== 'seed') throw new Error(`unknown model option "${k}"`);
  }
  const { extraMasks = [], maxTemplates = DEFAULT_MAX_TEMPLATES, seed = DEFAULT_SEED } = options;
  if (!Array.isArray(extraMasks)) throw new Error('model option extraMasks must be an array');
  compileMasks(extraMasks); // throws naming the bad rule
  if (typeof maxTemplates !== 'number' || !Number.isInteger(maxTemplates) || maxTemplates < 1 || maxTemplates > 1_000_000) {
    throw new Error(`model option maxTemplates must be an integer in [1, 1000000], got ${String(maxTemplates)}`);
  }
  if (typeof seed !== 'number' || !Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new Error(`model option seed must be an integer in [0, 4294967295], got ${String(seed)}`);
  }
  return { extraMasks: extraMasks.map((m) => ({ ...m })), maxTemplates, seed };
}

/** Inverse of the occupancy law: k of m segments occupied <- about -m ln(1 - k/m) random lines. */
function spreadCount(k: number, m: number): number {
  return k >= m ? Infinity : -m * Math.log(1 - k / m);
}

function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (((x + (x >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

/** Pairs of adjacent segment bits merged into one (the segment length doubled). */
function fold(bits: Uint32Array): void {
  const out = new Uint32Array(bits.length);
  for (let j = 0; j < SEGMENTS / 2; j++) {
    const a = (bits[(2 * j) >>> 5]! >>> ((2 * j) & 31)) & 1;
    const b = (bits[(2 * j + 1) >>> 5]! >>> ((2 * j + 1) & 31)) & 1;
    if (a | b) out[j >>> 5]! |= 1 << (j & 31);
  }
  bits.set(out);
}

export class Trainer {
  readonly options: ResolvedOptions;
  private readonly miner: TemplateMiner;
  /** The first lines wait until the host's header is known (header.ts). */
  private readonly warmup: HeaderWarmup;
  private readonly states = new Map<number, TemplateState>();
  private n = 0;
  private segmentLength = 1;
  /** Sequence context (sequence.ts). */
  private readonly predecessors: PredecessorCounter;
  /** Template absorbed by a more general one -> that one (absorbMerged), to resolve context ids. */
  private readonly absorbedInto = new Map<number, number>();
  /** One line's slot values, by slot (learn: reused for every line, as long as the template's slots). */
  private readonly lineValues: Array<string | null> = [];
  private finished = false;

  /** `newestFirst`: the lines come newest first (the daemon's training window), for sequence context. */
  constructor(options?: ModelOptions, newestFirst = false) {
    this.options = resolveOptions(options);
    this.predecessors = new PredecessorCounter(newestFirst);
    this.miner = new TemplateMiner({ extraMasks: this.options.extraMasks, maxTemplates: this.options.maxTemplates });
    this.warmup = new HeaderWarmup(this.miner, (_, tok) => this.learn(tok));
  }

  get lines(): number {
    return this.n + this.warmup.held;
  }

  /** `masked`: the line as the miner's masks tokenize it, when that was done elsewhere (miner.fromMasked). */
  add(message: string, masked?: Tokenized): void {
    if (this.finished) throw new Error('ModelTrainer.add() after finish()');
    const text = typeof message === 'string' ? message : String(message ?? '');
    this.warmup.push(text, masked);
  }

  private learn(tok: Tokenized): void {
    const m = this.miner.addTokenized(tok);
    let st = this.states.get(m.id);
    if (st === undefined) {
      st = {
        id: m.id,
        key: m.template,
        tokens: m.tokens,
        count: 0,
        bits: new Uint32Array(SEGMENTS / 32),
        last: 0,
        start: 0,
        episodes: 0,
        recent: 0,
        recentAt: 0,
        densest: 0,
        rate: 0,
        highestRate: 0,
        pred: [],
        failure: lineFailureTerms(m.tokens).length > 0,
        frames: 0,
        frameShape: false,
        frameWild: [],
        run: 0,
        runLines: null,
        routine: 0,
        slots: [],
        keyed: NO_KEYED,
      };
      noteFrameShape(st, m.tokens);
      this.relayout(st, m.tokens, m.tokens);
      this.states.set(m.id, st);
      if (this.states.size > 2 * this.options.maxTemplates + 64) this.prune();
    } else if (st.key !== m.template) {
      this.relayout(st, st.tokens, m.tokens);
      st.key = m.template;
      st.tokens = m.tokens;
      st.failure = lineFailureTerms(m.tokens).length > 0;
      noteFrameShape(st, m.tokens);
      this.absorbMerged(st);
    }
    const line = this.miner.repeatKey(tok);
    const gap = occasionGap(this.n);
    // How densely it comes (bursts, detector.ts): a message with failure words is judged so, and a
    // rare one (which the trainer cannot tell yet: every message is counted).
    st.recent = recentCount(st.recent, st.recentAt, this.n);
    st.rate = recentCount(st.rate, st.recentAt, this.n, RATE_DECAY);
    st.recentAt = this.n;
    if (st.recent > st.densest) st.densest = st.recent;
    if (st.rate > st.highestRate) st.highestRate = st.rate;
    if (noteOccasion(st, this.n, line, gap)) {
      st.episodes++;
      st.start = this.n;
    }
    this.noteContext(st);
    st.count++;
    if (this.isFrame(st, tok.tokens)) st.frames++;
    let seg = Math.floor(this.n / this.segmentLength);
    if (seg >= SEGMENTS) {
      this.segmentLength *= 2;
      for (const s of this.states.values()) fold(s.bits);
      seg = Math.floor(this.n / this.segmentLength);
    }
    st.bits[seg >>> 5]! |= 1 << (seg & 31);
    if (tok.tokens.length === st.tokens.length) {
      // (Only a template still judged per key needs them: most never are.)
      const values = st.keyed.live ? this.lineValues : null;
      for (let i = 0; i < st.slots.length; i++) {
        const { slot, acc } = st.slots[i]!;
        const v = slotValue(tok, slot);
        if (values !== null) values[i] = v;
        if (v === null) continue;
        acc.add(v);
        acc.addSource(v, this.n);
        if (isQuotedText(tok.tokens[slot.pos]!, v)) {
          const terms = textFailureTerms(v);
          if (terms.length > 0) acc.addTerms(terms, this.n, line, gap);
        }
      }
      if (values !== null) st.keyed.add(values);
    }
    this.n++;
  }

  /** Whether a line of the template is a stack-trace frame (TemplateState.frameShape). */
  private isFrame(st: TemplateState, tokens: readonly string[]): boolean {
    const wild = st.frameWild;
    for (let i = 0; i < wild.length; i++) if (tokens[wild[i]!] !== WILDCARD) return isStackFrame(tokens);
    return st.frameShape;
  }

  /** Counts this line's place in sequences (its predecessors, or it as one: sequence.ts). */
  private noteContext(st: TemplateState): void {
    this.predecessors.add(st.id, (id) => {
      const s = this.states.get(id);
      return s?.failure ? s.pred : undefined;
    });
  }

  /**
   * A template generalized: positions that turned into `<*>` get a slot that
   * already knows the old constant value, seen on every earlier line.
   */
  private relayout(st: TemplateState, before: readonly string[], after: readonly string[]): void {
    const old = new Map(st.slots.map((s) => [slotKey(s.slot), s] as const));
    st.slots = slotLayout(after).map((slot) => {
      const kept = old.get(slotKey(slot));
      if (kept !== undefined) return kept;
      const acc = new SlotAccumulator();
      const prev = before[slot.pos];
      if (slot.vi < 0 && st.count > 0 && prev !== undefined && prev !== WILDCARD && prev.indexOf('<') < 0) acc.add(prev, st.count);
      return { slot, acc };
    });
    // Its key slots are others now: their statistics start afresh.
    st.keyed = st.slots.length > 1 ? new KeyedAccumulator(st.slots.length) : NO_KEYED;
  }

  /**
   * A template that generalized may have swallowed others (the miner merges
   * templates that differed only in a position that turned out variable):
   * their lines count for it, spread and values included.
   */
  private absorbMerged(st: TemplateState): void {
    for (const [id, o] of this.states) {
      if (o === st || o.tokens.length !== st.tokens.length || this.miner.count(id) !== 0) continue;
      let covered = true;
      for (let k = 0; k < st.tokens.length && covered; k++) covered = st.tokens[k] === WILDCARD || st.tokens[k] === o.tokens[k];
      if (!covered) continue;
      st.count += o.count;
      st.frames += o.frames;
      st.episodes += o.episodes - (absorbOccasions(st, o, occasionGap(this.n)) ? 1 : 0);
      // Their densities add up from now on; their densest moments may have coincided, and how
      // dense the one message was before is not known any more: at most the sum of theirs.
      st.recent = decayedCount(st.recent, st.recentAt, this.n) + decayedCount(o.recent, o.recentAt, this.n);
      st.rate = decayedCount(st.rate, st.recentAt, this.n, RATE_DECAY) + decayedCount(o.rate, o.recentAt, this.n, RATE_DECAY);
      st.recentAt = this.n;
      st.densest += o.densest;
      st.highestRate += o.highestRate;
      for (let i = 0; i < st.bits.length; i++) st.bits[i]! |= o.bits[i]!;
      addPairs(st.pred, o.pred);
      // Bounded like the templates: past that, older context ids just stop matching.
      if (this.absorbedInto.size >= 4 * this.options.maxTemplates) this.absorbedInto.clear();
      this.absorbedInto.set(id, st.id);
      for (const { slot, acc } of st.slots) {
        const prev = o.tokens[slot.pos];
        if (slot.vi < 0 && prev !== undefined && prev !== WILDCARD && prev.indexOf('<') < 0) acc.add(prev, o.count);
      }
      // Its keys' statistics lack the absorbed template's lines, which its own slots now hold.
      st.keyed.restart();
      this.states.delete(id);
    }
  }

  /** Drops statistics of templates the miner evicted. */
  private prune(): void {
    for (const id of [...this.states.keys()]) if (this.miner.count(id) === 0) this.states.delete(id);
  }

  /**
   * Occurrences worth of a template: the number of randomly spread lines that
   * would touch as many segments; never more than the count itself.
   */
  private effective(st: TemplateState, count: number): number {
    const used = Math.min(SEGMENTS, Math.floor((Math.max(1, this.n) - 1) / this.segmentLength) + 1);
    let k = 0;
    for (let i = 0; i < st.bits.length; i++) k += popcount(st.bits[i]!);
    return Math.round(Math.min(count, spreadCount(k, used)) * 1000) / 1000;
  }

  finish(): ModelData {
    if (this.finished) throw new Error('ModelTrainer.finish() called twice');
    this.warmup.flush();
    this.finished = true;
    const templates: TemplateRecord[] = [];
    const slotWords = new Set<string>();
    const countOf = new Map<number, number>();
    for (const t of this.miner.templates()) countOf.set(t.id, t.count);
    const finalId = (id: number): number => {
      // A chain of absorptions is at most as long as the map (the bound only guards against a cycle).
      for (let k = 0, next = this.absorbedInto.get(id); next !== undefined && k < this.absorbedInto.size; k++, next = this.absorbedInto.get(id)) id = next;
      return id;
    };
    for (const t of this.miner.templates()) {
      const st = this.states.get(t.id);
      if (st === undefined) continue;
      if (st.key !== t.template) {
        // Changed shape through another template of its group since its last line.
        const tokens = t.template.split(' ');
        if (tokens.length === st.tokens.length) {
          this.relayout(st, st.tokens, tokens);
          st.tokens = tokens;
        }
        st.key = t.template;
      }
      const count = t.count;
      templates.push({
        id: t.id,
        tokens: [...st.tokens],
        count,
        effective: this.effective(st, count),
        episodes: st.episodes,
        routine: Math.round(occasionsWeight(st) * 1000) / 1000,
        burst: Math.round(st.densest * 1000) / 1000,
        rate: Math.round(st.highestRate * 1000) / 1000,
        ...(st.frames * 2 > st.count ? { frame: true } : {}),
        context: keptContext(t.id, count, st.pred, finalId, (id) => countOf.get(id) ?? 0, this.n),
        slots: st.slots.map(({ slot, acc }) => {
          for (const v of acc.sample) {
            const ws: string[] = [];
            wordsOfToken(v, ws);
            for (const w of ws) slotWords.add(w);
          }
          return [slot.pos, slot.vi, acc.freeze()];
        }),
        ...keyedOf(st.keyed),
      });
    }
    const constWords = new Set<string>();
    const lists = templates.map((r) => wordsOfTokens(r.tokens));
    const df = new Map<string, number>();
    for (const ws of lists) for (const w of ws) {
      constWords.add(w);
      df.set(w, (df.get(w) ?? 0) + 1);
    }
    const idf = new Idf(df, templates.length);
    const vectors = lists.map((ws) => hashedVector(wordVector(ws, idf)));
    const clusters = buildClusters(vectors, this.options.seed);
    return {
      format: MODEL_FORMAT,
      version: MODEL_FORMAT_VERSION,
      options: this.options,
      trainedLines: this.n,
      miner: this.miner.toJSON(),
      templates,
      slotWords: [...slotWords].filter((w) => !constWords.has(w)).sort(),
      clusters,
    };
  }
}

/**
 * Trains one host's model: add() its lines, then finish() gives the HostModel. Its own module, not
 * the detector's: training pulls in k-means (cluster-building.ts), which a thread that only
 * scores never loads.
 */
export class ModelTrainer {
  private readonly trainer: Trainer;

  /**
   * `order`: how the lines come. Oldest first is a log file's order; the daemon reads a host's
   * training window newest first. Only sequence context depends on it.
   */
  constructor(options?: ModelOptions, order: 'oldest-first' | 'newest-first' = 'oldest-first') {
    this.trainer = new Trainer(options, order === 'newest-first');
  }

  /** `masked`: `tokenize(message, compileMasks(extraMasks))` done elsewhere (in another thread), or undefined. */
  add(message: string, masked?: Tokenized): void {
    this.trainer.add(message, masked);
  }

  get lines(): number {
    return this.trainer.lines;
  }

  finish(): HostModel {
    return new HostModel(this.trainer.finish());
  }
}
