// The scoring model's lookup structures, rebuilt identically from a snapshot
// after training and after loading, and the per-shape analysis: everything
// about a line that depends only on its masked tokens (template, words,
// failure terms, novelty). Values in slots are judged per line in detector.ts.

import type { Reason } from './types.js';
import { TemplateMiner } from './miner.js';
import { isBracketedLevel, isLevel } from './header.js';
import { compileMasks, WILDCARD, type CompiledMasks, type Tokenized } from './mask.js';
import { SlotTable } from './slots.js';
import { keyedTable, type KeyedView } from './keyed-slots.js';
import { matchesExactly, slotValue } from './layout.js';
import { Idf, wordVector, hashedVector, fnv1a, type WordVector } from './features.js';
import { NearestIndex, clusterDistance } from './clusters.js';
import {
  HEADER_TOKENS, STACK_FRAME, dedupe, isStackFrame, lineFailureTerms, orderedWords, wordsOfTokens, type FailureTerm,
} from './vocabulary.js';
import { RARE_COUNT, ERROR_EXTRA, ERROR_WEIGHT, combineMax, errorWeight, novelty } from './evidence.js';
import { addedFieldPositions, fieldFamiliarityKeys, movedClosers, pairCount, pairKey, pairKeysOf, recordOf, withTokens } from './added-fields.js';
import { Calibration, type TemplateSample } from './calibration.js';
import { lowerBound } from './sorted.js';
import { PieceVocabulary, piecesOfTokens } from './pieces.js';
import { noneCheck, type NoneCheck } from './zero-counts.js';
import type { ModelData, TemplateRecord } from './snapshot.js';

/**
 * Leave-one-out failure evidence at or above which a training template is a
 * suspected anomaly (well above what routine errors keep as their floor).
 */
const SUSPECT = 0.5 * ERROR_WEIGHT;
/**
 * Cosine similarity (IDF-weighted words) from which a known template is "similar" to a new line:
 * the new line inherits part of its routine, and is shown with it.
 */
export const SIMILAR_WORDS = 0.5;
/**
 * Similarity from which a new line's quoted texts inherit routine from the nearest template
 * (Shape.near): lower than SIMILAR_WORDS, as a structured record given one more field has few
 * words, each of them weighing much (`call finished ... region=` is 0.44 like its template).
 */
const SIMILAR_TEXTS = 0.3;
/** The context of templates without one (shared: most templates have none). */
const NO_CONTEXT: readonly number[] = Object.freeze([]);

export interface TemplateView {
  readonly index: number;
  readonly id: number;
  /** Masked tokens, `<*>` at variable positions. */
  readonly tokens: readonly string[];
  readonly count: number;
  /** Burst-dampened count (TemplateRecord.effective). */
  readonly effective: number;
  /** Templates whose lines its lines follow in a known sequence (sequence.ts keptContext). */
  readonly context: readonly number[];
  /** How routine its failure terms are (see `routine`). */
  readonly routine: number;
  /** Separate occasions it was written on (TemplateRecord.episodes). */
  readonly episodes: number;
  /** Its largest recent count of lines in training (TemplateRecord.burst); -1 when the model does not say. */
  readonly burst: number;
  /** Its largest count over the longer horizon in training (TemplateRecord.rate); -1 when the model does not say. */
  readonly rate: number;
  /** The key its recent count is remembered by after training (detector.ts, familiarity.ts observeRun). */
  readonly burstKey: number;
  readonly idText: string;
  readonly text: string;
  /** The template's distinct words: ids at wordStart .. wordEnd - 1 of the model's word list. */
  readonly wordStart: number;
  readonly wordEnd: number;
  /** The template's slots: indexes slotStart .. slotEnd - 1 of the model's SlotTable. */
  readonly slotStart: number;
  readonly slotEnd: number;
  /** The template is a stack-trace frame. */
  readonly frame: boolean;
  /** Its quantities per key (keyed-slots.ts), in the model's keyedSlots; undefined when none. */
  readonly keyed: KeyedView | undefined;
}

/** Everything about a line that its masked tokens determine (built by shapeOf: every field present, in one order). */
export interface Shape {
  readonly known: TemplateView | null;
  readonly templateText: string;
  readonly templateId: string;
  /** Rarity / novelty part of the evidence (nats), measured on the host. */
  readonly benign: number;
  /** Failure vocabulary part; a line adjusts it by its own values (detector.ts lineErrors). */
  readonly errors: number;
  /** The failure terms behind `errors` with their weights (absent when none), for per-line adjustments. */
  readonly terms: ReadonlyArray<{ readonly term: string; readonly weight: number }> | undefined;
  /** The one-word terms among them: those a line can count as none (zero-counts.ts). */
  readonly termWords: ReadonlySet<string> | undefined;
  /** The line is a stack-trace frame (its failure terms hold STACK_FRAME). */
  readonly frame: boolean;
  /** Where a line of the shape may count them as none (absent when nowhere). */
  readonly none: NoneCheck | undefined;
  /** For a new line: what its novelty was made of. */
  readonly novelty: { words: number; unseen: number; foreign: number; similarity: number; cluster: number; nats: number } | undefined;
  /** For a new line: the hash of its constant words, under which familiarity.ts remembers it. */
  readonly familiarKey: number | undefined;
  /**
   * For a new line: the known template most like it, when similar (SIMILAR_TEXTS), from which the
   * failure words of its quoted texts inherit routine as its own words do (detector.ts).
   */
  readonly near: { readonly template: TemplateView; readonly similarity: number } | undefined;
  /**
   * For a known record given fields of names the host never wrote (added-fields.ts): their
   * positions, which the line's values are judged without, and the keys under which familiarity.ts
   * remembers them (detector.ts).
   */
  readonly added: { readonly at: readonly number[]; readonly moved: ReadonlyArray<[number, string]>; readonly familiarKeys: readonly number[] } | undefined;
  readonly reasons: readonly Reason[];
  /** The reasons its lines give, by whether they count failure words and an unusual value (detector.ts reasonsOf), made as first needed. */
  readonly reasonVariants: Array<readonly Reason[] | null>;
}

/**
 * How routine a template's failure terms are: its separate occasions, each
 * worth more the more lines it had, but only as the fourth root of its own
 * line count (50 copies in one burst are worth under 3 occasions, and do not
 * make the message's other occasions weigh more), and never more than the
 * count spread over the training period says.
 */
function routine(r: Pick<TemplateRecord, 'effective' | 'routine'>): number {
  return Math.min(r.effective, r.routine);
}

/** Words that are failure terms of a phrase or word term. */
function termWords(t: FailureTerm): string[] {
  return t.term.indexOf(' ') < 0 ? [t.term] : t.term.split(' ');
}

type Weighed = Pick<Shape, 'terms' | 'termWords' | 'none'>;
const UNWEIGHED: Weighed = { terms: undefined, termWords: undefined, none: undefined };

/** A shape's failure terms with their weights (Shape.terms and termWords). */
function weighed(terms: readonly FailureTerm[], weights: readonly number[], tok: Tokenized): Weighed {
  if (terms.length === 0) return UNWEIGHED;
  const words = new Set<string>();
  for (const t of terms) if (t.term.indexOf(' ') < 0) words.add(t.term);
  const none = words.size === 0 ? null : noneCheck(tok, words);
  return { terms: terms.map((t, k) => ({ term: t.term, weight: weights[k]! })), termWords: words, none: none ?? undefined };
}

/**
 * Every shape is built here, with all its fields in one order, absent ones undefined: the scorer
 * reads shapes of every kind (known or new, with failure terms or not) at one place, and objects
 * of seven layouts made V8 recompile it again and again as each one turned up (about 375 ms of
 * compiling in a pool's run of 300,000 lines) and then read them the slow, generic way.
 */
function shapeOf(
  known: TemplateView | null,
  templateText: string,
  templateId: string,
  benign: number,
  errors: number,
  w: Weighed,
  reasons: readonly Reason[],
  novelty: Shape['novelty'],
  familiarKey: number | undefined,
  near?: Shape['near'],
  added?: Shape['added'],
): Shape {
  const frame = w.terms !== undefined && w.terms.some((t) => t.term === STACK_FRAME);
  return { known, templateText, templateId, benign, errors, terms: w.terms, termWords: w.termWords, frame, none: w.none, novelty, familiarKey, near, added, reasons, reasonVariants: [null, null, null, null, null, null, null, null] };
}

/** Templates holding a word, by word id (words with ids from `words` on are not in any). */
class DocumentFrequency {
  constructor(
    private readonly ids: ReadonlyMap<string, number>,
    private readonly words: number,
    private readonly df: Int32Array,
  ) {}

  get(word: string): number | undefined {
    const id = this.ids.get(word);
    return id !== undefined && id < this.words ? this.df[id] : undefined;
  }
}

/**
 * An empty or blank line: nothing in it to judge (HeaderWarmup drops them from training), so it scores 0,
 * with no template and no reason.
 */
const BLANK: Shape = shapeOf(null, '', 'blank', 0, 0, UNWEIGHED, [], undefined, undefined);

/**
 * A template the miner matched a new line to, with the line's own words where they differ from its
 * constants: a `503 Service Unavailable` matched to the template of `304 Not Modified` (the status
 * phrase is one of the template's enumerated words) is shown with its own phrase.
 */
function partialText(t: TemplateView, tokens: readonly string[]): string {
  if (t.tokens.length !== tokens.length) return t.text;
  let text = '';
  for (let k = 0; k < tokens.length; k++) {
    const own = t.tokens[k] === WILDCARD ? WILDCARD : tokens[k]!;
    text += k === 0 ? own : ' ' + own;
  }
  return text;
}

function sameTokens(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let k = 0; k < a.length; k++) if (a[k] !== b[k]) return false;
  return true;
}

export class ModelCore {
  readonly masks: CompiledMasks;
  readonly miner: TemplateMiner;
  readonly templates: TemplateView[];
  readonly slots: SlotTable;
  /** The templates' quantities per key (keyed-slots.ts; TemplateView.keyed). */
  readonly keyedSlots: SlotTable;
  /** Template ids, ascending, and the index of each one's template (as a Map from id, without its cost). */
  private readonly ids: Float64Array;
  private readonly idIndex: Int32Array;
  /**
   * Every word the host wrote, by id: words of templates first (0 .. templateWords - 1,
   * in order of first appearance), then words seen only in slots.
   */
  private readonly wordIds = new Map<string, number>();
  private readonly templateWords: number;
  /** Templates holding each template word. */
  private readonly df: Int32Array;
  /** The word ids of every template, template after template (TemplateView.wordStart). */
  private readonly words: Int32Array;
  private readonly idf: Idf;
  private readonly index: NearestIndex;
  private readonly pieces: PieceVocabulary;
  readonly calibration: Calibration;
  private readonly clusters: ModelData['clusters'];
  /** The host's header token at each position (miner.setHeader); empty when it has none. */
  private readonly header: Array<string | undefined> = [];
  /** Names of the `key=value` fields the host's templates hold (added-fields.ts). */
  private readonly fieldNames = new Set<string>();

  constructor(data: ModelData) {
    this.clusters = data.clusters;
    this.masks = compileMasks(data.options.extraMasks);
    this.miner = TemplateMiner.fromJSON(data.miner, true);
    for (const [p, tok] of this.miner.headerTokens()) this.header[p] = tok;
    const wordLists = data.templates.map((r) => wordsOfTokens(r.tokens));
    const ids = this.wordIds;
    const df: number[] = [];
    let total = 0;
    for (const r of data.templates) pairKeysOf(r.tokens, this.fieldNames);
    for (const ws of wordLists) {
      total += ws.length;
      for (const w of ws) {
        const id = ids.get(w);
        if (id === undefined) {
          ids.set(w, df.length);
          df.push(1);
        } else df[id]!++;
      }
    }
    const templateWords = (this.templateWords = df.length);
    this.df = Int32Array.from(df);
    for (const w of data.slotWords) if (!ids.has(w)) ids.set(w, ids.size);
    this.idf = new Idf(new DocumentFrequency(ids, templateWords, this.df), data.templates.length);
    const vectors = wordLists.map((ws) => wordVector(ws, this.idf));
    this.words = new Int32Array(total);
    this.slots = new SlotTable(
      data.templates.map((r) => r.slots),
      data.templates.map((r) => r.tokens),
    );
    const keyed = keyedTable(data.templates);
    this.keyedSlots = keyed.table;
    let slotStart = 0;
    let wordStart = 0;
    this.templates = data.templates.map((rec, index) => {
      const start = wordStart;
      for (const w of wordLists[index]!) this.words[wordStart++] = ids.get(w)!;
      // The miner holds the same tokens for most templates: keep one copy.
      const shared = this.miner.constantTokens(rec.id);
      const view: TemplateView = {
        index,
        id: rec.id,
        tokens: shared !== undefined && sameTokens(shared, rec.tokens) ? shared : rec.tokens,
        count: rec.count,
        effective: rec.effective,
        context: rec.context ?? NO_CONTEXT,
        routine: routine(rec),
        episodes: rec.episodes,
        burst: rec.burst ?? -1,
        rate: rec.rate ?? -1,
        burstKey: fnv1a(`burst\u0001${rec.id}`),
        idText: String(rec.id),
        text: rec.tokens.join(' '),
        wordStart: start,
        wordEnd: wordStart,
        slotStart,
        slotEnd: (slotStart += rec.slots.length),
        frame: rec.frame === true || isStackFrame(rec.tokens),
        keyed: keyed.views[index],
      };
      return view;
    });
    // The last template with an id wins, as in a Map filled in order.
    const order = this.templates.map((t) => t.index).sort((a, b) => this.templates[a]!.id - this.templates[b]!.id || b - a);
    const unique = order.filter((i, k) => k === 0 || this.templates[i]!.id !== this.templates[order[k - 1]!]!.id);
    this.ids = Float64Array.from(unique, (i) => this.templates[i]!.id);
    this.idIndex = Int32Array.from(unique);
    this.index = new NearestIndex(ids, templateWords, vectors);
    const pieceLists = this.templates.map((t) => piecesOfTokens(t.tokens));
    this.pieces = new PieceVocabulary(pieceLists, data.slotWords);
    this.calibration = new Calibration(this.leaveOneOut(wordLists, vectors, pieceLists));
  }

  /**
   * The line's tokens without its header: the host's header tokens where it holds them
   * (miner.setHeader), and on a host with a header, a level word (upper-case, capitalized or
   * bracketed, as headers write them) among its first tokens. That is what a new message is made
   * of. Every line shares its header's host and program names, so counted with them another
   * system's line written through this host's logger (`<*> LabSZ sshd[<*>]: Got assigned task
   * <*>`) looked half made of the host's own pieces; and a level is judged as a level
   * (vocabulary.ts), not as a word of the message.
   */
  private messageTokens(tokens: readonly string[]): readonly string[] {
    if (this.header.length === 0) return tokens;
    const end = Math.min(tokens.length, Math.max(this.header.length, HEADER_TOKENS));
    let k = 0;
    while (k < end && !this.inHeader(tokens[k]!, k)) k++;
    if (k === end) return tokens;
    return tokens.filter((tok, p) => p >= end || !this.inHeader(tok, p));
  }

  private inHeader(tok: string, p: number): boolean {
    if (this.header[p] === tok) return true;
    if (p >= HEADER_TOKENS) return false;
    // `INFO`, `Info`, `[info]`, `[core:error]`, `ERR`; not `info` or `error` in the wording of a line.
    // header.ts's level words, wider than declaredLevel's (`err`), and no `INFO:` (Python's glues
    // the logger's name to it).
    if (tok.charCodeAt(0) === 91 && tok.charCodeAt(tok.length - 1) === 93) return tok.length <= 40 && isBracketedLevel(tok.slice(1, -1));
    return tok.length <= 9 && tok.charCodeAt(0) <= 90 && isLevel(tok);
  }

  private byId(id: number): TemplateView | undefined {
    const ids = this.ids;
    const lo = lowerBound(ids, id);
    return lo < ids.length && ids[lo] === id ? this.templates[this.idIndex[lo]!] : undefined;
  }

  /** Whether every one of the words is a word of the template. */
  private hasWords(t: TemplateView, ws: readonly string[]): boolean {
    for (const w of ws) {
      const id = this.wordIds.get(w);
      if (id === undefined) return false;
      let k = t.wordStart;
      while (k < t.wordEnd && this.words[k] !== id) k++;
      if (k === t.wordEnd) return false;
    }
    return true;
  }

  /** Analyses a line by its masked tokens. */
  analyse(tok: Tokenized, key: string): Shape {
    if (tok.tokens.length === 0) return BLANK;
    const id = this.miner.matchId(tok);
    const matched = id < 0 ? undefined : this.byId(id);
    const words = orderedWords(tok.tokens);
    const terms = lineFailureTerms(tok.tokens);
    if (matched !== undefined && matchesExactly(matched.tokens, tok.tokens)) {
      return this.knownShape(matched, tok, terms);
    }
    const distinct = dedupe(words);
    // Variants of one new message differ in values, not in words; a line without words is its tokens.
    const familiarKey = fnv1a(distinct.length > 0 ? distinct.join(' ') : key);
    const message = this.messageTokens(tok.tokens);
    const foreign = this.pieces.unseenShare(piecesOfTokens(message));
    const own = message === tok.tokens ? distinct : dedupe(orderedWords(message));
    const fresh = this.newShape(own, foreign, terms, matched ?? null, key, familiarKey, tok);
    return this.withAddedFields(tok, fresh, terms) ?? fresh;
  }

  /**
   * A new line that is a known record given fields of names the host never wrote (added-fields.ts):
   * as new as `fresh` says (a field that keeps coming back fades as a new message does, in the
   * detector), but its failure words as routine as in that record, and its values judged by that
   * record's slots. Null when the line is not one: the record must have fields (two at least), and
   * no more new ones than it has.
   */
  private withAddedFields(tok: Tokenized, fresh: Shape, lineTerms: FailureTerm[]): Shape | null {
    const added = addedFieldPositions(tok.tokens, this.fieldNames);
    if (added === null) return null;
    const moved = movedClosers(tok.tokens, added);
    const rest = recordOf(tok, added, moved, this.miner.headerField());
    if (rest === null) return null;
    const id = this.miner.matchId(rest);
    const t = id < 0 ? undefined : this.byId(id);
    if (t === undefined || !matchesExactly(t.tokens, rest.tokens)) return null;
    const fields = pairCount(t.tokens);
    if (fields < 2 || added.length > fields) return null;
    // The new fields' names are read as the old path read them (`"oom_killed":true`), and a zero or
    // none as their value is none (`"errors":0`): the checks run on the whole line. Read on their
    // own too (behind the line's first tokens, for its level): a wide record's words are cut at
    // MAX_WORDS, and fields appended to it were not read at all.
    const names = added.map((p) => tok.tokens[p]!);
    let terms = lineTerms;
    for (const x of lineFailureTerms([...tok.tokens.slice(0, HEADER_TOKENS), ...names])) if (!terms.some((y) => y.term === x.term)) terms = [...terms, x];
    const weights = terms.map((term) => errorWeight(term.severity, this.routineInTemplate(t, rest, term)));
    const reasons: Reason[] = ['new_fields'];
    if (fresh.reasons.includes('unseen_tokens') || wordsOfTokens(names).some((w) => !this.wordIds.has(w))) reasons.push('unseen_tokens');
    if (terms.length > 0) reasons.push('error_terms');
    const text = withTokens(t.tokens, tok.tokens, added, moved).join(' ');
    const idText = `${t.idText}+${fnv1a(added.map((p) => pairKey(tok.tokens[p]!)!).join(' ')).toString(16).padStart(8, '0')}`;
    return shapeOf(t, text, idText, fresh.benign, combineMax(weights, ERROR_EXTRA), weighed(terms, weights, tok), reasons, fresh.novelty, fresh.familiarKey, { template: t, similarity: 1 }, { at: added, moved, familiarKeys: fieldFamiliarityKeys(tok.tokens, added) });
  }

  private knownShape(t: TemplateView, tok: Tokenized, terms: FailureTerm[]): Shape {
    const e = t.effective;
    const weights = terms.map((term) => errorWeight(term.severity, this.routineInTemplate(t, tok, term)));
    const benign = this.calibration.rarity(e);
    const errors = combineMax(weights, ERROR_EXTRA);
    const reasons: Reason[] = [];
    // Rare only as rare as every other template (a host that wrote one message) is no evidence.
    if (e <= RARE_COUNT && benign > 0) reasons.push('rare_template');
    if (terms.length > 0) reasons.push('error_terms');
    return shapeOf(t, t.text, t.idText, benign, errors, weighed(terms, weights, tok), reasons, undefined, undefined);
  }

  /**
   * How often the host wrote this failure term in this template: every line
   * of the template when it is a constant word; for a word in a slot, the
   * lines where the slot held that value (free-form slots count half).
   */
  private routineInTemplate(t: TemplateView, tok: Tokenized, term: FailureTerm): number {
    const e = t.routine;
    if (term.term === STACK_FRAME) return t.frame ? this.frameRoutine(t, tok) : 0;
    const ws = termWords(term);
    if (this.hasWords(t, ws)) return e;
    const perLine = e / Math.max(1, t.count);
    let best = 0;
    const slots = this.slots;
    for (let s = t.slotStart; s < t.slotEnd; s++) {
      if (slots.vi[s]! >= 0) continue;
      const raw = tok.tokens[slots.pos[s]!];
      if (raw === undefined || !ws.some((w) => raw.toLowerCase().indexOf(w) >= 0)) continue;
      const r = slots.freeForm(s) ? e / 2 : slots.countOf(s, raw) * perLine;
      if (r > best) best = r;
    }
    return best;
  }

  /**
   * How routine a frame is in its template: the whole template's routine when the frame is its
   * own; where frames of many methods merged (`at <*>`), as many of its occasions as its slot held
   * this frame's value (`HikariPool.java:696`, a line number, a kernel symbol's offset), each
   * trace one. Else every frame of every routine trace made the first frame of a new one routine.
   */
  private frameRoutine(t: TemplateView, tok: Tokenized): number {
    const e = t.routine;
    const episodes = Math.max(1, t.episodes);
    const slots = this.slots;
    let best = -1;
    for (let s = t.slotStart; s < t.slotEnd; s++) {
      if (slots.vi[s]! >= 0) continue;
      const v = slotValue(tok, { pos: slots.pos[s]!, vi: -1 });
      if (v === null) continue;
      const r = slots.freeForm(s) ? e / 2 : (Math.min(slots.countOf(s, v), episodes) * e) / episodes;
      if (r > best) best = r;
    }
    return best < 0 ? e : best;
  }

  private newShape(
    words: string[],
    foreign: number,
    terms: FailureTerm[],
    partial: TemplateView | null,
    key: string,
    familiarKey: number,
    tok: Tokenized,
  ): Shape {
    let unseen = 0;
    for (const w of words) if (!this.wordIds.has(w)) unseen++;
    const vec = wordVector(words, this.idf);
    const near = this.index.nearest(vec);
    const nearT = near.index >= 0 ? this.templates[near.index]! : null;
    const cdist = words.length === 0 ? 0 : clusterDistance(this.clusters, hashedVector(vec));
    // A no-word line (numbers only) is as similar as a line can be to nothing in particular.
    const similarity = words.length === 0 ? 1 : near.similarity;
    const weights = terms.map((term) => errorWeight(term.severity, this.routineNear(nearT, near.similarity, term)));
    const nov = novelty(unseen, similarity, cdist, foreign);
    const benign = this.calibration.newMessage(nov);
    const errors = combineMax(weights, ERROR_EXTRA);
    const reasons: Reason[] = ['new_template'];
    if (unseen > 0) reasons.push('unseen_tokens');
    if (terms.length > 0) reasons.push('error_terms');
    // A known template is shown only when it is similar (SIMILAR_WORDS): on syslog lines every
    // template shares the header's words, and "nearest" would otherwise name one that merely shares
    // the host and program (`ticket TKT-123 opened` as `session opened for user ...`). Otherwise
    // the line's own masked form says more (and is empty for an empty line).
    const display = partial ?? (near.similarity >= SIMILAR_WORDS ? nearT : null);
    return shapeOf(
      null,
      display === null ? tok.tokens.join(' ') : display === partial ? partialText(partial, tok.tokens) : display.text,
      `new-${fnv1a(key).toString(16).padStart(8, '0')}`,
      benign,
      errors,
      weighed(terms, weights, tok),
      reasons,
      { words: words.length, unseen, foreign, similarity, cluster: cdist, nats: nov },
      familiarKey,
      nearT !== null && near.similarity >= SIMILAR_TEXTS ? { template: nearT, similarity: near.similarity } : undefined,
    );
  }

  /** A new variant of a routine error message (same term, similar words) inherits part of its routine. */
  private routineNear(t: TemplateView | null, similarity: number, term: FailureTerm): number {
    if (t === null || similarity < SIMILAR_WORDS) return 0;
    if (term.term === STACK_FRAME) return t.frame ? t.routine * similarity * similarity : 0;
    return this.hasWords(t, termWords(term)) ? t.routine * similarity * similarity : 0;
  }

  /**
   * What each training template would have looked like had one of its lines
   * been held out: for calibration. A template seen once is analysed as a new
   * message (its words unseen if no other template has them, nearest template
   * among the others); failure terms count with one occurrence less.
   */
  private leaveOneOut(
    wordLists: readonly (readonly string[])[],
    vectors: readonly WordVector[],
    pieceLists: readonly (readonly string[])[],
  ): TemplateSample[] {
    return this.templates.map((t) => {
      const words = wordLists[t.index]!;
      const vector = vectors[t.index]!;
      const { count, effective } = t;
      const terms = lineFailureTerms(t.tokens);
      if (count >= 2) {
        const e = (t.routine * (count - 1)) / count;
        const err = combineMax(terms.map((term) => errorWeight(term.severity, e)), ERROR_EXTRA);
        return { count, effective, suspect: err >= SUSPECT, novelty: 0, own: 1 };
      }
      let unseen = 0;
      for (const w of words) if (this.df[this.wordIds.get(w)!] === 1) unseen++;
      const near = this.index.nearest(vector, t.index);
      const nearT = near.index >= 0 ? this.templates[near.index]! : null;
      const cdist = words.length === 0 ? 0 : clusterDistance(this.clusters, hashedVector(vector));
      const similarity = words.length === 0 ? 1 : near.similarity;
      const err = combineMax(terms.map((term) => errorWeight(term.severity, this.routineNear(nearT, near.similarity, term))), ERROR_EXTRA);
      const message = this.messageTokens(t.tokens);
      const foreign = this.pieces.unseenShare(message === t.tokens ? pieceLists[t.index]! : piecesOfTokens(message), 1);
      // A once-seen message made of pieces the host wrote nowhere else may be a line of another
      // system hidden in the training data: it counts among the host's own new messages only for
      // the share of its pieces the host did write, so a few such lines cannot teach the host that
      // foreign lines are its routine (contaminated training data).
      return { count, effective, suspect: err >= SUSPECT, novelty: novelty(unseen, similarity, cdist, foreign), own: 1 - foreign };
    });
  }
}
