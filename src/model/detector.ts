// Public API of the model core for scoring: score new lines 0..1 with reasons,
// save and load a per-host model. Training one is trainer.ts (ModelTrainer),
// kept apart so that a thread that only scores never loads k-means. Pure: no
// I/O, no clock, no logging.

import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { ModelOptions, ModelSummary, Reason, ScoredLine } from './types.js';
import { WILDCARD, tokenize, type Tokenized } from './mask.js';
import { ModelCore, SIMILAR_WORDS, type Shape, type TemplateView } from './core.js';
import { toScore, DEFAULT_THRESHOLD } from './calibration.js';
import { ERROR_EXTRA, STORM_RARITY, UNUSUAL_VALUE, VALUE_EXTRA, burstEvidence, calmDiscount, combineMax, errorWeight, rateEvidence } from './evidence.js';
import { camelTermSeverity, declaredLevel, isQuotedText, levelShare, signalSeverity, textFailureTerms, valueTermSeverity } from './vocabulary.js';
import { checkNone } from './zero-counts.js';
import { pairKey, recordOf, valuesAt } from './added-fields.js';
import { slotValue } from './layout.js';
import { MODEL_FORMAT_VERSION, IncompatibleModelError, parseModel, serializeModel, type ModelData } from './snapshot.js';
import { FAMILIAR_HALF, PHASE_PRIOR, PHASE_WINDOW, type FamiliarityLog, type RunCounts } from './familiarity.js';
import { contextDiscount, noteRecent } from './sequence.js';
import { fnv1a } from './features.js';
import { magnitudeBin, type SlotTable } from './slots.js';
import { publicAddressEnd } from './value-shape.js';
import { addressKey, floodEvidence, sourceEnd, sourceStart } from './sources.js';
import { judgeByKeys } from './keyed-slots.js';

export { MODEL_FORMAT_VERSION, IncompatibleModelError, DEFAULT_THRESHOLD };

/**
 * Shapes remembered per model; the cache is invisible (same results with or without it). An
 * entry costs about 0.6 KB (a new message's more). A host writes about as many distinct token
 * keys as it has templates (800-odd for the 600-template million-line mixed stream of the
 * benchmark), so the cache holds twice the model's templates, at least SHAPE_CACHE_MIN and at
 * most SHAPE_CACHE_MAX: a daemon holds hundreds of models, and a fixed 2,048 entries each would
 * have been about 1 MB per host under steady traffic, 200 MB for 200 hosts.
 */
const SHAPE_CACHE_MIN = 128;
const SHAPE_CACHE_MAX = 2048;
/** Characters of cached keys per entry of the cache's capacity (a 2 KB key costs 2-4 KB). */
const SHAPE_CACHE_CHARS_PER_ENTRY = 128;
/** Longer token keys are not cached (a 1 MB line must not pin 1 MB). */
const MAX_KEY = 2048;
/** Occasions an unusual value keeps its full weight for (familiarValues). */
const VALUE_GRACE = 2;
/**
 * A stack-trace frame this few lines after another frame belongs to the same trace (Python's
 * frames alternate with their source lines, and from 3.11 a `^^^^` line under the source line
 * marks the failing expression). The trace's first frame, and the lines before it
 * that say what failed, carry its evidence; the frames after it carry no failure words, rarity
 * or novelty of their own (values still count), or a routine error printed with a trace of 100
 * frames was 100 alerts. Nor does a new line of no words among them: the lines of a trace that
 * are no frames and all value (Go's file line under each call, `/x/y.go:88 +0x2a`; Python's `^^^^`).
 * A new message in words after a trace is news (a failure told without failure words).
 */
const FRAME_RUN = 3;
/** The kind valueKind counts every public IPv4 address as (no value's text: it has a control character). */
const PUBLIC_ADDRESS = '\u0002public IPv4';
/** A template's token that names its value (`build=<*>`, `user:"<*>"`), not one that only encloses it (`(<*>)`, `[<*>]`). */
const NAMED_FIELD = /^[A-Za-z_][\w.-]*[=:]"?<\*>"?,?$/;
/** A name, as valueKind counts new ones by their shape: letters, no address or path (`:` or `/`), at most 120 characters. */
const NAME = /^(?=[^:/]*[A-Za-z])[^:/]{1,120}$/;
/** The least hash of a shape written with its characters (value-shape.ts: below it, long texts and hex ids). */
const SHAPE_HASHES = 4;
/** The prefix of the kind valueKind counts a value of a shape new to its slot as. */
const NEW_SHAPE = '\u0003shape ';
/** A plain decimal number (valueKind counts these by order of magnitude). */
const NUMBER = /^-?\d+(?:\.\d+)?$/;
/** A port right after an address (`:49962`, `/49962`, `(49962)`): valueKind counts it by order of magnitude. */
const CLIENT_PORT = /^([:/(])(\d{1,5})/;
/** Unusual values of a line faded each by its own familiarity (familiarValues); the others keep their weight. */
const FADED_VALUES = 4;

/**
 * What familiarValues counts a value as: numbers by order of magnitude (the slots' histogram bins,
 * magnitudeBin), so a counter that keeps growing in the same range is one value; public IPv4
 * addresses as one value (a service newly reachable from outside writes a new client's address on
 * every line: value-shape.ts addressKind), with the port after one by its magnitude and the rest
 * exactly, so that a connection to an odd port of an outside address stays news; on a line without
 * failure words (`byShape`), a name of a shape slot `slot` never held by that shape (a new rack's
 * nodes `gpu01` ... `gpu08` where names were `cn077`: one new family of names, not eight news);
 * other values exactly. (Not so a failed login's `admin1`, `admin2` ..., an enumeration; nor
 * addresses, hex ids and long texts, whose shapes are one for every such value.)
 */
function valueKind(value: string, slots: SlotTable, slot: number, byShape: boolean): string {
  if (NUMBER.test(value)) return `#${magnitudeBin(Number(value))}`;
  const end = publicAddressEnd(value);
  if (end >= 0) {
    // The client's port after it by order of magnitude (counted exactly, a NAT's
    // `:49962->192.168.88.20:443` was a value of its own on every line); the rest exactly: a
    // forward to another inside port (`->192.168.88.20:445`) is news.
    const rest = value.length - end > 64 ? value.slice(end, end + 64) : value.slice(end);
    return PUBLIC_ADDRESS + rest.replace(CLIENT_PORT, (_, sep: string, port: string) => `${sep}#${magnitudeBin(Number(port))}`);
  }
  if (byShape && NAME.test(value)) {
    const shape = slots.unseenShape(slot, value);
    if (shape >= SHAPE_HASHES) return `${NEW_SHAPE}${shape}`;
  }
  return value.length > 64 ? value.slice(0, 64) : value;
}

/** The known template a new line is like (similarity SIMILAR_WORDS or more: it inherits its routine), or null. */
function likeKnown(shape: Shape): TemplateView | null {
  const near = shape.near;
  return near !== undefined && near.similarity >= SIMILAR_WORDS ? near.template : null;
}

/** The occasions of a known line's least routine failure word (`found`: its values' terms, with their routine). */
function calmRoutine(shape: Shape, known: TemplateView, found: ReadonlyArray<[string, number, number]> | null): number {
  let r = shape.errors > 0 ? known.routine : Infinity;
  if (found !== null) for (const f of found) if (f[2] < r) r = f[2];
  return r === Infinity ? 0 : r;
}

/** A value's failure term as routine as the slot held the value: that share of its template's routine. */
function heldRoutine(slots: SlotTable, slot: number, value: string, known: TemplateView): number {
  return (slots.countOf(slot, value) * known.routine) / Math.max(1, known.count);
}

/**
 * How much less surprising a line is while the host writes `recent` different new messages without
 * failure words in the last PHASE_WINDOW lines (a new phase: familiarity.ts), for a line whose
 * surprise at the trained rate is `trained` nats (a new message's: the rate of new messages; a known
 * template's: its rarity). The rate is then estimated from those lines, with the trained one as a
 * prior worth PHASE_PRIOR lines, and its surprise replaces the trained one when it is lower.
 */
function phaseDiscount(trained: number, recent: number): number {
  if (recent <= 0) return 0;
  const rate = (recent + PHASE_PRIOR * Math.exp(-trained)) / (PHASE_WINDOW + PHASE_PRIOR);
  return Math.max(0, trained + Math.log(rate));
}

/**
 * Benign evidence `benign` after `w` occasions (w > 0): w / (w + FAMILIAR_HALF) of the way to
 * `known`, the rarity those occasions make it (never raised: a known rarity above it stays out).
 */
function fadeToward(benign: number, known: number, w: number): number {
  return known >= benign ? benign : benign - (benign - known) * (w / (w + FAMILIAR_HALF));
}

/**
 * Weights of the failure words a line writes as values: each word once, at its highest weight (a
 * word the shape already holds, or written in several keys, counts once); null when none is left.
 */
function valueTermWeights(found: ReadonlyArray<[string, number, number]>, shape: Shape, tok: Tokenized): Map<string, number> | null {
  let terms: Map<string, number> | null = null;
  let share = -1;
  for (const [v, severity, routine] of found) {
    const word = v.toLowerCase();
    if (shape.termWords?.has(word)) continue;
    if (share < 0) share = levelShare(declaredLevel(tok.tokens));
    const w = errorWeight(severity * share, routine);
    const before = (terms ??= new Map()).get(word);
    if (before === undefined || w > before) terms.set(word, w);
  }
  return terms;
}

/**
 * A line's reasons: its shape's, with `error_terms` when the line's own failure evidence counts
 * (last of the shape's reasons) and `unusual_value` after them. One array per shape and variant,
 * shared by its lines (read-only): a new array per line was a fifth of what scoring allocated.
 */
function reasonsOf(shape: Shape, errors: boolean, unusual: boolean, burst: boolean): readonly Reason[] {
  const k = (errors ? 1 : 0) + (unusual ? 2 : 0) + (burst ? 4 : 0);
  const variants = shape.reasonVariants;
  let r = variants[k];
  if (r === null || r === undefined) {
    const list: Reason[] = shape.reasons.filter((x) => x !== 'error_terms');
    if (errors) list.push('error_terms');
    if (unusual) list.push('unusual_value');
    if (burst) list.push('burst');
    variants[k] = r = Object.freeze(list);
  }
  return r;
}

/** The value evidence of a line's first n slot surprises: the most unusual one, and VALUE_EXTRA of the rest. */
function valueEvidence(surprises: readonly number[], n: number): number {
  let max = 0;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const x = surprises[i]!;
    sum += x;
    if (x > max) max = x;
  }
  return max + VALUE_EXTRA * (sum - max);
}

/** A field whose value is a quoted text: `outcome="<*>"`, `err='<*>'` (a key, then the quote). */
const KEYED_TEXT = /^[A-Za-z_][\w.-]*[=:]["']<\*>/;

export class HostModel {
  private readonly core: ModelCore;
  /** HostModel.textsByKey, made when a new line first quotes a text. */
  private keyedTexts: ReadonlyMap<string, ReadonlyMap<string, number>> | null = null;
  private readonly cache = new Map<string, Shape>();
  private cacheChars = 0;
  /** A known line's slot surprises and values (scratch of evaluate, read by familiarValues). */
  private readonly slotSurprise: number[] = [];
  private readonly slotValue: string[] = [];
  /** A known failure message's density (scratch of evaluate, filled by FamiliarityLog.observeRun). */
  private readonly run: RunCounts = { recent: 0, rate: 0, gap: 0 };
  private readonly cacheSize: number;
  private readonly stats: { trainedLines: number; templates: number };
  /**
   * What serialize() returns: the snapshot a loaded model came from (kept deflated), or the data of
   * a freshly trained one; null for a model loaded without its text (deserialize, keepText false).
   */
  private readonly source: { packed: Buffer } | { data: ModelData } | null;

  /** Use ModelTrainer.finish() or HostModel.deserialize(). `text`: null to keep no text. */
  constructor(data: ModelData, text?: string | null) {
    try {
      this.core = new ModelCore(data);
    } catch (err) {
      if (err instanceof IncompatibleModelError) throw err;
      throw new IncompatibleModelError(`not a usable model snapshot: ${(err as Error).message}`);
    }
    this.stats = { trainedLines: data.trainedLines, templates: data.templates.length };
    this.cacheSize = Math.min(SHAPE_CACHE_MAX, Math.max(SHAPE_CACHE_MIN, 2 * data.templates.length));
    this.source = text === undefined ? { data } : text === null ? null : { packed: deflateRawSync(text, { level: 1 }) };
  }

  /**
   * Scores one line. With a familiarity log (familiarity.ts), lines are taken
   * as the host's stream in order: a new message that keeps coming back
   * weighs less each time, and the log records the line. Without one, the
   * score depends on the line alone. `masked`: the line as `tokenize(message, the model's masks)`
   * gives it, when that was done elsewhere (offline/tokenizer-thread.ts).
   */
  score(message: string, familiar?: FamiliarityLog, masked?: Tokenized): ScoredLine {
    const { scored } = this.evaluate(message, familiar, masked);
    return scored;
  }

  /** The score with its evidence broken down (nats), for tuning and troubleshooting. */
  explain(
    message: string,
    familiar?: FamiliarityLog,
  ): ScoredLine & { evidence: { benign: number; errors: number; values: number; context: number; burst: number; novelty?: Shape['novelty'] } } {
    const { scored, shape, values, benign, errors, context, burst } = this.evaluate(message, familiar);
    // The score is benign + errors + burst + values - context, in nats (toScore).
    return { ...scored, evidence: { benign, errors, values, context, burst, novelty: shape.novelty } };
  }

  /**
   * Benign evidence of a new message given how often the host wrote it since
   * training: after w occasions it has moved w / (w + FAMILIAR_HALF) of the
   * way from its novelty to the rarity of a known template with the count
   * those occasions would mean over the training period. The first return of
   * a message is not yet routine (a failure without failure words, written a
   * few times, stays flagged); a message that keeps coming back is.
   */
  private familiarBenign(shape: Shape, errors: number, line: number, familiar: FamiliarityLog): number {
    const trained = this.stats.trainedLines;
    const key = shape.familiarKey!;
    const benign = shape.benign - phaseDiscount(this.core.calibration.newSurprise, familiar.recentPlain(key));
    // A trace's frames are no new routine message: a new phase of the host's work is not told by them.
    const occasions = familiar.observe(key, line, trained, errors === 0 && !shape.frame);
    // A record's new fields: by their names (familiarFields). Its combination is still remembered
    // above, for the phase discount of the new messages around it.
    if (shape.added !== undefined) return this.familiarFields(shape, benign, line, familiar);
    if (occasions <= 0) return benign;
    const count = (occasions * trained) / Math.max(trained, familiar.lines);
    return fadeToward(benign, this.core.calibration.rarity(count), occasions);
  }

  /**
   * familiarBenign of a known record with new fields (core.ts withAddedFields): the fields are as
   * familiar as the least familiar of their names on the host, in any record and combination
   * (per combination, records whose optional fields come and go were each new), and come as far as
   * the record's own rarity, which they do not make rarer. Only beyond the weight of one occasion:
   * a burst of an incident's field stays news for its first lines (its occasion weighs the fourth
   * root of its different lines: the first 19 of 30 flagged in a review's burst), a deploy's
   * field, on every record from then on, fades.
   */
  private familiarFields(shape: Shape, benign: number, line: number, familiar: FamiliarityLog): number {
    let occasions = Infinity;
    for (const key of shape.added!.familiarKeys) {
      const o = familiar.observe(key, line, this.stats.trainedLines);
      if (o < occasions) occasions = o;
    }
    const w = occasions - 1;
    if (w <= 0) return benign;
    return fadeToward(benign, this.core.calibration.rarity(shape.known!.effective), w);
  }

  /**
   * Value evidence of a known message whose unusual values the host keeps writing since training:
   * each (the most unusual one, and up to FADED_VALUES in all that are unusual on their own) full
   * for its first VALUE_GRACE + 1 occasions (counted as for new messages: a burst is about one),
   * then FAMILIAR_HALF / (w' + FAMILIAR_HALF) of it after w' more; the line's other values keep
   * their weight. A peer id never seen in training that is now in every "Connection broken for id
   * 3" line stops being flagged once it keeps coming back, as a new message does; a burst of it
   * stays flagged. Each by its own familiarity: an outside client, familiar since a service was
   * exposed, logging in as a user never seen is still news (faded as one, the address took the
   * user's surprise with it). Values count as valueKind says.
   */
  private familiarValues(known: TemplateView, surprise: readonly number[], value: readonly string[], n: number, tok: Tokenized, familiar: FamiliarityLog, failing: boolean): number {
    const slots = this.core.slots;
    const slotStart = known.slotStart;
    let maxAt = 0;
    for (let i = 1; i < n; i++) if (surprise[i]! > surprise[maxAt]!) maxAt = i;
    let max = 0;
    let sum = 0;
    let faded = 0;
    for (let i = 0; i < n; i++) {
      let s = surprise[i]!;
      if ((i === maxAt || s >= UNUSUAL_VALUE) && faded < FADED_VALUES) {
        faded++;
        const k = slotStart + i;
        // A constant of a named field (`build=2.14.3` on every line) changes in every message at
        // once (a deploy): the same change is one news for all of them, not news in each.
        const was = slots.constantOf(k);
        const token = known.tokens[slots.pos[k]!]!;
        const scope = was !== undefined && NAMED_FIELD.test(token) ? `field\u0001${token}\u0001${slots.vi[k]}\u0001${was}` : `${known.id}\u0001${k}`;
        const key = fnv1a(`value\u0001${scope}\u0001${valueKind(value[i]!, slots, k, !failing)}`);
        const occasions = familiar.observe(key, this.core.miner.repeatKey(tok), this.stats.trainedLines);
        if (occasions > VALUE_GRACE) s = (s * FAMILIAR_HALF) / (occasions - VALUE_GRACE + FAMILIAR_HALF);
      }
      sum += s;
      if (s > max) max = s;
    }
    return max + VALUE_EXTRA * (sum - max);
  }

  /**
   * How routine a failure word of a new line's quoted text (in `token`) is: as routine as in the
   * quoted texts of the known template most like the line, times the square of their similarity,
   * as a new line's own failure words inherit (core.ts routineNear); or as in a field of the same
   * name in any template, if more. A message given one more field is no new error.
   */
  private quotedRoutineNear(shape: Shape, token: string, term: string): number {
    const near = shape.near;
    let best = 0;
    if (near !== undefined) {
      const slots = this.core.slots;
      for (let k = near.template.slotStart; k < near.template.slotEnd; k++) {
        const r = slots.termRoutine(k, term);
        if (r > best) best = r;
      }
      best *= near.similarity * near.similarity;
    }
    // A field of the same name (`outcome="<*>"`) in any template: the same kind of text. A line of
    // a structured logger given one more field, or at another level, is a new template whose
    // nearest one may be another message with the same fields.
    const keyed = KEYED_TEXT.test(token) ? this.textsByKey().get(token)?.get(term) : undefined;
    return keyed !== undefined && keyed > best ? keyed : best;
  }

  /** Quoted-text failure terms by the field their slot is the value of (`outcome="<*>"`), made once. */
  private textsByKey(): ReadonlyMap<string, ReadonlyMap<string, number>> {
    if (this.keyedTexts !== null) return this.keyedTexts;
    const out = new Map<string, Map<string, number>>();
    const slots = this.core.slots;
    for (const t of this.core.templates) {
      for (let k = t.slotStart; k < t.slotEnd; k++) {
        const terms = slots.termsOf(k);
        const token = t.tokens[slots.pos[k]!];
        if (terms === undefined || token === undefined || !KEYED_TEXT.test(token)) continue;
        let m = out.get(token);
        if (m === undefined) out.set(token, (m = new Map()));
        for (const [term, r] of terms) if (r > (m.get(term) ?? 0)) m.set(term, r);
      }
    }
    return (this.keyedTexts = out);
  }

  /**
   * The line's failure evidence: its shape's, without the words this line counts as none
   * ("0 errors", "errors=0": zero-counts.ts), which the shape cannot tell from "3 errors", and with
   * the failure terms the line writes as values (`valueTerms`).
   */
  private lineErrors(shape: Shape, tok: Tokenized, valueTerms: ReadonlyMap<string, number> | null): number {
    const { terms } = shape;
    // "None" needs a masked count: a line without values has none to give.
    const none = shape.none === undefined || tok.values.length === 0 ? null : checkNone(tok, shape.none);
    if (none === null && valueTerms === null) return shape.errors;
    const kept: number[] = valueTerms === null ? [] : [...valueTerms.values()];
    // Indexed, not `of (terms ?? [])`: an empty literal is an array of another kind, and meeting it
    // after the scorer was compiled for the other made V8 throw the compiled code away.
    if (terms !== undefined) for (let k = 0; k < terms.length; k++) if (none === null || !none.has(terms[k]!.term)) kept.push(terms[k]!.weight);
    return combineMax(kept, ERROR_EXTRA);
  }

  /**
   * Value surprise of a new line's fields by the slots of the known template it is like: each field
   * of that template (\`duration="<*>"\`) the line writes the same way, its value judged by the
   * field's slot.
   */
  private nearValues(near: TemplateView, tok: Tokenized): number {
    const slots = this.core.slots;
    const n = near.slotEnd - near.slotStart;
    const surprises = this.slotSurprise;
    const values = this.slotValue;
    for (let i = 0; i < n; i++) {
      const k = near.slotStart + i;
      surprises[i] = 0;
      values[i] = '';
      const token = near.tokens[slots.pos[k]!]!;
      if (pairKey(token) === null) continue;
      const at = tok.tokens.indexOf(token);
      if (at < 0) continue;
      const v = slotValue(tok, { pos: at, vi: slots.vi[k]! });
      if (v === null) continue;
      values[i] = v;
      surprises[i] = slots.surprise(k, v);
    }
    // By their key too, where the known template has quantities per key (its fields the line
    // writes the same way: a route's duration after a deploy reworded the message).
    if (near.keyed !== undefined) judgeByKeys(near.keyed, this.core.keyedSlots, values, surprises, 0);
    return valueEvidence(surprises, n);
  }

  private evaluate(message: string, familiar?: FamiliarityLog, masked?: Tokenized): { scored: ScoredLine; shape: Shape; values: number; benign: number; errors: number; context: number; burst: number } {
    const miner = this.core.miner;
    const tok = masked === undefined ? miner.tokenize(typeof message === 'string' ? message : String(message ?? '')) : miner.fromMasked(masked);
    const key = tok.tokens.join('\u0000');
    let shape = this.cache.get(key);
    if (shape === undefined) {
      shape = this.core.analyse(tok, key);
      if (key.length <= MAX_KEY) {
        if (this.cache.size >= this.cacheSize || this.cacheChars + key.length > this.cacheSize * SHAPE_CACHE_CHARS_PER_ENTRY) {
          this.cache.clear();
          this.cacheChars = 0;
        }
        this.cache.set(key, shape);
        this.cacheChars += key.length;
      }
    }
    let values = 0;
    /** Failure words written as values (`status=failed`), which the shape cannot see: [value, severity, routine]. */
    let found: Array<[string, number, number]> | null = null;
    const known = shape.known;
    // A known record given new fields (core.ts withAddedFields): its values are judged by that
    // record's slots, the new fields' values read for failure words as a new line's are.
    const added = shape.added?.at;
    const line = added === undefined ? tok : recordOf(tok, added, shape.added!.moved, this.core.miner.headerField())!;
    if (added !== undefined) {
      for (const p of added) {
        for (const v of valuesAt(tok, p)) {
          const sev = valueTermSeverity(v);
          if (sev > 0) (found ??= []).push([v, sev, 0]);
          else if (isQuotedText(tok.tokens[p]!, v)) {
            for (const t of textFailureTerms(v)) (found ??= []).push([t.term, t.severity, this.quotedRoutineNear(shape, tok.tokens[p]!, t.term)]);
          }
        }
      }
    }
    /** A flood from one address of a slot of addresses (sources.ts), in nats. */
    let flood = 0;
    if (known !== null && known.slotEnd > known.slotStart && line.tokens.length === known.tokens.length) {
      const slots = this.core.slots;
      const surprises = this.slotSurprise;
      const headerValues = miner.headerValuesEnd();
      const slotValues = this.slotValue;
      for (let k = known.slotStart; k < known.slotEnd; k++) {
        const pos = slots.pos[k]!;
        const vi = slots.vi[k]!;
        const start = pos === 0 ? 0 : line.valueEnd[pos - 1]!;
        const end = line.valueEnd[pos]!;
        let v: string | undefined;
        if (vi < 0) v = end === start ? line.tokens[pos] : end === start + 1 ? line.values[start] : line.values.slice(start, end).join(' ');
        else if (start + vi < end) v = line.values[start + vi];
        // A header's values identify the line (a process id, a time, PostgreSQL's `app@shop`), they
        // measure nothing: a daemon whose process id never changed in training, restarted, wrote
        // every line as unusual, and a role new to a message was a new value of it.
        const s = v === undefined || pos < headerValues ? 0 : slots.surprise(k, v);
        surprises[k - known.slotStart] = s;
        slotValues[k - known.slotStart] = v ?? '';
        if (v === undefined) continue;
        if (familiar !== undefined && slots.flood[k]! >= 0) {
          const end = sourceEnd(v);
          if (end > 0) {
            // Keyed by the slot (its index among the model's slots) and the address.
            const f = floodEvidence(familiar.observeSource(addressKey(v, sourceStart, end, k)), slots.flood[k]!);
            if (f > flood) flood = f;
          }
        }
        // An unmasked token is the line's own wording, already read for failure terms, but for the
        // parts of a camel-case word (mdadm's `DegradedArray` where the template has its events).
        const sev = vi < 0 && end === start ? camelTermSeverity(v) : valueTermSeverity(v);
        // A fault's signal number after `signal` (`got signal 11`): as routine as the slot held it.
        if (v.length <= 2 && vi < 0 && end === start + 1 && known.tokens[pos] === WILDCARD) {
          const signal = signalSeverity(known.tokens[pos - 1], v);
          if (signal > 0) (found ??= []).push([`signal ${v}`, signal, heldRoutine(slots, k, v, known)]);
        }
        if (sev > 0) {
          // As routine as the slot held this value in training (a free-form slot: half its lines).
          (found ??= []).push([v, sev, slots.freeForm(k) ? known.routine / 2 : heldRoutine(slots, k, v, known)]);
        } else if (!(vi < 0 && end === start) && isQuotedText(line.tokens[pos]!, v)) {
          // A quoted text's failure words, each as routine as it was in the slot's texts in training.
          for (const t of textFailureTerms(v)) (found ??= []).push([t.term, t.severity, slots.termRoutine(k, t.term)]);
        }
      }
      // Its quantities by their key too (a route's duration by that route's).
      if (known.keyed !== undefined) judgeByKeys(known.keyed, this.core.keyedSlots, slotValues, surprises, headerValues);
      values = valueEvidence(surprises, known.slotEnd - known.slotStart);
    } else if (added === undefined) {
      // A reworded message (a deploy renamed \`request served\` to \`http request\`) keeps the fields
      // of the known one it is like: their values are judged by its slots.
      const like = likeKnown(shape);
      if (like !== null && like.slotEnd > like.slotStart) values = this.nearValues(like, tok);
      for (const v of tok.values) {
        const sev = valueTermSeverity(v);
        if (sev > 0) (found ??= []).push([v, sev, 0]);
      }
      for (let pos = 0, start = 0; pos < tok.tokens.length; pos++) {
        const end = tok.valueEnd[pos]!;
        if (end === start + 1 && tok.tokens[pos] === WILDCARD && pos > 0) {
          const sev = signalSeverity(tok.tokens[pos - 1], tok.values[start]!);
          if (sev > 0) (found ??= []).push([`signal ${tok.values[start]!}`, sev, 0]);
        }
        if (end === start + 1 && isQuotedText(tok.tokens[pos]!, tok.values[start]!)) {
          for (const t of textFailureTerms(tok.values[start]!)) (found ??= []).push([t.term, t.severity, this.quotedRoutineNear(shape, tok.tokens[pos]!, t.term)]);
        }
        start = end;
      }
    }
    let errors = this.lineErrors(shape, tok, found === null ? null : valueTermWeights(found, shape, tok));
    // By the line's own failure words: `errors=0` in the template is none (zero-counts.ts).
    if (familiar !== undefined && values >= UNUSUAL_VALUE && known !== null) {
      values = this.familiarValues(known, this.slotSurprise, this.slotValue, known.slotEnd - known.slotStart, tok, familiar, errors > 0);
    }
    let benign = shape.benign;
    let context = 0;
    let burst = 0;
    /** A stack-trace frame after another of the same trace, or a new line of its own among them (FRAME_RUN). */
    let continued = false;
    if (familiar !== undefined) {
      const inTrace = familiar.lines - familiar.lastFrame <= FRAME_RUN;
      if (shape.frame) {
        continued = inTrace;
        familiar.lastFrame = familiar.lines;
        // Its words are code locations, not the failure's wording (`ErrorHandler.handle`).
        if (continued) errors = 0;
      } else continued = inTrace && errors === 0 && shape.novelty !== undefined && shape.novelty.words === 0;
      if (shape.familiarKey !== undefined) {
        benign = this.familiarBenign(shape, errors, this.core.miner.repeatKey(tok), familiar);
        // A failure message reworded (a deploy renamed its task, added a word) comes as densely as
        // the known one it is like: counted with it, against its densest in training.
        const like = errors > 0 ? likeKnown(shape) : null;
        if (like !== null && like.burst >= 0) burst = this.density(like, familiar);
      } else if (known !== null) {
        // A known template is rare because the host writes it on rare occasions (once per boot, per
        // job); during one, its rarity falls as a new message's surprise does. Failure words and values keep their weight.
        if (benign > 0) benign -= phaseDiscount(benign, familiar.recentPlain(-1));
        if (known.context.length > 0 && errors > 0) context = contextDiscount(known.context, familiar.recentTemplates, errors);
        // How densely a failure message comes, against its densest in training (evidence.ts
        // burstEvidence); every line counts, a repetition too: a retry loop hammering a failure far
        // harder than ever is as much news (and hashing each line to tell repetitions cost 4% of
        // scoring). A rare message without failure words too (STORM_RARITY): a storm of reports.
        if (known.burst >= 0 && (errors > 0 || shape.benign >= STORM_RARITY)) burst = this.density(known, familiar);
        // Or from one source far more densely than any address ever wrote it, failure words or not.
        if (flood > burst) burst = flood;
      }
      noteRecent(familiar.recentTemplates, known === null ? -1 : known.id);
      familiar.tick();
    }
    // A failure the host writes on many separate occasions, at its routine rate: part of its floor
    // goes (evidence.ts calmDiscount); in a burst or a flood it keeps it.
    // As routine as its least routine failure word: the template's own wording's, or a value's (a
    // failure word new to a quoted value of a routine message is no routine: `out of memory` where
    // it was always `permission denied`).
    if (known !== null && burst === 0 && errors > context) errors -= calmDiscount(calmRoutine(shape, known, found), errors - context);
    // Nor is a frame of a shape not seen before (`(Native Method)`) news of its own within its trace.
    if (continued && benign > 0) benign = 0;
    // The line's own failure evidence decides error_terms (last of the shape's reasons when present).
    const reasons = reasonsOf(shape, errors > 0, values >= UNUSUAL_VALUE, burst > 0);
    const base = benign + errors + burst - context;
    const scored = { score: toScore(base + values), template: shape.templateText, templateId: shape.templateId, reasons };
    return { scored, shape, values, benign, errors, context, burst };
  }

  /**
   * Burst evidence of one more line of failure message `t` (evidence.ts burstEvidence): its recent
   * count against its densest in training, or over the longer horizon (rateEvidence; a model
   * before it does not say).
   */
  private density(t: TemplateView, familiar: FamiliarityLog): number {
    const run = this.run;
    familiar.observeRun(t.burstKey, run);
    const burst = burstEvidence(run.recent, t.burst);
    return t.rate < 0 ? burst : Math.max(burst, rateEvidence(run.rate, t.rate, run.gap, this.stats.trainedLines / t.count));
  }

  summary(): ModelSummary {
    return { formatVersion: MODEL_FORMAT_VERSION, ...this.stats };
  }

  serialize(): string {
    if (this.source === null) throw new Error('HostModel.serialize: this model was loaded without its text (deserialize with keepText: false)');
    return 'packed' in this.source ? inflateRawSync(this.source.packed).toString('utf8') : serializeModel(this.source.data);
  }

  /**
   * Loads a serialized model. `keepText: false` keeps no copy of the text, so the model cannot be
   * serialized again: the daemon holds hundreds of loaded models, reads them from their files and
   * never writes them back, and the deflated text was the largest single part of each (about 50 KB
   * of a 5,000-line host's 0.7 MB).
   */
  static deserialize(text: string, options: { keepText?: boolean } = {}): HostModel {
    return new HostModel(parseModel(text), options.keepText === false ? null : text);
  }
}
