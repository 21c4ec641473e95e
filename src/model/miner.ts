// Incremental template miner in the spirit of Drain (He et al., ICWS 2017),
// with two changes that matter on real logs:
//
// 1. Lines are grouped as in Drain (fixed-depth tree keyed by token count and
//    leading tokens; the most similar group of the leaf above a threshold;
//    positions that differ are generalized), but similarity is measured on the
//    group's constant positions only, so a generalized group keeps matching the
//    lines it was built from.
// 2. A generalized word position is not a variable straight away: while its
//    values keep repeating (states, verbs such as begin/end, client names) each
//    value is part of the template's identity and gets its own template id.
//    Only once it has shown many distinct values, or values that rarely
//    repeat (user names, hosts), does it become `<*>` and the templates that
//    differed only there are merged (the oldest id survives).
//
// Memory is bounded: at most `maxTemplates` templates; beyond it the least used
// (fewest lines; the least recently promoted among equals) is evicted.

import type { MaskRuleConfig } from './types.js';
import { compileMasks, tokenize, WILDCARD, type CompiledMasks, type Tokenized } from './mask.js';
import { collapseField, isLevel } from './header.js';
import { FNV_OFFSET, fnvStep } from './features.js';
import { isAccessLogWord } from './access-log.js';
import { isDeviceCode } from './structured.js';

export interface MinerOptions {
  /** Extra masking rules applied before the built-in ones. */
  extraMasks?: MaskRuleConfig[];
  /** Most templates kept; the least used is evicted beyond it. Default 5000. */
  maxTemplates?: number;
  /** Share of a group's constant tokens a line must share to join it, in (0, 1]. Default 0.5. */
  similarity?: number;
  /** Leading tokens used as tree keys (never the last token of a line). Default 2. */
  prefixTokens?: number;
  /** Most children per tree node; further keys share a `<*>` child. Default 100. */
  maxChildren?: number;
  /** When no group under a line's leading tokens is similar enough, a group of the same length under other
   *  leading tokens is joined from this similarity on (all positions counted), in (0, 1]. Default 0.8. */
  crossSimilarity?: number;
  /** A word position becomes a variable beyond this many distinct values. 1 disables enumerations. Default 4. */
  maxEnumValues?: number;
  /** ...or, from 3 distinct values on, when its values repeat on average fewer times than this. Default 2. */
  minEnumRepeats?: number;
}

export interface TemplateMatch {
  id: number;
  template: string;
  tokens: readonly string[];
  params: string[];
  created: boolean;
}

interface Resolved {
  extraMasks: MaskRuleConfig[];
  maxTemplates: number;
  similarity: number;
  prefixTokens: number;
  maxChildren: number;
  crossSimilarity: number;
  maxEnumValues: number;
  minEnumRepeats: number;
}

interface Node {
  children: Map<string, Node>;
  /** Groups filed here, in filing order. */
  groups: Group[];
  /** Length nodes only: groups by (position, constant token), and groups without constants. */
  index?: Map<string, Set<Group>>;
  open?: Set<Group>;
  /**
   * Read-only miners (fromJSON with readOnly) index by token instead: constant
   * token -> the group, or the groups in filing order, holding it at some
   * position (index[p + SEP + tok] is those holding it at p).
   */
  byToken?: Map<string, Group | Group[]>;
}

// Shared by read-only miners, which never change them.
const NO_CHILDREN: Map<string, Node> = new Map();
const NO_ENUMS: Map<number, Map<string, number>> = new Map();
const NO_PATH: string[] = [];
const NO_POSITIONS: number[] = [];
const NO_VALUES: string[] = [];
const NO_SUBS: Map<string, Template> = new Map();
/** Tree key of a line with fewer key tokens than the tree is deep (tokens are never empty). */
const NO_KEY = '';

/** Leaves with more groups than this are searched through the length node's index. */
const LINEAR_SCAN = 24;

/** Lines of one shape; its generalized positions may still be enumerations. */
interface Group {
  seq: number;
  tokens: string[];
  /**
   * Per position: 0 constant, 1 generalized (`<*>` or an enumeration), 2
   * constant but one of the host's header tokens (see setHeader), left out of
   * similarity and of the index.
   */
  merged: Uint8Array;
  consts: number;
  /** Constant positions that are header tokens (merged 2). */
  inHeader: number;
  count: number;
  /** Tree leaves filing the group: where it was created, then aliases for other leading tokens. */
  paths: PathEntry[];
  /** Enumerated positions, ascending, with value counts. */
  enumPos: number[];
  enums: Map<number, Map<string, number>>;
  subs: Map<string, Template>;
  /** Read-only miners: the group's one template (then `subs` is empty) and its key. */
  only?: Template;
  onlyKey?: string;
  /** Bumped whenever the group's templates change shape, to invalidate their cached text. */
  version: number;
  /** Scratch mark for de-duplicating index candidates. */
  mark: number;
}

/** `seq` orders entries within a leaf, so that a reload rebuilds leaves in the same order. */
interface PathEntry {
  seq: number;
  path: string[];
  node?: Node;
}

/** A template as seen from outside: a group plus one value per enumerated position. */
interface Template {
  id: number;
  group: Group;
  values: string[];
  count: number;
  /** The count the eviction index files it under. */
  bucket?: number;
  /** When it reached that count (Lfu). */
  stamp?: number;
  /** Template tokens and text, valid while `group.version` equals `version`. */
  cache?: { version: number; tokens: readonly string[]; text: string };
}

// Least-frequently-used index: templates bucketed by count; within a bucket,
// insertion order = the order they reached that count, so the first of the
// lowest bucket is the least used and least recently promoted.
//
// The buckets are built only when the first template is evicted: until then a
// line's count moving up costs two field writes instead of moving it between
// Sets (3% of training), and most hosts never reach the template cap. The
// order is the same: each template's stamp says when it reached its count.
class Lfu {
  /** Null until the first eviction; then kept up to date. */
  private buckets: Map<number, Set<Template>> | null = null;
  /** The templates while there are no buckets. */
  private members: Set<Template> | null = new Set();
  private min = Infinity;
  private clock = 0;

  add(t: Template, count: number): void {
    this.stamp(t, count);
    if (this.members !== null) {
      this.members.add(t);
      return;
    }
    const buckets = this.buckets!;
    let b = buckets.get(count);
    if (b === undefined) buckets.set(count, (b = new Set()));
    b.add(t);
    if (count < this.min) this.min = count;
  }

  remove(t: Template): void {
    if (this.members !== null) {
      this.members.delete(t);
      return;
    }
    const buckets = this.buckets!;
    const b = buckets.get(t.bucket!);
    if (b === undefined) return;
    b.delete(t);
    if (b.size === 0) buckets.delete(t.bucket!);
  }

  touch(t: Template, count: number): void {
    if (this.members !== null) return this.stamp(t, count);
    this.remove(t);
    this.add(t, count);
  }

  /** Files the template under its count, as the latest to reach it. */
  private stamp(t: Template, count: number): void {
    t.bucket = count;
    t.stamp = this.clock++;
  }

  popMin(): Template | undefined {
    const buckets = this.index();
    if (buckets.size === 0) return undefined;
    let b = buckets.get(this.min);
    if (b === undefined) {
      this.min = Math.min(...buckets.keys());
      b = buckets.get(this.min)!;
    }
    const t = b.values().next().value as Template;
    this.remove(t);
    return t;
  }

  /** Least used first, as popMin() would take them. */
  ordered(): Template[] {
    const all = this.members !== null ? [...this.members] : [...this.buckets!.values()].flatMap((b) => [...b]);
    return all.sort(byUse);
  }

  private index(): Map<number, Set<Template>> {
    if (this.buckets !== null) return this.buckets;
    const buckets = new Map<number, Set<Template>>();
    for (const t of this.ordered()) {
      let b = buckets.get(t.bucket!);
      if (b === undefined) buckets.set(t.bucket!, (b = new Set()));
      b.add(t);
      if (t.bucket! < this.min) this.min = t.bucket!;
    }
    this.members = null;
    return (this.buckets = buckets);
  }
}

/** Lower count first; within a count, the one that reached it first. */
function byUse(a: Template, b: Template): number {
  return a.bucket! - b.bucket! || a.stamp! - b.stamp!;
}

const FORMAT = 'template-miner';
const VERSION = 2;
const SEP = '\u0001';

function resolveOptions(o: MinerOptions | undefined): Resolved {
  if (o !== undefined && (o === null || typeof o !== 'object')) throw new Error('options must be an object');
  const opt = o ?? {};
  const num = (name: keyof MinerOptions, def: number, min: number, max: number, integer: boolean): number => {
    const v = opt[name];
    if (v === undefined) return def;
    if (typeof v !== 'number' || !Number.isFinite(v) || (integer && !Number.isInteger(v)) || v < min || v > max) {
      throw new Error(`option ${name} must be ${integer ? 'an integer' : 'a number'} in [${min}, ${max}], got ${String(v)}`);
    }
    return v;
  };
  if (opt.extraMasks !== undefined && !Array.isArray(opt.extraMasks)) throw new Error('option extraMasks must be an array');
  const similarity = num('similarity', 0.5, 0, 1, false);
  if (similarity === 0) throw new Error('option similarity must be greater than 0');
  const crossSimilarity = num('crossSimilarity', 0.8, 0, 1, false);
  if (crossSimilarity === 0) throw new Error('option crossSimilarity must be greater than 0');
  return {
    extraMasks: (opt.extraMasks ?? []).map((m) => ({ ...m })),
    maxTemplates: num('maxTemplates', 5000, 1, 10_000_000, true),
    similarity,
    prefixTokens: num('prefixTokens', 2, 0, 16, true),
    maxChildren: num('maxChildren', 100, 2, 100_000, true),
    crossSimilarity,
    maxEnumValues: num('maxEnumValues', 4, 1, 1000, true),
    minEnumRepeats: num('minEnumRepeats', 2, 0, 1000, false),
  };
}

const MASK_RE = /<[A-Za-z0-9_.*-]+>/g;
const LETTER_RE = /[A-Za-z]/;

/** Most values a position whose values name their message keeps as an enumeration (isVariable). */
const MAX_NAMED_VALUES = 64;

/**
 * Whether a token names the message it is in, from a closed set however many a host writes: a
 * network device's message code (`%DOT1X-5-SUCCESS:` and `%MAB-5-SUCCESS:` are two events with one
 * wording), or an access log's request method or status phrase word (access-log.ts).
 */
function namesMessage(tok: string): boolean {
  if (tok.charCodeAt(0) === 37) return isDeviceCode(tok.charCodeAt(tok.length - 1) === 58 ? tok.slice(0, -1) : tok);
  return isAccessLogWord(tok);
}

// Only tokens with wording of their own can be enumerations: `begin`,
// `num=<*>,flags=<*>`; not `<*>` or `[<*>]`, which are values already.
function isWord(tok: string): boolean {
  if (tok.indexOf('<') < 0) return true;
  return LETTER_RE.test(tok.replace(MASK_RE, ''));
}

export class TemplateMiner {
  private readonly opts: Resolved;
  private readonly masks: CompiledMasks;
  private readonly root = new Map<number, Node>();
  private readonly byId = new Map<number, Template>();
  private readonly lfu = new Lfu();
  private nextId = 1;
  private nextSeq = 1;
  private aliases = 0;
  /** Similarity of the group last returned by bestGroup() or crossLeaf(). */
  private lastSim = 0;
  /** Enumerations beyond the limits whose values all name their message (isVariable), checked once. */
  private readonly named = new WeakSet<Map<string, number>>();
  private markGen = 0;
  /** Loaded for matching only (fromJSON with readOnly): add() and toJSON() throw. */
  private readonly readOnly: boolean;

  /** Most templates kept (the least used are evicted beyond it). */
  get maxTemplates(): number {
    return this.opts.maxTemplates;
  }
  /** The host's header: position -> the token most lines hold there (see setHeader). */
  private header = new Map<number, string>();
  /** Positions before this one hold the header's values (headerValuesEnd). */
  private headerValues = 0;
  /** Position of the host's bracketed header field (header.ts collapseField); -1 for none. */
  private field = -1;

  constructor(options?: MinerOptions, readOnly = false) {
    this.readOnly = readOnly;
    this.opts = resolveOptions(options);
    this.masks = compileMasks(this.opts.extraMasks);
  }

  get size(): number {
    return this.byId.size;
  }

  /**
   * Declares the host's header (headerOf): tokens that most lines hold at the
   * same position, such as a constant host name or the `<*>` of a timestamp
   * before the message. They say nothing about which message a line is, so
   * they are left out of similarity and the tree is keyed by the tokens after
   * them; otherwise two shared header tokens make short messages look half
   * alike. Only before the first line.
   */
  setHeader(header: ReadonlyArray<readonly [number, string]>, field = -1): void {
    if (this.readOnly || this.byId.size > 0 || this.nextSeq > 1) throw new Error('TemplateMiner.setHeader: only before the first line');
    this.header = new Map(header.map(([p, tok]) => [p, tok]));
    this.headerValues = headerValuesEnd(this.header);
    this.field = field;
  }

  /**
   * Where the header's values end: a value at a position before it is the line's identification (a
   * process id, a time, a sequence number), not a quantity of the message (detector.ts).
   */
  headerValuesEnd(): number {
    return this.headerValues;
  }

  /** The position of the header's bracketed field set by setHeader (-1 for none). */
  headerField(): number {
    return this.field;
  }

  /** The header set by setHeader, by position. */
  headerTokens(): Array<[number, string]> {
    return [...this.header].sort((a, b) => a[0] - b[0]);
  }

  add(message: string): TemplateMatch {
    return this.addTokenized(this.tokenize(message));
  }

  match(message: string): TemplateMatch | null {
    return this.matchTokenized(this.tokenize(message));
  }

  /** A line tokenized with this miner's masks and header field, for addTokenized() and matchTokenized(). */
  tokenize(message: string): Tokenized {
    return this.fromMasked(tokenize(message, this.masks));
  }

  /** tokenize() of a line already masked as `tokenize(message, compileMasks(options.extraMasks))` does (in another thread: offline/tokenizer-thread.ts). */
  fromMasked(masked: Tokenized): Tokenized {
    return this.field < 0 ? masked : collapseField(masked, this.field);
  }

  /**
   * A line's identity as a repetition (occasions.ts): its tokens and values, less the header tokens
   * it holds and their values. A retry loop's lines differ only in the timestamp their header (or
   * a structured record's time field) carries: they are the same line told again.
   */
  repeatKey(t: Tokenized): number {
    const { tokens, values, valueEnd } = t;
    let h = FNV_OFFSET;
    for (let p = 0; p < tokens.length; p++) {
      const tok = tokens[p]!;
      if (this.header.size > 0 && this.header.get(p) === tok) continue;
      h = fnvStep(h, tok);
      for (let v = p === 0 ? 0 : valueEnd[p - 1]!; v < valueEnd[p]!; v++) h = fnvStep(h, values[v]!);
    }
    return h >>> 0;
  }

  /** add() for a line already tokenized by the caller with `compileMasks(options.extraMasks)`. */
  addTokenized(t: Tokenized): TemplateMatch {
    if (this.readOnly) throw new Error('TemplateMiner: loaded read-only (for matching), cannot learn');
    const tokens = t.tokens;
    const g = this.findGroup(tokens, true);
    if (g === null) {
      if (this.byId.size >= this.opts.maxTemplates) this.evict(null);
      const ng = this.newGroup(tokens);
      return this.result(this.newTemplate(ng, ''), t, true);
    }
    g.count++;
    for (let p = 0; p < tokens.length; p++) {
      const tok = tokens[p]!;
      if (g.merged[p] === 1) {
        const e = g.enums.get(p);
        if (e !== undefined) {
          const before = e.get(tok);
          e.set(tok, (before ?? 0) + 1);
          if (this.isVariable(e, g.count, before === undefined ? tok : null)) this.makeVariable(g, p);
        }
      } else if (g.tokens[p] !== tok) {
        this.generalize(g, p, tok);
      }
    }
    const key = this.keyOf(g, tokens);
    const tpl = g.subs.get(key);
    if (tpl !== undefined) {
      tpl.count++;
      this.lfu.touch(tpl, tpl.count);
      return this.result(tpl, t, false);
    }
    if (this.byId.size >= this.opts.maxTemplates) this.evict(g);
    return this.result(this.newTemplate(g, key), t, true);
  }

  /** match() for a line already tokenized by the caller with the same masks. */
  matchTokenized(t: Tokenized): TemplateMatch | null {
    const tpl = this.matchTemplate(t.tokens);
    return tpl === null ? null : this.result(tpl, t, false);
  }

  /**
   * Read-only miners: the tokens of a template whose group has no enumerated
   * positions (frozen; they never change), else undefined.
   */
  constantTokens(id: number): readonly string[] | undefined {
    if (!this.readOnly) return undefined;
    const g = this.byId.get(id)?.group;
    return g !== undefined && g.enumPos.length === 0 ? g.tokens : undefined;
  }

  /** The id of the template matchTokenized() returns, or -1 for none (without building the match). */
  matchId(t: Tokenized): number {
    const tpl = this.matchTemplate(t.tokens);
    return tpl === null ? -1 : tpl.id;
  }

  private matchTemplate(tokens: readonly string[]): Template | null {
    const g = this.findGroup(tokens, false);
    if (g === null) return null;
    const key = this.keyOf(g, tokens);
    const tpl = g.only === undefined ? g.subs.get(key) : g.onlyKey === key ? g.only : undefined;
    return tpl ?? this.nearestTemplate(g, tokens);
  }

  templates(): Array<{ id: number; template: string; count: number }> {
    return [...this.byId.values()]
      .sort((a, b) => b.count - a.count || a.id - b.id)
      .map((tpl) => ({ id: tpl.id, template: this.shape(tpl).text, count: tpl.count }));
  }

  count(id: number): number {
    return this.byId.get(id)?.count ?? 0;
  }

  toJSON(): unknown {
    if (this.readOnly) throw new Error('TemplateMiner: loaded read-only (for matching), cannot be saved');
    const groups = new Set<Group>();
    for (const tpl of this.byId.values()) groups.add(tpl.group);
    return {
      format: FORMAT,
      version: VERSION,
      options: { ...this.opts, extraMasks: this.opts.extraMasks.map((m) => ({ ...m })) },
      nextId: this.nextId,
      nextSeq: this.nextSeq,
      header: this.headerTokens(),
      ...(this.field >= 0 ? { field: this.field } : {}),
      groups: [...groups]
        .sort((a, b) => a.seq - b.seq)
        .map((g) => ({
          seq: g.seq,
          tokens: g.tokens.slice(),
          merged: [...g.merged.keys()].filter((p) => g.merged[p] === 1),
          count: g.count,
          paths: g.paths.map((e) => [e.seq, e.path.slice()]),
          enums: g.enumPos.map((p) => [p, [...g.enums.get(p)!]]),
        })),
      // In eviction order, so that ties are broken the same way after a reload.
      templates: this.lfu.ordered().map((tpl) => ({ id: tpl.id, group: tpl.group.seq, values: tpl.values.slice(), count: tpl.count })),
    };
  }

  /**
   * A miner from toJSON() output. `readOnly`: for matching only (match,
   * matchTokenized, matchId, templates, count), in less memory: it cannot
   * learn or be saved.
   */
  static fromJSON(data: unknown, readOnly = false): TemplateMiner {
    const { options, nextId, nextSeq, header, field, groups, templates } = parseSnapshot(data);
    const m = new TemplateMiner(options, readOnly);
    m.header = new Map(header);
    m.headerValues = headerValuesEnd(m.header);
    m.field = field;
    const bySeq = new Map<number, Group>();
    const entries: Array<[PathEntry, Group]> = [];
    // Read-only: groups without merged positions share one all-zero mask.
    let noMerged: Uint8Array | null = null;
    if (readOnly) noMerged = new Uint8Array(groups.reduce((n, g) => Math.max(n, g.tokens.length), 0));
    for (const raw of groups) {
      // Spelled out (newGroup's fields in its order, then the read-only ones), not `...raw`: a group
      // spread from the parsed record got a hidden class of its own once its fields changed below,
      // about 0.4 KB of each loaded group.
      const g: Group = {
        seq: raw.seq,
        tokens: raw.tokens,
        merged: raw.merged,
        consts: 0,
        inHeader: 0,
        count: raw.count,
        paths: raw.paths,
        enumPos: raw.enumPos,
        enums: raw.enums,
        subs: new Map(),
        version: 0,
        mark: 0,
        only: undefined,
        onlyKey: undefined,
      };
      for (let p = 0; p < g.tokens.length; p++) if (g.merged[p] === 0) g.consts++;
      m.markHeader(g);
      if (readOnly) {
        if (g.consts === g.tokens.length && g.inHeader === 0) g.merged = noMerged!;
        if (g.enumPos.length === 0) {
          g.enums = NO_ENUMS;
          g.enumPos = NO_POSITIONS;
        }
      }
      for (const e of g.paths) {
        if (e.path[0] !== String(g.tokens.length) || e.path.length !== 1 + m.prefixLen(g.tokens.length)) throw malformed('group path');
        entries.push([e, g]);
      }
      m.aliases += g.paths.length - 1;
      bySeq.set(g.seq, g);
    }
    entries.sort((a, b) => a[0].seq - b[0].seq);
    for (let k = 0; k < entries.length; k++) {
      const [e, g] = entries[k]!;
      if (k > 0 && e.seq === entries[k - 1]![0].seq) throw malformed('duplicate path seq');
      e.node = m.nodeAt(e.path, true)!;
      e.node.groups.push(g);
      // Read-only: a path is only needed to save or evict the group (the node is kept).
      if (readOnly) e.path = NO_PATH;
    }
    for (const g of bySeq.values()) {
      if (readOnly) m.indexReadOnly(g);
      else m.indexGroup(g, true);
    }
    if (readOnly) {
      for (const top of m.root.values()) {
        m.compact(top);
        if (top.byToken !== undefined) for (const [tok, e] of top.byToken) if (Array.isArray(e)) top.byToken.set(tok, e.slice());
      }
      for (const g of bySeq.values()) g.paths = g.paths.slice();
    }
    for (const raw of templates) {
      const g = bySeq.get(raw.group);
      if (g === undefined || raw.values.length !== g.enumPos.length) throw malformed('template group');
      const key = raw.values.join(SEP);
      if (g.subs.has(key) || m.byId.has(raw.id)) throw malformed('duplicate template');
      const values = readOnly && raw.values.length === 0 ? NO_VALUES : raw.values;
      const tpl: Template = { id: raw.id, group: g, values, count: raw.count };
      g.subs.set(key, tpl);
      m.byId.set(tpl.id, tpl);
      if (!readOnly) m.lfu.add(tpl, tpl.count);
    }
    for (const g of bySeq.values()) {
      if (g.subs.size === 0) throw malformed('group without templates');
      if (readOnly && g.subs.size === 1) {
        const [[key, tpl]] = g.subs;
        g.only = tpl!;
        g.onlyKey = key!;
        g.subs = NO_SUBS;
      }
    }
    if (m.size > m.opts.maxTemplates) throw malformed('more templates than maxTemplates');
    m.nextId = nextId;
    m.nextSeq = nextSeq;
    return m;
  }

  // ---- internals ----

  // The most similar group filed under the line's leading tokens. A group
  // filed under other leading tokens wins when there is none, or when it fits
  // the line as is while the local one would have to be generalized; it is
  // then filed here too when learning, so that the next such line finds it.
  private findGroup(tokens: readonly string[], learn: boolean): Group | null {
    const leaf = this.leafFor(tokens);
    const local = leaf === null ? null : this.bestGroup(leaf, tokens);
    if (local !== null && this.lastSim >= 1) return local;
    const other = this.crossLeaf(tokens);
    if (other === null || (local !== null && this.lastSim < 1)) return local;
    if (learn) this.alias(other, tokens);
    return other;
  }

  /** `added`: the value this line added to the enumeration, null when it held it already. */
  private isVariable(e: Map<string, number>, total: number, added: string | null): boolean {
    // A value that names nothing ends the exemption, also while the limits below are not reached:
    // a miner saved and loaded again (which checks afresh) must decide as this one does.
    if (added !== null && !namesMessage(added)) this.named.delete(e);
    const d = e.size;
    if (d <= this.opts.maxEnumValues && (d < 3 || total >= this.opts.minEnumRepeats * d)) return false;
    // Values that name their message stay an enumeration, up to MAX_NAMED_VALUES: device codes are
    // an open set, and a log of made-up codes with one wording must not grow the model without end.
    if (d > MAX_NAMED_VALUES) return true;
    const named = this.named;
    if (named.has(e)) return false;
    for (const v of e.keys()) if (!namesMessage(v)) return true;
    named.add(e);
    return false;
  }

  private generalize(g: Group, p: number, tok: string): void {
    g.version++;
    const old = g.tokens[p]!;
    // The tokens a group is reached by depend on all its constants (reach()).
    this.indexGroup(g, false);
    if (g.merged[p] === 2) g.inHeader--;
    g.tokens[p] = WILDCARD;
    g.merged[p] = 1;
    g.consts--;
    this.indexGroup(g, true);
    if (this.opts.maxEnumValues < 2 || !isWord(old) || !isWord(tok)) return;
    // Until now every line of the group had `old` here.
    g.enums.set(p, new Map([[old, g.count - 1], [tok, 1]]));
    let idx = 0;
    while (idx < g.enumPos.length && g.enumPos[idx]! < p) idx++;
    g.enumPos.splice(idx, 0, p);
    const subs = [...g.subs.values()];
    g.subs.clear();
    for (const s of subs) {
      s.values.splice(idx, 0, old);
      g.subs.set(s.values.join(SEP), s);
    }
  }

  // The position is a variable after all: templates differing only there merge.
  private makeVariable(g: Group, p: number): void {
    g.version++;
    const idx = g.enumPos.indexOf(p);
    g.enumPos.splice(idx, 1);
    g.enums.delete(p);
    const subs = [...g.subs.values()].sort((a, b) => a.id - b.id);
    g.subs.clear();
    for (const s of subs) {
      s.values.splice(idx, 1);
      const key = s.values.join(SEP);
      const keep = g.subs.get(key);
      if (keep === undefined) {
        g.subs.set(key, s);
        continue;
      }
      keep.count += s.count;
      this.lfu.remove(s);
      this.byId.delete(s.id);
      this.lfu.touch(keep, keep.count);
    }
  }

  private keyOf(g: Group, tokens: readonly string[]): string {
    const ps = g.enumPos;
    if (ps.length === 0) return '';
    if (ps.length === 1) return tokens[ps[0]!]!;
    let key = tokens[ps[0]!]!;
    for (let k = 1; k < ps.length; k++) key += SEP + tokens[ps[k]!]!;
    return key;
  }

  // For match(): the template of the group agreeing on most enumerated values,
  // if the line is still similar enough to it as a whole.
  private nearestTemplate(g: Group, tokens: readonly string[]): Template | null {
    let same = 0;
    for (let p = 0; p < tokens.length; p++) if (g.merged[p] === 0 && g.tokens[p] === tokens[p]) same++;
    let best: Template | null = null;
    let bestSame = -1;
    for (const s of g.only === undefined ? g.subs.values() : [g.only]) {
      let k = 0;
      for (let i = 0; i < g.enumPos.length; i++) if (s.values[i] === tokens[g.enumPos[i]!]) k++;
      if (k > bestSame || (k === bestSame && best !== null && s.id < best.id)) {
        best = s;
        bestSame = k;
      }
    }
    const denom = telling(g) + g.enumPos.length;
    return best !== null && (denom === 0 || (same + bestSame) / denom >= this.opts.similarity) ? best : null;
  }

  // Results share one frozen token array per template shape: most lines do
  // not change their template, so this avoids a join per line.
  private shape(tpl: Template): { tokens: readonly string[]; text: string } {
    const c = tpl.cache;
    if (c !== undefined && c.version === tpl.group.version) return c;
    const out = tpl.group.tokens.slice();
    tpl.group.enumPos.forEach((p, i) => (out[p] = tpl.values[i]!));
    tpl.cache = { version: tpl.group.version, tokens: Object.freeze(out), text: out.join(' ') };
    return tpl.cache;
  }

  private result(tpl: Template, t: Tokenized, created: boolean): TemplateMatch {
    const { tokens, text } = this.shape(tpl);
    const params: string[] = [];
    let v = 0;
    for (let k = 0; k < t.tokens.length; k++) {
      const end = t.valueEnd[k]!;
      if (end > v) {
        while (v < end) params.push(t.values[v++]!);
      } else if (tokens[k] === WILDCARD) {
        params.push(t.tokens[k]!);
      }
    }
    return { id: tpl.id, template: text, tokens, params, created };
  }

  private newGroup(tokens: readonly string[]): Group {
    const seq = this.nextSeq++;
    const path = this.pathFor(tokens);
    const g: Group = {
      seq,
      tokens: tokens.slice(),
      merged: new Uint8Array(tokens.length),
      consts: tokens.length,
      inHeader: 0,
      count: 1,
      paths: [{ seq, path }],
      enumPos: [],
      enums: new Map(),
      subs: new Map(),
      version: 0,
      mark: 0,
    };
    g.paths[0]!.node = this.nodeAt(path, true)!;
    g.paths[0]!.node.groups.push(g);
    this.markHeader(g);
    this.indexGroup(g, true);
    return g;
  }

  private markHeader(g: Group): void {
    if (this.header.size === 0) return;
    for (const [p, tok] of this.header) {
      if (p >= g.tokens.length || g.merged[p] !== 0 || g.tokens[p] !== tok) continue;
      g.merged[p] = 2;
      g.inHeader++;
    }
  }

  // The first position from p on that can key the tree: not a header token,
  // and never the last token; -1 for none (and after none).
  private nextKey(tokens: readonly string[], p: number): number {
    const last = tokens.length - 1;
    if (p < 0) return -1;
    if (this.header.size === 0) return p < last ? p : -1;
    while (p < last && this.header.get(p) === tokens[p]) p++;
    return p < last ? p : -1;
  }

  private indexGroup(g: Group, add: boolean): void {
    const top = this.root.get(g.tokens.length)!;
    const index = top.index!;
    if (telling(g) === 0) {
      if (add) top.open!.add(g);
      else top.open!.delete(g);
    }
    for (const p of this.reach(g)) {
      const key = p + SEP + g.tokens[p]!;
      let set = index.get(key);
      if (add) {
        if (set === undefined) index.set(key, (set = new Set()));
        set.add(g);
      } else if (set !== undefined) {
        set.delete(g);
        if (set.size === 0) index.delete(key);
      }
    }
  }

  private indexReadOnly(g: Group): void {
    const top = this.root.get(g.tokens.length)!;
    if (telling(g) === 0) top.open!.add(g);
    const byToken = (top.byToken ??= new Map());
    for (const p of this.reach(g)) {
      const tok = g.tokens[p]!;
      const e = byToken.get(tok);
      if (e === undefined) byToken.set(tok, g);
      else if (!Array.isArray(e)) {
        if (e !== g) byToken.set(tok, [e, g]);
      } else if (e[e.length - 1] !== g) e.push(g);
    }
  }

  /** Read-only: nodes without children share one empty map; no spare room in arrays. */
  private compact(node: Node): void {
    node.groups = node.groups.slice();
    if (node.children.size === 0) node.children = NO_CHILDREN;
    else for (const c of node.children.values()) this.compact(c);
  }

  /**
   * The positions a group is indexed by: a set of its telling constants of
   * which every line it can accept shares at least one. bestGroup() accepts a
   * line only when it shares one of the group's wording constants (when it has
   * any; sharesWording), else at least half its constants; crossLeaf() only
   * when it misses at most floor(n * (1 - crossSimilarity)) of the n, so it
   * shares one of any one more than that (pigeonhole). Indexing a group by
   * every constant made a value token (`<*>`) that thousands of templates
   * share reach all of them from every line.
   */
  private reach(g: Group): number[] {
    const words: number[] = [];
    const others: number[] = [];
    for (let p = 0; p < g.tokens.length; p++) {
      if (g.merged[p] === 0) (isWording(g.tokens[p]!) ? words : others).push(p);
    }
    const n = words.length + others.length;
    const cross = maxMisses(n, this.opts.crossSimilarity) + 1;
    const need = Math.max(cross, words.length > 0 ? 0 : maxMisses(n, this.opts.similarity) + 1);
    if (need <= words.length) return words;
    return words.concat(others.slice(0, need - words.length));
  }

  // Every group a line can be accepted by shares at least one of the tokens
  // it is indexed by with the line, at the same position (reach()), or has no
  // constants at all, so the index yields all of them; `leaf` restricts the
  // result to the groups filed there.
  private candidates(tokens: readonly string[], leaf: Node | null): Group[] {
    const top = this.root.get(tokens.length);
    if (top === undefined) return [];
    const mark = ++this.markGen;
    const out: Group[] = [];
    const take = (g: Group): void => {
      if (g.mark === mark) return;
      g.mark = mark;
      if (leaf === null || g.paths.some((e) => e.node === leaf)) out.push(g);
    };
    for (const g of top.open!) take(g);
    if (this.readOnly) {
      const byToken = top.byToken;
      if (byToken !== undefined) {
        for (let p = 0; p < tokens.length; p++) {
          const tok = tokens[p]!;
          const e = byToken.get(tok);
          if (e === undefined) continue;
          // The groups holding the token as a constant at p, in filing order (as index[p + SEP + tok]).
          if (!Array.isArray(e)) {
            if (tellingAt(e, p, tok)) take(e);
          } else {
            for (const g of e) if (tellingAt(g, p, tok)) take(g);
          }
        }
      }
      return out;
    }
    for (let p = 0; p < tokens.length; p++) {
      const set = top.index!.get(p + SEP + tokens[p]!);
      if (set !== undefined) for (const g of set) take(g);
    }
    return out;
  }

  // Files the group under this line's leading tokens too, so that the next such
  // line finds it without a search; bounded like the templates themselves.
  private alias(g: Group, tokens: readonly string[]): void {
    if (this.aliases >= this.opts.maxTemplates) return;
    const path = this.pathFor(tokens);
    const node = this.nodeAt(path, true)!;
    node.groups.push(g);
    g.paths.push({ seq: this.nextSeq++, path, node });
    this.aliases++;
  }

  // Drain files a line by its leading tokens, so a variable there (`The <name>
  // service entered ...`, `DSDT (v001 ...)`) keeps it apart from its group for
  // good. On a miss, look at the same-length groups under other leading
  // tokens, with a stricter threshold since their keys do not agree.
  private crossLeaf(tokens: readonly string[]): Group | null {
    const cs = this.opts.crossSimilarity;
    let best: Group | null = null;
    let bestSim = -1;
    let bestSame = -1;
    for (const g of this.candidates(tokens, null)) {
      const same = agreement(g, tokens, cs);
      if (same < 0) continue;
      const sim = similarity(g, same);
      // Ties go to the oldest group: the index order is not part of the state.
      if (sim > bestSim || (sim === bestSim && (same > bestSame || (same === bestSame && g.seq < best!.seq)))) {
        best = g;
        bestSim = sim;
        bestSame = same;
      }
    }
    this.lastSim = bestSim;
    return best;
  }

  private newTemplate(g: Group, key: string): Template {
    const tpl: Template = { id: this.nextId++, group: g, values: g.enumPos.length === 0 ? [] : key.split(SEP), count: 1 };
    g.subs.set(key, tpl);
    this.byId.set(tpl.id, tpl);
    this.lfu.add(tpl, 1);
    return tpl;
  }

  private prefixLen(n: number): number {
    // The last token is never a key, so that `removing <name>` lines can merge.
    return Math.min(this.opts.prefixTokens, Math.max(0, n - 1));
  }

  private pathFor(tokens: readonly string[]): string[] {
    const path = [String(tokens.length)];
    let node = this.root.get(tokens.length);
    const depth = this.prefixLen(tokens.length);
    let p = 0;
    for (let k = 0; k < depth; k++) {
      p = this.nextKey(tokens, p);
      const key = this.keyAt(node, p < 0 ? NO_KEY : tokens[p++]!);
      path.push(key);
      node = node?.children.get(key);
    }
    return path;
  }

  private keyAt(node: Node | undefined, tok: string): string {
    if (node === undefined || node.children.has(tok)) return tok;
    return node.children.size < this.opts.maxChildren - 1 ? tok : WILDCARD;
  }

  private leafFor(tokens: readonly string[]): Node | null {
    let node = this.root.get(tokens.length);
    const depth = this.prefixLen(tokens.length);
    let p = 0;
    for (let k = 0; k < depth && node !== undefined; k++) {
      p = this.nextKey(tokens, p);
      node = node.children.get(this.keyAt(node, p < 0 ? NO_KEY : tokens[p++]!));
    }
    return node ?? null;
  }

  private nodeAt(path: readonly string[], create: boolean): Node | null {
    const len = Number(path[0]);
    let node: Node | undefined = this.root.get(len);
    if (node === undefined) {
      if (!create) return null;
      node = { children: new Map(), groups: [], index: new Map(), open: new Set() };
      this.root.set(len, node);
    }
    for (let k = 1; k < path.length; k++) {
      let next: Node | undefined = node.children.get(path[k]!);
      if (next === undefined) {
        if (!create) return null;
        next = { children: new Map(), groups: [] };
        node.children.set(path[k]!, next);
      }
      node = next;
    }
    return node;
  }

  private bestGroup(leaf: Node, tokens: readonly string[]): Group | null {
    const st = this.opts.similarity;
    const linear = leaf.groups.length <= LINEAR_SCAN;
    let best: Group | null = null;
    let bestSim = -1;
    let bestSame = -1;
    let bestSeq = 0;
    for (const g of linear ? leaf.groups : this.candidates(tokens, leaf)) {
      const same = agreement(g, tokens, st);
      if (same < 0) continue;
      const sim = similarity(g, same);
      if (sim < 1 && !sharesWording(g, tokens)) continue;
      // Ties go to the group filed first in the leaf (the scan order when linear).
      const seq = linear ? 0 : g.paths.find((e) => e.node === leaf)!.seq;
      if (sim > bestSim || (sim === bestSim && (same > bestSame || (same === bestSame && seq < bestSeq)))) {
        best = g;
        bestSim = sim;
        bestSame = same;
        bestSeq = seq;
      }
    }
    this.lastSim = bestSim;
    return best;
  }

  private evict(keep: Group | null): void {
    const victim = this.lfu.popMin();
    if (victim === undefined) return;
    this.byId.delete(victim.id);
    const g = victim.group;
    g.subs.delete(victim.values.join(SEP));
    if (g.subs.size > 0 || g === keep) return;
    this.aliases -= g.paths.length - 1;
    this.indexGroup(g, false);
    for (const e of g.paths) this.unfile(g, e.path);
  }

  // Removes the group from a leaf and prunes emptied nodes, so that memory
  // stays bounded by the templates kept.
  private unfile(g: Group, path: readonly string[]): void {
    const nodes: Node[] = [];
    let node = this.root.get(Number(path[0]))!;
    nodes.push(node);
    for (let k = 1; k < path.length; k++) nodes.push((node = node.children.get(path[k]!)!));
    const leaf = nodes[nodes.length - 1]!;
    leaf.groups.splice(leaf.groups.indexOf(g), 1);
    for (let k = nodes.length - 1; k >= 0; k--) {
      const n = nodes[k]!;
      if (n.groups.length > 0 || n.children.size > 0) break;
      if (k === 0) this.root.delete(Number(path[0]));
      else nodes[k - 1]!.children.delete(path[k]!);
    }
  }
}

/**
 * The end of the header's leading run of positions (header tokens from position 0 on) that hold
 * its values: up to and with a program's tag (a token ending `:`, `myd[<*>]:`) when the run has
 * one, else up to its first token without a value. A header found on a host of one message may run
 * into the message's words and values (`<*> myd[<*>]: request handled in <*> ms`): they are after
 * the tag, or after a word.
 */
function headerValuesEnd(header: ReadonlyMap<number, string>): number {
  let firstWord = -1;
  let p = 0;
  for (let tok = header.get(0); tok !== undefined; tok = header.get(++p)) {
    if (tok.endsWith(':')) return p + 1;
    if (firstWord < 0 && tok.indexOf('<*>') < 0) firstWord = p;
  }
  return firstWord < 0 ? p : firstWord;
}

/** Constant positions that tell a group's lines from others: not header tokens. */
function telling(g: Group): number {
  return g.consts - g.inHeader;
}

/** Whether the group holds the token at p as a telling constant. */
function tellingAt(g: Group, p: number, tok: string): boolean {
  return g.merged[p] === 0 && g.tokens[p] === tok;
}

/** Share of the group's telling constants a line shares (1 for a group without any). */
function similarity(g: Group, same: number): number {
  const n = telling(g);
  return n === 0 ? 1 : same / n;
}

/** Most of n telling constants a line may miss and still be similar at `threshold`. */
function maxMisses(n: number, threshold: number): number {
  return Math.floor(n * (1 - threshold) + 1e-9);
}

/**
 * Telling constant positions of the group that the line shares, or -1 when that is
 * below `threshold` of them; stops comparing as soon as the outcome is certain.
 */
function agreement(g: Group, tokens: readonly string[], threshold: number): number {
  const gt = g.tokens;
  const maxMiss = maxMisses(telling(g), threshold);
  let same = 0;
  let miss = 0;
  for (let k = 0; k < gt.length; k++) {
    if (g.merged[k] !== 0) continue;
    if (gt[k] === tokens[k]) same++;
    else if (++miss > maxMiss) return -1;
  }
  return same;
}

// Wording: a constant with two letters or more that is neither a value (`<*>]`)
// nor a key (`instance:`, `user=`), which name fields of any message, nor a
// level (`INFO`), which any message of a header without one dominant level
// holds (logcat, Zookeeper): `INFO Tag: cancelAutohide` and `INFO Tag:
// suspendAutohide` share no wording.
function isWording(tok: string): boolean {
  const end = tok.charCodeAt(tok.length - 1);
  if (end === 58 || end === 61 || tok.indexOf(WILDCARD) >= 0) return false;
  let letters = 0;
  for (let k = 0; k < tok.length && letters < 2; k++) {
    const c = tok.charCodeAt(k) | 32;
    if (c >= 97 && c <= 122) letters++;
  }
  return letters >= 2 && !(tok.length <= 9 && isLevel(tok));
}

/**
 * Whether the line shares at least one of the group's telling constant words,
 * when it has any: `[instance: <*>] Claim successful` and `[instance: <*>]
 * Terminating instance` share half their tokens but none of their wording,
 * and joining them would leave a template that says nothing.
 */
function sharesWording(g: Group, tokens: readonly string[]): boolean {
  let words = 0;
  for (let k = 0; k < g.tokens.length; k++) {
    if (g.merged[k] !== 0 || !isWording(g.tokens[k]!)) continue;
    if (g.tokens[k] === tokens[k]) return true;
    words++;
  }
  return words === 0;
}

function malformed(why: string): Error {
  return new Error(`TemplateMiner.fromJSON: malformed data (${why})`);
}

interface Snapshot {
  options: MinerOptions;
  nextId: number;
  nextSeq: number;
  header: Array<[number, string]>;
  field: number;
  groups: Array<Omit<Group, 'consts' | 'inHeader' | 'subs' | 'only' | 'onlyKey' | 'version' | 'mark'>>;
  templates: Array<{ id: number; group: number; values: string[]; count: number }>;
}

// Structural validation of toJSON() output; fromJSON() checks the cross-references.
function parseSnapshot(data: unknown): Snapshot {
  const isObj = (x: unknown): x is Record<string, unknown> => x !== null && typeof x === 'object' && !Array.isArray(x);
  const isInt = (x: unknown, min: number): x is number => Number.isInteger(x) && (x as number) >= min;
  const isStrArr = (x: unknown): x is string[] => Array.isArray(x) && x.every((s) => typeof s === 'string');
  if (!isObj(data)) throw malformed('not an object');
  if (data.format !== FORMAT || data.version !== VERSION) throw malformed('unknown format or version');
  const { options, nextId, nextSeq, header, groups, templates } = data;
  // Absent in models saved before header fields were recognised: they have none.
  const field = data.field ?? -1;
  if (field !== -1 && !isInt(field, 0)) throw malformed('header field');
  if (!isObj(options)) throw malformed('options');
  if (!isInt(nextId, 1) || !isInt(nextSeq, 1)) throw malformed('counters');
  if (!Array.isArray(groups) || !Array.isArray(templates)) throw malformed('groups or templates');
  if (!Array.isArray(header)) throw malformed('header');
  const out: Snapshot = { options: options as MinerOptions, nextId, nextSeq, header: [], field, groups: [], templates: [] };
  for (const e of header as unknown[]) {
    if (!Array.isArray(e) || !isInt(e[0], 0) || typeof e[1] !== 'string' || out.header.some(([p]) => p === e[0])) throw malformed('header');
    out.header.push([e[0], e[1]]);
  }
  const seqs = new Set<number>();
  for (const raw of groups as unknown[]) {
    if (!isObj(raw)) throw malformed('group');
    const { seq, tokens, merged, count, paths, enums } = raw;
    if (!isInt(seq, 1) || seq >= nextSeq || seqs.has(seq)) throw malformed('group seq');
    seqs.add(seq);
    if (!isStrArr(tokens)) throw malformed('group tokens');
    if (!isInt(count, 1) || !Array.isArray(merged) || !Array.isArray(enums) || !Array.isArray(paths) || paths.length === 0) {
      throw malformed('group fields');
    }
    const entries: PathEntry[] = [];
    for (const e of paths as unknown[]) {
      if (!Array.isArray(e) || !isInt(e[0], 1) || e[0] >= nextSeq || !isStrArr(e[1])) throw malformed('group path');
      entries.push({ seq: e[0], path: e[1].slice(), node: undefined });
    }
    if (entries[0]!.seq !== seq) throw malformed('group path');
    const mask = new Uint8Array(tokens.length);
    for (const p of merged as unknown[]) {
      if (!isInt(p, 0) || p >= tokens.length) throw malformed('merged position');
      mask[p] = 1;
    }
    const enumPos: number[] = [];
    const enumMap = new Map<number, Map<string, number>>();
    for (const e of enums as unknown[]) {
      if (!Array.isArray(e) || !isInt(e[0], 0) || mask[e[0]] !== 1 || !Array.isArray(e[1])) throw malformed('enum');
      if (enumPos.length > 0 && e[0] <= enumPos[enumPos.length - 1]!) throw malformed('enum order');
      const counts = new Map<string, number>();
      for (const kv of e[1] as unknown[]) {
        if (!Array.isArray(kv) || typeof kv[0] !== 'string' || !isInt(kv[1], 1)) throw malformed('enum value');
        counts.set(kv[0], kv[1]);
      }
      enumPos.push(e[0]);
      enumMap.set(e[0], counts);
    }
    out.groups.push({ seq, tokens: tokens.slice(), merged: mask, count, paths: entries, enumPos, enums: enumMap });
  }
  out.groups.sort((a, b) => a.seq - b.seq);
  for (const raw of templates as unknown[]) {
    if (!isObj(raw)) throw malformed('template');
    const { id, group, values, count } = raw;
    if (!isInt(id, 1) || id >= nextId || !isInt(count, 1) || !isStrArr(values) || !isInt(group, 1)) throw malformed('template fields');
    out.templates.push({ id, group, values: values.slice(), count });
  }
  return out;
}
