// The scoring model's lookup structures, rebuilt identically from a snapshot
// after training and after loading, and the per-shape analysis: everything
// about a line that depends only on its masked tokens (template, words,
// failure terms, novelty). Values in slots are judged per line in detector.ts.

import type { Reason } from './types.js';
import { TemplateMiner } from './miner.js';
import { compileMasks, type CompiledMasks, type Tokenized } from './mask.js';
import { SlotView } from './slots.js';
import { matchesExactly, type Slot } from './layout.js';
import { Idf, wordVector, hashedVector, fnv1a, type WordVector } from './features.js';
import { NearestIndex, clusterDistance } from './clusters.js';
import { STACK_FRAME, dedupe, isStackFrame, lineFailureTerms, orderedWords, wordsOfTokens, type FailureTerm } from './vocabulary.js';
import { RARE_COUNT, ERROR_EXTRA, ERROR_WEIGHT, combineMax, errorWeight, novelty } from './evidence.js';
import { Calibration, type TemplateSample } from './calibration.js';
import type { ModelData, TemplateRecord } from './snapshot.js';

/**
 * Leave-one-out failure evidence at or above which a training template is a
 * suspected anomaly (well above what routine errors keep as their floor).
 */
const SUSPECT = 0.5 * ERROR_WEIGHT;

export interface TemplateView {
  readonly rec: TemplateRecord;
  readonly index: number;
  readonly idText: string;
  readonly text: string;
  readonly words: readonly string[];
  readonly wordSet: ReadonlySet<string>;
  readonly vector: WordVector;
  readonly slots: ReadonlyArray<{ slot: Slot; view: SlotView }>;
  /** The template is a stack-trace frame. */
  readonly frame: boolean;
}

/** Everything about a line that its masked tokens determine. */
export interface Shape {
  readonly known: TemplateView | null;
  readonly templateText: string;
  readonly templateId: string;
  /** Evidence (nats) before slot values are looked at: benign + errors. */
  readonly base: number;
  /** Rarity / novelty part, measured on the host. */
  readonly benign: number;
  /** Failure vocabulary part. */
  readonly errors: number;
  /** For a new line: what its novelty was made of. */
  readonly novelty?: { words: number; unseen: number; similarity: number; cluster: number; nats: number };
  readonly reasons: readonly Reason[];
}

/**
 * How routine a template's failure terms are: its separate occasions, each
 * worth more the more lines it had, but only as the fourth root of its own
 * line count (50 copies in one burst are worth under 3 occasions, and do not
 * make the message's other occasions weigh more), and never more than the
 * count spread over the training period says.
 */
function routine(r: TemplateRecord): number {
  return Math.min(r.effective, r.routine);
}

/** Words that are failure terms of a phrase or word term. */
function termWords(t: FailureTerm): string[] {
  return t.term.indexOf(' ') < 0 ? [t.term] : t.term.split(' ');
}

export class ModelCore {
  readonly masks: CompiledMasks;
  readonly miner: TemplateMiner;
  readonly templates: TemplateView[];
  private readonly byId = new Map<number, TemplateView>();
  private readonly vocabulary: Set<string>;
  private readonly df = new Map<string, number>();
  private readonly idf: Idf;
  private readonly index: NearestIndex;
  readonly calibration: Calibration;
  private readonly clusters: ModelData['clusters'];

  constructor(data: ModelData) {
    this.clusters = data.clusters;
    this.masks = compileMasks(data.options.extraMasks);
    this.miner = TemplateMiner.fromJSON(data.miner);
    const wordLists = data.templates.map((r) => wordsOfTokens(r.tokens));
    for (const ws of wordLists) for (const w of ws) this.df.set(w, (this.df.get(w) ?? 0) + 1);
    this.idf = new Idf(this.df, data.templates.length);
    this.vocabulary = new Set([...this.df.keys(), ...data.slotWords]);
    this.templates = data.templates.map((rec, index) => {
      const words = wordLists[index]!;
      const view: TemplateView = {
        rec,
        index,
        idText: String(rec.id),
        text: rec.tokens.join(' '),
        words,
        wordSet: new Set(words),
        vector: wordVector(words, this.idf),
        slots: rec.slots.map(([pos, vi, m]) => ({ slot: { pos, vi }, view: new SlotView(m) })),
        frame: isStackFrame(rec.tokens),
      };
      this.byId.set(rec.id, view);
      return view;
    });
    this.index = new NearestIndex(this.templates.map((t) => t.vector));
    this.calibration = new Calibration(this.leaveOneOut());
  }

  /** Analyses a line by its masked tokens. */
  analyse(tok: Tokenized, key: string): Shape {
    const m = this.miner.matchTokenized(tok);
    const matched = m === null ? undefined : this.byId.get(m.id);
    const words = orderedWords(tok.tokens);
    const terms = lineFailureTerms(tok.tokens);
    if (matched !== undefined && matchesExactly(matched.rec.tokens, tok.tokens)) {
      return this.knownShape(matched, tok, terms);
    }
    return this.newShape(dedupe(words), terms, matched ?? null, key);
  }

  private knownShape(t: TemplateView, tok: Tokenized, terms: FailureTerm[]): Shape {
    const e = t.rec.effective;
    const weights = terms.map((term) => errorWeight(term.severity, this.routineInTemplate(t, tok, term)));
    const benign = this.calibration.rarity(e);
    const errors = combineMax(weights, ERROR_EXTRA);
    const base = benign + errors;
    const reasons: Reason[] = [];
    if (e <= RARE_COUNT) reasons.push('rare_template');
    if (terms.length > 0) reasons.push('error_terms');
    return { known: t, templateText: t.text, templateId: t.idText, base, benign, errors, reasons };
  }

  /**
   * How often the host wrote this failure term in this template: every line
   * of the template when it is a constant word; for a word in a slot, the
   * lines where the slot held that value (free-form slots count half).
   */
  private routineInTemplate(t: TemplateView, tok: Tokenized, term: FailureTerm): number {
    const e = routine(t.rec);
    if (term.term === STACK_FRAME) return t.frame ? e : 0;
    const ws = termWords(term);
    if (ws.every((w) => t.wordSet.has(w))) return e;
    const perLine = e / Math.max(1, t.rec.count);
    let best = 0;
    for (const { slot, view } of t.slots) {
      if (slot.vi >= 0) continue;
      const raw = tok.tokens[slot.pos];
      if (raw === undefined || !ws.some((w) => raw.toLowerCase().indexOf(w) >= 0)) continue;
      const r = view.cats === null ? e / 2 : view.countOf(raw) * perLine;
      if (r > best) best = r;
    }
    return best;
  }

  private newShape(words: string[], terms: FailureTerm[], partial: TemplateView | null, key: string): Shape {
    let unseen = 0;
    for (const w of words) if (!this.vocabulary.has(w)) unseen++;
    const vec = wordVector(words, this.idf);
    const near = this.index.nearest(vec);
    const nearT = near.index >= 0 ? this.templates[near.index]! : null;
    const cdist = words.length === 0 ? 0 : clusterDistance(this.clusters, hashedVector(vec));
    // A no-word line (numbers only) is as similar as a line can be to nothing in particular.
    const similarity = words.length === 0 ? 1 : near.similarity;
    const weights = terms.map((term) => errorWeight(term.severity, this.routineNear(nearT, near.similarity, term)));
    const nov = novelty(unseen, similarity, cdist);
    const benign = this.calibration.newMessage(nov);
    const errors = combineMax(weights, ERROR_EXTRA);
    const base = benign + errors;
    const reasons: Reason[] = ['new_template'];
    if (unseen > 0) reasons.push('unseen_tokens');
    if (terms.length > 0) reasons.push('error_terms');
    const display = partial ?? nearT ?? this.templates[0] ?? null;
    return {
      known: null,
      templateText: display?.text ?? '',
      templateId: `new-${fnv1a(key).toString(16).padStart(8, '0')}`,
      base,
      benign,
      errors,
      reasons,
      novelty: { words: words.length, unseen, similarity, cluster: cdist, nats: nov },
    };
  }

  /** A new variant of a routine error message (same term, similar words) inherits part of its routine. */
  private routineNear(t: TemplateView | null, similarity: number, term: FailureTerm): number {
    if (t === null || similarity < 0.5) return 0;
    if (term.term === STACK_FRAME) return t.frame ? routine(t.rec) * similarity * similarity : 0;
    return termWords(term).every((w) => t.wordSet.has(w)) ? routine(t.rec) * similarity * similarity : 0;
  }

  /**
   * What each training template would have looked like had one of its lines
   * been held out: for calibration. A template seen once is analysed as a new
   * message (its words unseen if no other template has them, nearest template
   * among the others); failure terms count with one occurrence less.
   */
  private leaveOneOut(): TemplateSample[] {
    return this.templates.map((t) => {
      const { count, effective } = t.rec;
      const terms = lineFailureTerms(t.rec.tokens);
      if (count >= 2) {
        const e = (routine(t.rec) * (count - 1)) / count;
        const err = combineMax(terms.map((term) => errorWeight(term.severity, e)), ERROR_EXTRA);
        return { count, effective, suspect: err >= SUSPECT, novelty: 0 };
      }
      let unseen = 0;
      for (const w of t.words) if (this.df.get(w) === 1) unseen++;
      const near = this.index.nearest(t.vector, t.index);
      const nearT = near.index >= 0 ? this.templates[near.index]! : null;
      const cdist = t.words.length === 0 ? 0 : clusterDistance(this.clusters, hashedVector(t.vector));
      const similarity = t.words.length === 0 ? 1 : near.similarity;
      const err = combineMax(terms.map((term) => errorWeight(term.severity, this.routineNear(nearT, near.similarity, term))), ERROR_EXTRA);
      return { count, effective, suspect: err >= SUSPECT, novelty: novelty(unseen, similarity, cdist) };
    });
  }
}
