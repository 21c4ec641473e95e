// Words of a message and the failure vocabulary. Words are what the model
// compares between lines (unseen words, TF-IDF); failure terms are words that
// software writes when something goes wrong, whatever the system.

import { bracketLevelWord, isBracketOnlyLevel } from './level-word.js';

/** Longest word kept; longer letter runs are encoded data, not words. */
const MAX_WORD = 40;
/** Most words taken from one line, so a 1 MB line costs no more than a long one. */
export const MAX_WORDS = 64;

export function isLetter(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90);
}

export const isDigit = (c: number): boolean => c >= 48 && c <= 57;

/** Index just past a masker placeholder (`<*>`, `<ip>`) starting at `i`, or -1 when there is none. */
export function placeholderEnd(token: string, i: number): number {
  if (token.charCodeAt(i) !== 60 /* < */) return -1;
  const close = token.indexOf('>', i + 1);
  return close > i && close - i <= 66 ? close + 1 : -1;
}

/**
 * Index of the next letter of `token` at or after `i` that is not inside a
 * masker placeholder (`<*>`, `<ip>`), or token.length when there is none.
 */
export function nextLetter(token: string, i: number): number {
  const n = token.length;
  while (i < n) {
    const skip = placeholderEnd(token, i);
    if (skip >= 0) i = skip;
    else if (isLetter(token.charCodeAt(i))) return i;
    else i++;
  }
  return n;
}

/** A letter run token[start, end) glued to digits (`ab12cd`) is an identifier fragment, not a word. */
export function gluedToDigits(token: string, start: number, end: number): boolean {
  return (start > 0 && isDigit(token.charCodeAt(start - 1))) || (end < token.length && isDigit(token.charCodeAt(end)));
}

/**
 * Appends the lower-cased words (letter runs of 2..40 chars, inner apostrophes
 * kept so that "can't" stays one word) of a token to `out`. Placeholders such
 * as `<*>` or `<ticket>` are skipped: they are the masker's, not the line's.
 */
export function wordsOfToken(token: string, out: string[]): void {
  const n = token.length;
  let i = nextLetter(token, 0);
  while (i < n && out.length < MAX_WORDS) {
    const start = i;
    while (i < n) {
      const d = token.charCodeAt(i);
      if (isLetter(d)) i++;
      else if (d === 39 && i + 1 < n && isLetter(token.charCodeAt(i + 1)) && i > start) i++;
      else break;
    }
    const len = i - start;
    if (len >= 2 && len <= MAX_WORD && !gluedToDigits(token, start, i)) out.push(token.slice(start, i).toLowerCase());
    i = nextLetter(token, i);
  }
}

/** Distinct words of constant tokens (tokens that are not pure placeholders). */
export function wordsOfTokens(tokens: readonly string[]): string[] {
  const out: string[] = [];
  for (let k = 0; k < tokens.length && out.length < MAX_WORDS; k++) wordsOfToken(tokens[k]!, out);
  return dedupe(out);
}

export function dedupe(words: string[]): string[] {
  if (words.length < 2) return words;
  return [...new Set(words)];
}

// Severity of a failure term: how strongly the word alone says "something broke".
// High: the process or machine is in trouble. Medium: an operation failed.
// Low: degraded or noteworthy, often routine.
const HIGH = 1.0;
const MEDIUM = 0.8;
const LOW = 0.35;

const TERMS = new Map<string, number>();
for (const w of [
  'fatal', 'panic', 'panicked', 'segfault', 'oom', 'oops', 'corrupt', 'corrupted', 'corruption', 'crash', 'crashed',
  'crashing', 'critical', 'emergency', 'emerg', 'abort', 'aborted', 'aborting', 'killed', 'deadlock', 'deadlocked',
  'unrecoverable', 'outofmemory', 'outofmemoryerror', 'stackoverflowerror', 'coredump', 'coredumped', 'halted', 'hung',
  'sigsegv', 'sigabrt', 'sigbus', 'lockup', 'oomkilled', 'irrecoverable',
  // Signals as systemd names a process's end (`status=11/SEGV`, `status=6/ABRT`).
  'segv', 'abrt',
  // Hardware and platform failures: ECC and disk errors beyond repair, a CPU stuck in the kernel,
  // a container that keeps crashing (Kubernetes writes the state as one word).
  'uncorrectable', 'softlockup', 'hardlockup', 'crashloopbackoff',
]) TERMS.set(w, HIGH);
for (const w of [
  'error', 'errors', 'exception', 'exceptions', 'fail', 'failed', 'failure', 'failures', 'failing', 'fails',
  'refused', 'denied', 'timeout', 'timeouts', 'timedout', 'unreachable', 'unable', 'cannot', "can't", "couldn't",
  'invalid', 'incorrect', 'lost', 'broken', 'rejected', 'unavailable', 'violation', 'illegal', 'forbidden', 'unauthorized',
  'unhandled', 'uncaught', 'traceback', 'fault', 'faults', 'faulted', 'bad', 'refusing', 'unexpected', 'overflow',
  'underflow', 'mismatch', 'degraded', 'severe', 'alert', 'throttled', 'throttling', 'exhausted', 'killing', 'kill',
  'died', 'sigkill', 'anr', 'stuck', 'unexpectedly', 'insufficient', 'overloaded', 'unresponsive', 'unhealthy',
  'errno', 'hang', 'hangs', 'hanging', 'refuse', 'rejecting', 'inconsistent', 'inconsistency', 'misconfigured',
  // DNS: a resolver that could not answer (`query failed (SERVFAIL)`, a response code as a value).
  'servfail',
  // Firewalls' threat detection: ASA's `%ASA-4-733101: Host 45.83.64.19 is attacking.`
  'attacking',
  // `exited abnormally`, `hit ASSERT condition` (and Android's assert level, logcat.ts), a
  // malformed request or packet, a NULL pointer dereference, a backtrace printed as one word, a
  // device too hot.
  'abnormal', 'abnormally', 'assert', 'malformed', 'dereference', 'erroneous', 'unreadable', 'uncorrected', 'backtrace',
  'stacktrace', 'overheating', 'overheated', 'imagepullbackoff', 'errimagepull',
  // Rate limits imposed by a peer (`temporarily rate-limited`, as one word when joined).
  'ratelimited',
]) TERMS.set(w, MEDIUM);
for (const w of [
  'down', 'warn', 'warning', 'warnings', 'retry', 'retrying', 'disconnect', 'disconnected', 'reset', 'expired',
  'terminated', 'interrupted', 'dropped', 'dropping', 'missing', 'not', 'unknown', 'denial', 'blocked',
  'slow', 'full', 'leak', 'closed', 'offline', 'dead', 'sigterm', 'exceeded', 'exceeding', 'unusable', 'rollback',
  'exceeds', 'stalled', 'evicted', 'stall', 'stalls', 'flapping', 'failover', 'starved', 'starvation',
  // Mail not delivered this time (Postfix's and sendmail's `status=deferred`), or returned.
  'deferred', 'bounced',
]) TERMS.set(w, LOW);
// "not" and "closed" are too common to mean much alone; they count only in phrases.
TERMS.delete('not');
TERMS.delete('closed');

// Multi-word failure phrases, matched on consecutive words.
/** A phrase, its severity, and words after which it is not one (`cleared of ...`). */
type Phrase = readonly [readonly string[], number, (readonly string[])?];

const PHRASES: ReadonlyArray<Phrase> = [
  [['timed', 'out'], MEDIUM],
  [['could', 'not'], MEDIUM],
  [['out', 'of', 'memory'], HIGH],
  [['no', 'space'], HIGH],
  // `Not enough disk space`, `not enough memory`: insufficient, in two words.
  [['not', 'enough'], MEDIUM],
  [['rate', 'limited'], MEDIUM],
  [['not', 'responding'], MEDIUM],
  // A node or a service that stopped being ready (Kubernetes' `NodeNotReady`, `Node is not ready`).
  [['not', 'ready'], MEDIUM],
  [['no', 'route'], MEDIUM],
  [['too', 'many'], MEDIUM],
  [['not', 'found'], LOW],
  [['read', 'only'], LOW],
  [['connection', 'closed'], LOW],
  [['permission', 'denied'], MEDIUM],
  [['stack', 'trace'], MEDIUM],
  [['limit', 'reached'], MEDIUM],
  [['already', 'in', 'use'], MEDIUM],
  [['connection', 'reset'], MEDIUM],
  [['no', 'such'], LOW],
  [['giving', 'up'], MEDIUM],
  [['gave', 'up'], MEDIUM],
  [['core', 'dumped'], HIGH],
  // Kernel and hardware reports whose words are each ordinary: a machine check exception, a
  // general protection fault, `kernel BUG at mm/slab.c`, an oops' `Call Trace:`; a cluster whose
  // halves both think they lead. (`NULL pointer` is no phrase: null is masked as a value.)
  [['machine', 'check'], HIGH],
  [['general', 'protection'], HIGH],
  [['kernel', 'bug'], HIGH],
  [['split', 'brain'], HIGH],
  [['call', 'trace'], MEDIUM],
  // Linux: a file system that hit an error and was switched to read-only (ext3/ext4 `errors=
  // remount-ro`), and the hung-task detector's report of a process stuck in the kernel (written at
  // error level, though it starts with `INFO:`).
  [['remounting', 'filesystem', 'read', 'only'], HIGH],
  [['blocked', 'for', 'more', 'than'], HIGH],
  // A cleared audit or event log, the mark an intruder leaves covering their tracks: Windows writes
  // "The audit log was cleared." (event 1102) and "The System log file was cleared." (104) as
  // successful audits or information, in words each ordinary. Not a log "cleared of entries older
  // than 30 days": a retention job's routine purge.
  [['log', 'was', 'cleared'], HIGH, ['of']],
  [['log', 'file', 'was', 'cleared'], HIGH, ['of']],
  // A server starting after a crash, told as how it stopped, in words each ordinary: InnoDB's
  // `Database was not shutdown normally!`, PostgreSQL's `database system was not properly shut
  // down`, MongoDB's `Detected unclean shutdown`.
  [['not', 'shutdown', 'normally'], MEDIUM],
  [['not', 'shut', 'down', 'normally'], MEDIUM],
  [['not', 'properly', 'shut', 'down'], MEDIUM],
  [['not', 'cleanly', 'shut', 'down'], MEDIUM],
  [['unclean', 'shutdown'], MEDIUM],
];

/** The phrases by their first word: a line's words are looked up, not compared with every phrase. */
const PHRASES_BY_FIRST = new Map<string, Phrase[]>();
for (const p of PHRASES) {
  const list = PHRASES_BY_FIRST.get(p[0][0]!);
  if (list === undefined) PHRASES_BY_FIRST.set(p[0][0]!, [p]);
  else list.push(p);
}

/**
 * Phrases of reports that keep their whole severity whatever level the line declares
 * (lineFailureTerms): the kernel's hung-task report begins with `INFO:` (pr_err("INFO: task %s:%d
 * blocked for more than %ld seconds")), which is no level; a cleared log is an audit success.
 */
const REPORTED_AS_ERRORS: ReadonlySet<string> = new Set(['blocked for more than', 'log was cleared', 'log file was cleared']);

/**
 * Failure words that are counted nouns: a zero or a "no" before them says
 * there were none (`0 errors`, `no failures`; zero-counts.ts). Before another
 * word it may name something else (`worker 0 failed`, `No error handler`).
 */
export const COUNTED: ReadonlySet<string> = new Set(['errors', 'failures', 'warnings', 'exceptions', 'faults', 'timeouts', 'drops', 'crashes', 'retries']);

/** Most words of a noun phrase that a count or "no" before it quantifies (`0 failed login attempts`). */
export const PHRASE_WORDS = 3;

/** Punctuation that closes a clause or phrase after its last word (`interrupts.`, `errors,`, `failures)`). */
const CLOSES = '[.,;:)!]';
/** What a phrase's last word may carry after its letters: only closing punctuation. */
const CLOSING = new RegExp(`^${CLOSES}+$`);
/** A word followed by closing punctuation ends its clause (`no errors.`, `without error,`). */
const ENDS_CLAUSE = new RegExp(`^${CLOSES}`);

/** Length of the run of letters a token begins with (`errors,` -> 6). */
export function lettersAt0(t: string): number {
  let i = 0;
  while (i < t.length && isLetter(t.charCodeAt(i))) i++;
  return i;
}

/** A counted noun or a plural (`attempts`; not `status`, `process`, `this`): what a phrase counts. */
function countedNoun(word: string): boolean {
  return COUNTED.has(word) || (word.length >= 4 && word.endsWith('s') && !/(?:ss|us|is)$/.test(word));
}

/**
 * The last token of a noun phrase of two to PHRASE_WORDS words that starts at token `from`: words
 * of letters, the last a counted noun or a plural, which may carry closing punctuation or `(s)`
 * (`fatal errors`, `failed login attempts`, `critical input interrupts.`, `fatal error(s),`); -1
 * when no such phrase starts there. A zero or "no" before such a phrase says there was none of
 * what it names, its adjectives included: `0 fatal errors` reports no fatal error. A phrase of
 * one word is the caller's (`0 failed` after a worker's number is no count).
 */
export function quantifiedPhraseEnd(tokens: readonly string[], from: number): number {
  const last = Math.min(tokens.length, from + PHRASE_WORDS) - 1;
  for (let q = from; q <= last; q++) {
    const t = tokens[q]!;
    const i = lettersAt0(t);
    if (i < 2) return -1;
    const rest = t.slice(i);
    const plural = rest.startsWith('(s)');
    const tail = plural ? rest.slice(3) : rest;
    if (tail !== '' && !CLOSING.test(tail)) return -1;
    if (plural || countedNoun(t.slice(0, i).toLowerCase())) return q > from ? q : -1;
    // Punctuation closes the phrase before a noun came.
    if (rest !== '') return -1;
  }
  return -1;
}

/** The lower-cased word a token is: letters, then at most closing punctuation (`input`, `interrupts.`); '' otherwise. */
function bareWord(t: string | undefined): string {
  if (t === undefined) return '';
  const i = lettersAt0(t);
  return i >= 2 && (i === t.length || CLOSING.test(t.slice(i))) ? t.slice(0, i).toLowerCase() : '';
}

/**
 * Articles and prepositions: a phrase named again after one of them refers to what was named
 * (`spent on critical input interrupts`, `in a critical input interrupt`); after a count or a
 * quantifier (`2 failed jobs`, `many failed jobs`) it is counted anew.
 */
const REFERS: ReadonlySet<string> = new Set(['a', 'an', 'the', 'any', 'each', 'per', 'of', 'on', 'in', 'for', 'by', 'from', 'to', 'with', 'during', 'at']);

/**
 * Tokens outside the quantified phrase [from, end] that name one of its words again after an
 * article or a preposition (REFERS), followed by the word that follows it in the phrase (`critical
 * input` in `0 critical input interrupts. 0 microseconds spent on critical input interrupts`): the
 * line speaks again of what it counted, and what the count said of the word holds there too. A
 * phrase's last word alone (`0 errors ... errors found`) may name something else there, and is not
 * followed.
 */
export function phraseMentions(tokens: readonly string[], from: number, end: number): number[] {
  const out: number[] = [];
  for (let j = from; j < end; j++) {
    const word = bareWord(tokens[j]);
    const next = bareWord(tokens[j + 1]);
    if (word === '' || next === '') continue;
    for (let q = 1; q + 1 < tokens.length; q++) {
      if (q >= from && q <= end) continue;
      if (bareWord(tokens[q]) === word && bareWord(tokens[q + 1]) === next && REFERS.has(tokens[q - 1]!.toLowerCase())) out.push(q);
    }
  }
  return out;
}

/**
 * A value that says there is nothing: `None` (Python), `null`, `nil`, `<nil>` (Go), `false`, `no`,
 * `n/a`, `-` (an empty field of an access log), `[]`, `{}`, empty quotes. Only as a key's value: a
 * bare `null` before a word is no count (`null pointer`).
 */
export const NOTHING = /^(?:none|null|nil|<nil>|undefined|false|no|n\/a|-|\[\]|\{\}|""|'')$/i;

/**
 * Token k, a key's value, ends it: the last token, or closed by `,` or `;`, or followed by another
 * key (`error: null, retries: 2`, `errors: none failed: 0`; not `Error: null pointer`).
 */
export function endsValue(tokens: readonly string[], k: number): boolean {
  const after = tokens[k + 1];
  return after === undefined || /[,;]$/.test(tokens[k]!) || after.endsWith(':') || after.indexOf('=') > 0;
}

/**
 * Token k is a key whose value, glued to it or the next token, is a word for nothing that ends the
 * value (`Errors: none`, `error: null, retries: 2`, `failures = none`, `error=""`; not `Error: null
 * pointer`): there were none. A masked value (`error=None`) is judged per line (zero-counts.ts).
 */
function givenNothing(tokens: readonly string[], k: number): boolean {
  const t = tokens[k]!;
  const i = lettersAt0(t);
  if (i < 2) return false;
  // A value may carry the `,` or `;` that ends it.
  const saysNothing = (v: string): boolean => NOTHING.test(v.replace(/[,;]$/, ''));
  // Glued, as the masker left it: `error=""`, `errors:[]`.
  if (i + 1 < t.length && (t[i] === '=' || t[i] === ':')) return saysNothing(t.slice(i + 1));
  let v = k + 1;
  if (i === t.length && (tokens[v] === ':' || tokens[v] === '=')) v++;
  else if (t.length !== i + 1 || t[i] !== ':') return false;
  const value = tokens[v];
  return value !== undefined && saysNothing(value) && endsValue(tokens, v);
}

/**
 * Failure words the tokens say there were none of: `no errors`, `without
 * error.`, `zero failures`, `no failed login attempts`. Read on the tokens, not
 * the word list, which has lost punctuation and numbers (`Disk No. 3 failed`,
 * `Divide by zero error`): "no"/"without" is a token of its own right before
 * the word, and the word is a counted noun or ends its clause (`No error
 * handler registered` is about a handler), or begins a noun phrase that ends
 * in one or in a plural (quantifiedPhraseEnd), whose words are all negated;
 * "zero" takes counted nouns and such phrases only; so are the phrase's
 * words where the line names it again (phraseMentions), and a key given a
 * word for nothing (`Errors: none`). How many times each word is so negated.
 */
function noneBefore(tokens: readonly string[]): Map<string, number> | null {
  // Token indexes of negated words: a word repeated after a phrase is one mention, however reached.
  const negated = new Set<number>();
  // Every token, the last one too (`... errors:[]`).
  for (let k = 0; k < tokens.length; k++) if (givenNothing(tokens, k)) negated.add(k);
  for (let k = 0; k + 1 < tokens.length; k++) {
    const neg = tokens[k]!.toLowerCase();
    if (neg !== 'no' && neg !== 'without' && neg !== 'zero') continue;
    const next = tokens[k + 1]!;
    const i = lettersAt0(next);
    if (i < 2) continue;
    const word = next.slice(0, i).toLowerCase();
    const endsClause = i === next.length ? k + 2 === tokens.length : ENDS_CLAUSE.test(next.slice(i));
    if (COUNTED.has(word) || (neg !== 'zero' && endsClause)) {
      negated.add(k + 1);
      continue;
    }
    const end = quantifiedPhraseEnd(tokens, k + 1);
    if (end < 0) continue;
    for (let j = k + 1; j <= end; j++) negated.add(j);
    for (const q of phraseMentions(tokens, k + 1, end)) negated.add(q);
  }
  if (negated.size === 0) return null;
  const out = new Map<string, number>();
  for (const j of negated) {
    const t = tokens[j]!;
    const w = t.slice(0, lettersAt0(t)).toLowerCase();
    out.set(w, (out.get(w) ?? 0) + 1);
  }
  return out;
}

/** Drops the one-word terms the line negates at every occurrence (noneBefore). */
function withoutNegated(terms: FailureTerm[], tokens: readonly string[], words: readonly string[]): FailureTerm[] {
  const negated = noneBefore(tokens);
  if (negated === null) return terms;
  return terms.filter((t) => {
    const n = negated.get(t.term);
    if (n === undefined) return true;
    let written = 0;
    for (const w of words) if (w === t.term) written++;
    return written > n;
  });
}

/** The pseudo-term reported for a stack-trace frame line. */
export const STACK_FRAME = 'stack frame';

/**
 * Whether masked tokens are a stack-trace frame: `at pkg.Class.method(File.java:<*>)` (JVM
 * languages, also `(Native Method)` / `(Unknown Source)`, and a file whose name has digits, masked
 * whole: `(<*>)` for `Http11InputBuffer.java:419`); .NET's `at Ns.Class.Method(String path) in
 * <*>`; Node.js's `at fn (<*>)`, `at async fn (<*>)`, `at <*>`; frames of many methods merged
 * into one template (`at <*>`); Python's `File "x.py", line <*>, in f`; the kernel's
 * `schedule+<*>` (mask.ts: a symbol's offset masked, not the symbol) or `? schedule+<*>`, maybe
 * followed by its module (`[nfsv4]`); and the lines of other runtimes' traces (traceLine): Go's,
 * PHP's, Ruby's, the JVM's `... 12 more`, .NET's `--- End of stack trace ... ---`. Frames are
 * printed only with a failure.
 */
export function isStackFrame(tokens: readonly string[]): boolean {
  // A syslog or logger prefix may come first: look at the first few tokens, and a little further
  // after a longer prefix's separator.
  const n = tokens.length;
  const limit = Math.min(n, PREFIX_TOKENS);
  for (let k = 0; k < limit; k++) {
    if (k >= 4 && !afterSeparator(tokens, k)) continue;
    const t = tokens[k]!;
    // By the first character: this runs on the first tokens of every line trained and scored.
    const c = t.charCodeAt(0);
    if (c === 97 && t === 'at') return isFrameAfterAt(tokens, k + 1);
    if (c === 70 && t === 'File' && k + 4 < n) return tokens[k + 2] === 'line' && tokens[k + 3]!.startsWith('<') && tokens[k + 4] === 'in';
    if (traceLine(tokens, k, c) && (k === 0 || afterPrefix(tokens, k))) return true;
  }
  // The kernel's frame: its symbol last, or before its module; after the time (`[<*>]`), the
  // program (`kernel:`) or the `?` before an unreliable one.
  for (let k = Math.max(1, n - 2); k < n; k++) {
    const t = tokens[k]!;
    if (t.length > 4 && t.endsWith('+<*>') && KERNEL_SYMBOL.test(t) && (k === n - 1 || KERNEL_MODULE.test(tokens[n - 1]!))) {
      const before = tokens[k - 1]!;
      return before === '?' || before.endsWith(']') || before.endsWith(':');
    }
  }
  return false;
}

/**
 * Whether the tokens before `end` can only be a header's (masked times and ids, `app[<*>]:`,
 * `[main]`): `Connection closed at <*>` is no frame, `<*> app[<*>]: at <*>` is.
 */
function headerOnly(tokens: readonly string[], end: number): boolean {
  for (let k = 0; k < end; k++) {
    const t = tokens[k]!;
    if (t.indexOf('<*>') < 0 && !t.endsWith(':') && !t.endsWith(']')) return false;
  }
  return true;
}

/**
 * Whether the tokens before `k` are a line's prefix, not words of a sentence: a header
 * (headerOnly), or anything up to a program's tag with its process id (`myhost app[<*>]:`; not any
 * word before a colon: `Ticket <*>: created by jane.doe`), containerd's `stderr F`,
 * docker-compose's `app_1 |`, a logger's prefix up to its separator (afterSeparator).
 */
function afterPrefix(tokens: readonly string[], k: number): boolean {
  const before = tokens[k - 1]!;
  if (before.endsWith('[<*>]:') || before === '|') return true;
  if (k >= 2 && (before === 'F' || before === 'P') && (tokens[k - 2] === 'stderr' || tokens[k - 2] === 'stdout')) return true;
  return headerOnly(tokens, k) || afterSeparator(tokens, k);
}

/** Tokens a frame may come after: a header of up to 4 tokens, or a longer prefix up to its separator (afterSeparator). */
const PREFIX_TOKENS = 8;

/**
 * Whether token k follows a logger prefix's separator with a masked value (a time) before it:
 * Ruby's Logger (`E, [<*> #<*>] ERROR -- : <frame>`), log4j's layouts (`<*> ERROR [main]
 * c.f.Service - <frame>`), RFC 5424's nil fields (`<*> web01 java <*> - - <frame>`).
 */
function afterSeparator(tokens: readonly string[], k: number): boolean {
  // Tags after it first: Rails' tagged logging (`-- : [req-<*>] <frame>`).
  let j = k - 1;
  while (j > 1 && tokens[j]!.charCodeAt(0) === 91 && tokens[j]!.endsWith(']')) j--;
  const sep = tokens[j]!;
  if (sep !== '-' && sep !== ':' && sep !== '|' && sep !== '--') return false;
  for (let i = 0; i < j; i++) if (tokens[i]!.indexOf('<*>') >= 0) return true;
  return false;
}

/** A kernel symbol with its offset masked: `__schedule+<*>`, `xfs_buf_ioend.isra.0+<*>`. */
const KERNEL_SYMBOL = /^[A-Za-z_.$][\w.$]*\+<\*>$/;
/** The module a kernel frame's symbol is in: `[nfsv4]` (`[<*>]` when its name has digits), `[sunrpc]`. */
const KERNEL_MODULE = /^\[(?:<\*>|[a-z_][a-z0-9_]*)\]$/;
/** `pkg.Class.method(`: a name of two dots or more called (JVM, .NET `Ns.Type..ctor(String`); `os.path(` is no frame alone. */
const QUALIFIED_CALL = /^[A-Za-z_$][\w$`<>]*(?:\.{1,2}[\w$`<>|*]+){2,}(?:\[[\w$`<>,]*\])?\(/;
/** A call of a name without dots (.NET's generated `lambda_method12(`), a frame where nothing but a header comes before its `at`. */
const PLAIN_CALL = /^[A-Za-z_$][\w$`<>|]*\(/;
/** Where a JVM frame says it is: `(File.java:<*>)`, `(Native Method)`; `(<*>)` where the file name had digits (masked whole). */
const JVM_LOCATION = /^\([A-Za-z0-9_$]+\.(java|scala|kt|groovy|clj)(:|\))|^\((Native Method|Unknown Source)\)|^\(<\*>\)$/;
/** A Node.js frame's function: `processTicksAndRejections`, `Server.<anonymous>`, `Promise.all`, merged `<*>`. */
const NODE_NAME = /^(?:<\*>|[A-Za-z_$<][\w$.<>]*)$/;
/** Where a Node.js frame says it is: `(<*>)` (a path), `(node:<*>)`, `(<anonymous>)`, `(native)`. */
const NODE_LOCATION = /^\((?:node:|file:)?<\*>\)$|^\((?:<anonymous>|native)\)$/;

/** Whether a JVM location (JVM_LOCATION) follows the call's `(` at `open` of token k (it may span the next two tokens: `(Native Method)`). */
function jvmLocation(tokens: readonly string[], k: number, open: number): boolean {
  return JVM_LOCATION.test(tokens.slice(k, k + 3).join(' ').slice(open));
}

/** Whether a .NET frame's location ends the tokens: `in <*>` (its file and line, masked). */
function dotnetLocation(tokens: readonly string[]): boolean {
  const n = tokens.length;
  return tokens[n - 2] === 'in' && tokens[n - 1]!.indexOf('<*>') >= 0;
}

/** Whether the tokens from `k` on, after an `at`, are a frame's (headerOnly asked only where the form alone is not enough). */
function isFrameAfterAt(tokens: readonly string[], k: number): boolean {
  const n = tokens.length;
  const t1 = tokens[k];
  if (t1 === undefined) return false;
  // `at <*>`: the whole message (frames merged into one template, or Node's anonymous `at
  // /app/x.js:1:2`); `at node:<*>` (Node's own code).
  if (k + 1 === n && (t1 === WILDCARD_TOKEN || t1 === 'node:<*>')) return t1 !== WILDCARD_TOKEN || headerOnly(tokens, k - 1);
  if (t1.startsWith('<*>(') || t1.startsWith('<*>[')) {
    // A JDK 9+ frame's module path masked as one value: `<*>(Native Method)`, `<*>(Thread.java:<*>)`.
    if (t1 === '<*>(<*>)') return false;
    if (jvmLocation(tokens, k, 3)) return true;
    // .NET's names with digits, masked whole: async state machines (`<GetAsync>d__5.MoveNext()`),
    // lambdas (`<>c__DisplayClass5_0.<Run>b__0()`), generic types (``Dictionary`2.TryInsert(``).
    return dotnetLocation(tokens) || (tokens[n - 1]!.endsWith(')') && headerOnly(tokens, k - 1));
  }
  const open = t1.indexOf('(');
  if (open > 0 && QUALIFIED_CALL.test(t1)) {
    if (jvmLocation(tokens, k, open)) return true;
    // .NET: `in <*>` (its file and line) last, or nothing but a header before the `at`.
    return dotnetLocation(tokens) || headerOnly(tokens, k - 1);
  }
  if (open > 0 && tokens[n - 1]!.endsWith(')') && PLAIN_CALL.test(t1) && headerOnly(tokens, k - 1)) return true;
  // Node.js: `at [async|new] name [[as alias]] (location)`, the location last.
  let j = k;
  if (t1 === 'async' || t1 === 'new') j++;
  if (j >= n - 1 || !NODE_NAME.test(tokens[j]!)) return false;
  j++;
  if (tokens[j] === '[as' && j + 2 < n && tokens[j + 1]!.endsWith(']')) j += 2;
  return j === n - 1 && NODE_LOCATION.test(tokens[j]!);
}

/**
 * Whether the tokens from `k` on are a line of a trace other than the JVM's, .NET's, Node's,
 * Python's and the kernel's frames above:
 * - Go: `goroutine <*> [running]:`, a call whose arguments are all values (`main.(*T).run(<*>,
 *   ...)`, `<*>(*Store).Get(<*>, {<*>, <*>})`, the package path masked), `created by <*> in
 *   goroutine <*>` (the file lines under each, `/x/y.go:88 +0x2a`, are all value: `<*>`);
 * - PHP: `#0 /x.php(163): App\Foo->show(Object(Request))`, `#3 {main}`, `#1 [internal
 *   function]: ...`, Xdebug's `PHP   2. run_jobs() /x.php:9`; GDB's and systemd-coredump's
 *   `#0 0x00007f3c in raise (libc.so.6 + 0x3a9fb)`;
 * - Ruby: ``app/x.rb:12:in `show'``, ``from /x.rb:328:in `block in start'``, Ruby 3.4's
 *   `from /x.rb:328:in 'Foo#start'`, Rails' ``actionpack (7.0.4) lib/x.rb:6:in `send_action'``;
 * - the JVM's `... 12 more` and .NET's `--- End of stack trace from previous location ---`.
 */
function traceLine(tokens: readonly string[], k: number, c: number): boolean {
  const n = tokens.length;
  const t = tokens[k]!;
  switch (c) {
    case 103: // g
      // Since Go 1.23 (GOTRACEBACK=system) its g and m come before the state: `goroutine 1 gp=<*> m=<*> [running]:`.
      if (t === 'goroutine') return k + 2 < n && tokens[k + 1] === WILDCARD_TOKEN && (tokens[k + 2]!.startsWith('[') || tokens[k + 2]!.startsWith('gp=')) && tokens[n - 1]!.endsWith(']:');
      break;
    case 99: // c
      // A Go function, qualified (`Ticket created by admin` is no frame).
      if (t === 'created') return tokens[k + 1] === 'by' && k + 2 < n && isGoFunction(tokens[k + 2]!) && (k + 3 === n || (k + 6 === n && tokens[k + 3] === 'in' && tokens[k + 4] === 'goroutine'));
      break;
    case 102: // f
      if (t === 'from') return tokens[k + 1] === WILDCARD_TOKEN && k + 2 < n && (rubyMethod(tokens, k + 2) || (k + 3 === n && tokens[k + 2] === "'<*>'"));
      break;
    case 46: // .
      // The JVM's `... 12 more`, logback's `... 42 common frames omitted`.
      if (t !== '...' || tokens[k + 1] !== WILDCARD_TOKEN) return false;
      return (k + 3 === n && tokens[k + 2] === 'more') || (k + 5 === n && tokens[k + 2] === 'common' && tokens[k + 3] === 'frames' && tokens[k + 4] === 'omitted');
    case 45: // -
      // .NET's `--- End of stack trace from previous location ---`, `--- End of inner exception stack trace ---`.
      return t === '---' && tokens[k + 1] === 'End' && tokens[k + 2] === 'of' && (tokens[k + 3] === 'stack' || tokens[k + 3] === 'inner') && tokens[n - 1] === '---';
    case 80: // P
      // Xdebug's `PHP   2. Foo->run() /x.php:9`, `PHP   1. {main}() /x.php:0`.
      return t === 'PHP' && k + 3 < n && tokens[k + 1] === '<*>.' && XDEBUG_CALL.test(tokens[k + 2]!) && tokens[n - 1]!.indexOf('<*>') >= 0;
    case 116: // t
      // PHP's trace ends `thrown in /x.php on line 31`.
      return t === 'thrown' && k + 6 === n && tokens[k + 1] === 'in' && tokens[k + 3] === 'on' && tokens[k + 4] === 'line';
    case 35: // #
      // A numbered frame (mask.ts keeps the `#`): PHP's `#0 /x.php(163): call(...)`, `#1 [internal
      // function]: call(...)`, `#3 {main}`; GDB's and systemd-coredump's `#0 0x00007f3c in raise (...)`.
      if (t === '#<*>' && k + 1 < n) {
        const next = tokens[k + 1]!;
        if (next === '<*>:') return k + 2 < n && phpCall(tokens, k + 2);
        if (next === '[internal') return tokens[k + 2] === 'function]:' && k + 3 < n && phpCall(tokens, k + 3);
        if (next === '{main}') return k + 2 === n;
        return next === WILDCARD_TOKEN && tokens[k + 2] === 'in' && k + 3 < n;
      }
      break;
    case 60: // <
      // Ruby's `app/x.rb:12:in \`show'` (the file and its line one value).
      if (t === WILDCARD_TOKEN) return k + 1 < n && tokens[k + 1]!.charCodeAt(0) === 96 && rubyMethod(tokens, k + 1);
      break;
  }
  // A Go call's first token ends its first argument or the call.
  const last = t.charCodeAt(t.length - 1);
  if (last === 44 || last === 41) return isGoCall(tokens, k);
  // Rails' trimmed frame: a gem (a lower-case name), its version, the file, the method.
  return c >= 97 && c <= 122 && tokens[k + 1] === '(<*>)' && tokens[k + 2] === WILDCARD_TOKEN && rubyMethod(tokens, k + 3);
}

/** A PHP frame's call (after its number and file): `App\Foo->show(`, `reconcile(`, `{closure}(`, Laravel's `Router->Illuminate\Routing\{closure}(`. */
const PHP_CALL = /^\\?[A-Za-z_{][^\s(]*\(/;
/** Xdebug's frames name any function: `{main}()`, `run_jobs()`, `Foo->run()`. */
const XDEBUG_CALL = /^(?:\{main\}|[A-Za-z_\\][\w\\]*(?:(?:->|::)\w+)?)\(/;

/** Token j on is a PHP frame's call, and the whole rest of the line: its brackets close at the line's end (`App\Foo->show(Object(Request))`). */
function phpCall(tokens: readonly string[], j: number): boolean {
  if (!PHP_CALL.test(tokens[j]!)) return false;
  let depth = 0;
  for (let k = j; k < tokens.length; k++) {
    const t = tokens[k]!;
    for (let i = 0; i < t.length; i++) {
      const c = t.charCodeAt(i);
      if (c === 40) depth++;
      else if (c === 41 && --depth === 0 && (k < tokens.length - 1 || i < t.length - 1)) return false;
    }
  }
  return depth === 0;
}

/**
 * Ruby's method after its file, to the line's end: ``\`show'``, ``\`valid?'``, ``\`block in
 * start'``, ``\`block (2 levels) in <main>'``; not any text quoted so (``\`a.txt' -> \`b.txt'``).
 */
function rubyMethod(tokens: readonly string[], j: number): boolean {
  const n = tokens.length;
  if (j >= n || n - j > 5 || !RUBY_METHOD_START.test(tokens[j]!) || !RUBY_METHOD_END.test(tokens[n - 1]!)) return false;
  for (let k = j + 1; k < n - 1; k++) {
    const t = tokens[k]!;
    if (t !== 'in' && t !== '(<*>' && t !== 'levels)') return false;
  }
  return true;
}
const RUBY_METHOD_START = /^`(?:[A-Za-z_]\w*[!?=]?|<\w+>)'?$/;
const RUBY_METHOD_END = /^`?(?:[A-Za-z_]\w*[!?=]?|<\w+>)'$/;

/** What a Go frame's arguments are made of once masked: values, braces, commas, `...`, `?`. */
const GO_ARGS = /^[<*>{}(),.?]*$/;
/**
 * A Go function before its arguments: `main.main`, `main.(*T).run`, `pkg.F[...]`, `main.(*T).Run-fm`,
 * its package path masked (`<*>(*Store).Get`, `<*>`), a closure's `.func1` masked (`main.(*T)<*>`).
 */
const GO_FUNCTION = /^(?:<\*>|[A-Za-z_][\w-]*)(?:\.?\(\*[\w\[\].,]*\)|\.[\w-]+|\[[^\]]*\]|<\*>)*$/;
/** Packages whose functions are named without a path or a receiver: the main program's and the runtime's. */
const GO_PACKAGE = /^(?:main|runtime|sync|time|os|io|bufio|reflect|syscall|testing|context)\./;

/**
 * A Go function's name as a trace writes it: its package path (masked: it has slashes), a pointer
 * receiver, or a package of GO_PACKAGE; `panic` itself. Not any dotted name (`backup.tar.gz(45%)`,
 * `cache.Get(42)`, `created by backup.service`).
 */
function isGoFunction(name: string): boolean {
  return (name.startsWith(WILDCARD_TOKEN) || name.indexOf('(*') > 0 || GO_PACKAGE.test(name) || name === 'panic') && GO_FUNCTION.test(name);
}

/** Whether the tokens from `k` on are a Go call whose arguments are all values (traceLine). */
function isGoCall(tokens: readonly string[], k: number): boolean {
  const t = tokens[k]!;
  const open = t.lastIndexOf('(');
  if (open <= 0 || (k + 1 === tokens.length && !t.endsWith(')'))) return false;
  const name = t.slice(0, open);
  // `<*>(<*>)` alone is any value with another in brackets; `<*>()` a function of a package path.
  if (name === WILDCARD_TOKEN && k + 1 === tokens.length && t !== '<*>()') return false;
  if (!isGoFunction(name) || !GO_ARGS.test(t.slice(open + 1))) return false;
  for (let j = k + 1; j < tokens.length; j++) if (!GO_ARGS.test(tokens[j]!)) return false;
  return true;
}

/** mask.ts's WILDCARD (mask.ts imports this module). */
const WILDCARD_TOKEN = '<*>';

/**
 * Share of their severity that failure terms keep in a line whose own header
 * declares an informational level (`INFO`, `[debug]`, `Info`): the software
 * that wrote "0 errors", "exception syndrome register" or "retrying" at INFO
 * has already judged it routine, and that judgment is worth half the words.
 */
export const DECLARED_INFO_SHARE = 0.5;

/** Tokens of the line's header (timestamp, host, process, level) searched for a declared level. */
export const HEADER_TOKENS = 6;

// `note`: MySQL's and MariaDB's `[Note]`.
const INFO_LEVELS = new Set(['info', 'information', 'informational', 'debug', 'trace', 'notice', 'note', 'verbose', 'fine', 'finer', 'finest']);

/**
 * Share of their severity that failure terms keep in a line whose header
 * declares a warning level (`WARN`, `Warning:`, `[warn]`): the software judged
 * the trouble worth noting but not an error, and carried on.
 */
export const DECLARED_WARN_SHARE = 0.8;
const WARN_LEVELS = new Set(['warn', 'warning']);

const ERROR_LEVELS = new Set(['error', 'severe', 'fatal', 'critical', 'crit', 'alert', 'emerg', 'emergency', 'panic']);

export type DeclaredLevel = 'info' | 'warn' | 'error' | null;

/**
 * The level the line's header declares, when it is informational, a warning
 * or an error: a token among the first HEADER_TOKENS that is such a level name
 * in capitals (`INFO`, `WARN`, `ERROR`), capitalised (`Info`, Windows CBS;
 * `Warning:`), or in brackets in any case (`[notice]`, `[error]`, Apache),
 * optionally followed by `:` (`INFO:root:...`, Python). A bare lower-case
 * "info" or "error" is a word of the message, not a level.
 */
export function declaredLevel(tokens: readonly string[]): DeclaredLevel {
  const n = Math.min(tokens.length, HEADER_TOKENS);
  for (let k = 0; k < n; k++) {
    let t = tokens[k]!;
    if (t.endsWith(':') || t.endsWith(',')) t = t.slice(0, -1);
    // Brackets glued together (Elasticsearch, Logstash and OpenSearch: `[<time>][ERROR][o.e.c.Service]`,
    // `[<time>][INFO ` with the level padded to five): each bracket's text on its own.
    if (t.indexOf('][') > 0) {
      const glued = gluedLevel(t);
      if (glued !== null) return glued;
      continue;
    }
    const bracketed = t.length > 2 && ((t[0] === '[' && t.endsWith(']')) || (t[0] === '<' && t.endsWith('>')));
    if (bracketed) t = bracketLevelWord(t.slice(1, -1));
    else {
      const colon = t.indexOf(':');
      if (colon > 0) t = t.slice(0, colon);
    }
    if (t.length < 4 || t.length > 13) continue;
    const lower = t.toLowerCase();
    const level = levelOfWord(lower);
    if (level === null) continue;
    // `Note that ...`, `NOTE: backup failed` are words of a message; only `[Note]` is MySQL's level.
    if (!bracketed && isBracketOnlyLevel(lower)) continue;
    if (bracketed || t === t.toUpperCase() || t === lower[0]!.toUpperCase() + lower.slice(1)) return level;
  }
  return null;
}

/** The level a lower-cased word names, null for none. */
function levelOfWord(lower: string): DeclaredLevel {
  return INFO_LEVELS.has(lower) ? 'info' : WARN_LEVELS.has(lower) ? 'warn' : ERROR_LEVELS.has(lower) ? 'error' : null;
}

/** The level among brackets glued together (declaredLevel), null when none holds one. */
function gluedLevel(token: string): DeclaredLevel {
  for (const piece of token.split('][')) {
    const t = piece.replace(/^\[/, '').replace(/\]$/, '').trim();
    if (t.length < 4 || t.length > 13) continue;
    const lower = t.toLowerCase();
    const level = levelOfWord(lower);
    if (level !== null && t === t.toUpperCase()) return level;
  }
  return null;
}

/**
 * Words saying that the line's failure was repaired: ECC memory, caches and links correct bit errors
 * as routine (`instruction cache parity error corrected`, `3 input pipe error(s) detected and
 * corrected`, EDAC's `Corrected error, no action required`, a `correctable` error). Its failure
 * terms weigh at most LOW then; `uncorrected` and `uncorrectable` are other words, and keep theirs.
 */
const REPAIRED = new Set(['corrected', 'correctable']);
const UNREPAIRED = new Set(['uncorrected', 'uncorrectable']);
/** Words before `corrected` that say it was not (`not corrected`, `could not be corrected`, `non-correctable`). */
const UNDONE = new Set(['not', 'be', 'never', 'non']);

/**
 * Words that `full` before them describes as complete, not as out of room: a full resync, backup,
 * scan or garbage collection is a kind of operation (`Full resync requested by replica`, `Full GC`).
 */
const FULL_OPERATIONS = new Set([
  'sync', 'resync', 'synchronization', 'synchronisation', 'backup', 'backups', 'gc', 'scan', 'restart', 'reload',
  'refresh', 'rebuild', 'reindex', 'vacuum', 'compaction', 'snapshot', 'dump', 'export', 'import', 'copy', 'checkpoint',
  'text', 'name', 'path', 'speed', 'report', 'update', 'upgrade', 'access', 'control',
]);

/** Start of the first run of letters from i (the token's end when it has none). */
function lettersStart(token: string, i: number): number {
  while (i < token.length && !isLetter(token.charCodeAt(i))) i++;
  return i;
}

/** End of the run of letters from i. */
function lettersEnd(token: string, i: number): number {
  while (i < token.length && isLetter(token.charCodeAt(i))) i++;
  return i;
}

/** Whether the letters of token from i to j, in lower case, are an operation's name (FULL_OPERATIONS). */
function isOperation(token: string, i: number, j: number): boolean {
  return j > i && FULL_OPERATIONS.has(token.slice(i, j).toLowerCase());
}

/**
 * How many times the line says `full` of an operation: `full` ends its token (`Full`, `[Full`; not
 * `full,` or `full;`, after which a new clause starts: `Disk full, backup aborted`) and the next
 * token begins with an operation's name, or `full` is joined to one (`full-sync`, `Full-GC`,
 * `full_backup`, `full/incremental`).
 */
function fullOperations(tokens: readonly string[]): number {
  let n = 0;
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k]!;
    const i = lettersStart(t, 0);
    const j = lettersEnd(t, i);
    if (j - i !== 4 || t.slice(i, j).toLowerCase() !== 'full') continue;
    if (j === t.length) {
      const next = tokens[k + 1];
      if (next === undefined) continue;
      const a = lettersStart(next, 0);
      if (isOperation(next, a, lettersEnd(next, a))) n++;
    } else {
      const c = t.charCodeAt(j);
      if ((c === 45 || c === 95 || c === 47) && isOperation(t, j + 1, lettersEnd(t, j + 1))) n++;
    }
  }
  return n;
}

/**
 * Failure words given what the line's other words say: `full` in a line about duplex is a link's
 * mode (`1000 Mbps Full Duplex`, `duplex mode changed to Full`), and before an operation's name
 * (FULL_OPERATIONS) a kind of operation, not a full disk or queue; a repaired failure (REPAIRED)
 * weighs at most LOW.
 */
function inContext(terms: FailureTerm[], words: readonly string[], tokens: readonly string[]): FailureTerm[] {
  let duplex = false;
  let repaired = false;
  let fulls = 0;
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    if (w === 'duplex') duplex = true;
    else if (w === 'full') fulls++;
    else if (REPAIRED.has(w) && (i === 0 || !UNDONE.has(words[i - 1]!))) repaired = true;
  }
  if (duplex || (fulls > 0 && fullOperations(tokens) >= fulls)) terms = terms.filter((t) => t.term !== 'full');
  // A mild term that says how something ended well: Redis' routine `Background saving terminated
  // with success`, `process interrupted successfully`.
  if (terms.some((t) => t.severity <= LOW)) terms = terms.filter((t) => t.severity > LOW || !endedWell(words, t.term));
  if (repaired) terms = terms.map((t) => (UNREPAIRED.has(t.term) || t.severity <= LOW ? t : { term: t.term, severity: LOW }));
  return terms;
}

/**
 * Mild terms that name the harm itself, however well it went: the kubelet's `pod is evicted
 * successfully` is a pod evicted (a review's disk pressure incidents: 0.44, one in three flagged).
 */
const HARM_DONE: ReadonlySet<string> = new Set(['evicted']);

/** Whether the word `term` is followed by `successfully` or `with success` (a phrase is not, nor HARM_DONE). */
function endedWell(words: readonly string[], term: string): boolean {
  if (HARM_DONE.has(term)) return false;
  const i = words.indexOf(term);
  if (i < 0) return false;
  const next = words[i + 1];
  return next === 'successfully' || (next === 'with' && words[i + 2] === 'success');
}

/**
 * Failure terms of a line given its masked tokens: words, phrases and the
 * stack-frame shape, read in the context of the line's other words (inContext); at
 * DECLARED_INFO_SHARE (DECLARED_WARN_SHARE) of their severity when the line
 * declares an informational level.
 */
export function lineFailureTerms(tokens: readonly string[]): FailureTerm[] {
  const terms = wordingTerms(tokens);
  if (isStackFrame(tokens)) terms.push({ term: STACK_FRAME, severity: MEDIUM });
  if (terms.length === 0) return terms;
  const share = levelShare(declaredLevel(tokens));
  return share === 1 ? terms : terms.map((t) => (REPORTED_AS_ERRORS.has(t.term) ? t : { term: t.term, severity: t.severity * share }));
}

/**
 * A quoted value of several words, the text a line quotes (`Got error 'PHP Fatal error: ...'`,
 * `info: "Connection refused"`): the masker hides it in one slot, so its failure words are read
 * here (textFailureTerms), per line, as a line's own are. Single words go through
 * valueTermSeverity; a quoted object or list (`"{'error': null}"`, `[1, 2]`) is data, not wording
 * (`[Errno 111] Connection refused` is wording). A quoted chunk longer than MAX_TOKEN_CHARS is a
 * bare `<*>` whose value still opens with its quote (a PHP fatal error with its stack trace).
 */
export function isQuotedText(token: string, value: string): boolean {
  // The token first: most are a bare `<*>`, and a value may be long.
  let at = 0;
  if (token.length === 3) {
    if (token !== '<*>') return false;
    // The whole chunk is the value: it opens with the quote, or with a key and the quote.
    at = LONG_QUOTED.exec(value)?.[0].length ?? 0;
    if (at === 0) return false;
  } else if (token.length < 5 || (token.indexOf('"<*>') < 0 && token.indexOf("'<*>") < 0)) return false;
  if (value.indexOf(' ') <= 0) return false;
  const c = value.charCodeAt(at);
  if (c === 123 /* { */) return false;
  if (c !== 91 /* [ */) return true;
  const d = value.charCodeAt(at + 1);
  return !(d === 123 || d === 91 || d === 34 || d === 39 || d === 93 || d === 45 || (d >= 48 && d <= 57));
}

/** The opening of a chunk too long to be masked in parts: a quote, or a key, `=` and a quote. */
const LONG_QUOTED = /^(?:[A-Za-z_][\w.-]{0,63}=)?["']/;

/**
 * Quoted texts' failure terms, by a hash of the text (not the text: a key would keep alive the
 * whole line it was sliced from): the same texts (user agents, messages) come back.
 */
const textTerms = new Map<number, readonly FailureTerm[]>();
const TEXT_CACHE = 8192;
/** Longer texts are read up to here: the words that say what happened come first. */
const TEXT_CHARS = 1024;
const NO_TERMS: readonly FailureTerm[] = Object.freeze([]);
/** A count of none: `0`, `0,`, `0)`. */
const ZERO = /^0[,;:.)\]]*$/;

/**
 * Failure terms of a quoted text (isQuotedText), in the context of its own words, at full
 * severity. Not read as failures: a word given a count of none (`0 errors`, `errors: 0`,
 * `errors=0`), a key's name (`ignore_errors=true`: only the value after `=` is wording), paths
 * and URLs (`/var/log/error.log`, `/fail?timeout=30`), which the masker would have hidden.
 */
export function textFailureTerms(value: string): readonly FailureTerm[] {
  const text = value.length > TEXT_CHARS ? value.slice(0, TEXT_CHARS) : value;
  if (!mayHoldTerms(text)) return NO_TERMS;
  const key = textKey(text);
  const cached = textTerms.get(key);
  if (cached !== undefined) return cached;
  const raw = text.split(' ');
  const tokens: string[] = [];
  /** Words given a count of none. */
  let none: Set<string> | null = null;
  for (let k = 0; k < raw.length; k++) {
    let t = raw[k]!;
    if (t === '') continue;
    const eq = t.indexOf('=');
    if (eq >= 0) {
      const v = t.slice(eq + 1);
      if (ZERO.test(v)) (none ??= new Set()).add(leadingWord(t));
      t = v;
    }
    if (t.indexOf('/') >= 0 || t.indexOf('\\') >= 0) continue;
    if (ZERO.test(t)) {
      // `0 errors` (the next word) and `errors: 0` (the word before, written as a key).
      if (k + 1 < raw.length) (none ??= new Set()).add(leadingWord(raw[k + 1]!));
      const prev = tokens.length > 0 ? tokens[tokens.length - 1]! : '';
      if (prev.endsWith(':')) (none ??= new Set()).add(leadingWord(prev));
      continue;
    }
    tokens.push(t);
  }
  let terms: readonly FailureTerm[] = wordingTerms(tokens);
  if (none !== null && terms.length > 0) {
    const n = none;
    terms = terms.filter((t) => !n.has(t.term.split(' ')[0]!));
  }
  if (terms.length === 0) terms = NO_TERMS;
  if (textTerms.size >= TEXT_CACHE) textTerms.clear();
  textTerms.set(key, terms);
  return terms;
}

/**
 * Words that may start a failure term or phrase, by their first four letters (a-z, 26^4 entries),
 * and the shorter ones whole: a text none of whose words starts like one, or ends like a class
 * name of one (`...Exception`, `...Error`, `...Failure`), is read no further. Most quoted texts
 * are user agents and such, and splitting each into words cost more than the rest of the line.
 */
const TERM_PREFIXES = new Uint8Array(26 ** 4);
const SHORT_TERM_WORDS = new Set<string>();
for (const w of [...TERMS.keys(), ...PHRASES.map((p) => p[0][0]!)]) {
  if (!/^[a-z]+$/.test(w)) {
    // `can't`, `couldn't`: their letters before the apostrophe.
    const head = /^[a-z]+/.exec(w)?.[0] ?? '';
    if (head.length >= 4) TERM_PREFIXES[prefixIndex(head, 0)] = 1;
    else if (head.length > 0) SHORT_TERM_WORDS.add(head);
  } else if (w.length >= 4) TERM_PREFIXES[prefixIndex(w, 0)] = 1;
  else SHORT_TERM_WORDS.add(w);
}

function prefixIndex(w: string, at: number): number {
  let k = 0;
  for (let i = at; i < at + 4; i++) k = k * 26 + ((w.charCodeAt(i) | 32) - 97);
  return k;
}

function endsWithWord(text: string, end: number, suffix: string): boolean {
  const n = suffix.length;
  for (let i = 0; i < n; i++) if ((text.charCodeAt(end - n + i) | 32) !== suffix.charCodeAt(i)) return false;
  return true;
}

/** Whether some word of the text may be a failure term (TERM_PREFIXES); false means surely none. */
function mayHoldTerms(text: string): boolean {
  const n = text.length;
  let i = 0;
  while (i < n) {
    let c = text.charCodeAt(i) | 32;
    if (c < 97 || c > 122) {
      i++;
      continue;
    }
    const start = i;
    while (i < n && (c = text.charCodeAt(i) | 32) >= 97 && c <= 122) i++;
    const len = i - start;
    if (len >= 4) {
      if (TERM_PREFIXES[prefixIndex(text, start)] === 1) return true;
      for (const [suffix, shortest] of CLASS_SUFFIXES) if (len >= shortest && endsWithWord(text, i, suffix)) return true;
    } else if (len >= 2 && SHORT_TERM_WORDS.has(text.slice(start, i).toLowerCase())) return true;
  }
  return false;
}

/** The lower-case letters a token starts with (`errors:` -> `errors`). */
function leadingWord(t: string): string {
  return t.slice(0, lettersAt0(t)).toLowerCase();
}

/** Two 32-bit FNV-1a hashes of the text (different offsets) as one number of 53 bits. */
function textKey(text: string): number {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 16777619);
    b = Math.imul(b ^ c, 0x5bd1e995);
  }
  return (a >>> 0) * 2097152 + ((b >>> 0) & 0x1fffff);
}

/** The failure terms of some wording's tokens, not negated, in the context of its words. */
function wordingTerms(tokens: readonly string[]): FailureTerm[] {
  const words = orderedWords(tokens);
  const terms = camelTerms(tokens, failureTerms(words));
  return terms.length === 0 ? terms : inContext(withoutNegated(terms, tokens, words), words, tokens);
}

/**
 * `terms` and the camel-case words of the wording whose parts name a failure (camelTermSeverity):
 * containerd's `TaskOOM event`, mdadm's `DegradedArray event`, each one term (its word, lower-cased).
 * Before 2026-11-25 only a slot's values were read so, and an OOM told as `TaskOOM` had no failure word.
 */
function camelTerms(tokens: readonly string[], terms: FailureTerm[]): FailureTerm[] {
  for (const t of tokens) {
    const c = t.charCodeAt(0);
    if (c < 65 || c > 90) continue;
    const s = camelTermSeverity(t);
    if (s > 0) terms.push({ term: t.toLowerCase(), severity: s });
  }
  return terms;
}

/** Share of their severity that failure terms keep given the level the line's header declares. */
export function levelShare(level: DeclaredLevel): number {
  return level === 'info' ? DECLARED_INFO_SHARE : level === 'warn' ? DECLARED_WARN_SHARE : 1;
}

/** Java/.NET class names (NullPointerException, IOError, ...): the suffix, and the shortest such word. */
const CLASS_SUFFIXES: ReadonlyArray<readonly [suffix: string, shortest: number]> = [
  ['exception', 10],
  ['error', 7],
  ['failure', 7],
];

/** Severity of one word as a failure term (0 when it is not one). */
export function termSeverity(word: string): number {
  const s = TERMS.get(word);
  if (s !== undefined) return s;
  for (const [suffix, shortest] of CLASS_SUFFIXES) if (word.length >= shortest && word.endsWith(suffix)) return MEDIUM;
  return 0;
}

export interface FailureTerm {
  term: string;
  severity: number;
}

/**
 * Severity of a masked value as a failure term: a one-word value, or words
 * joined by `_` or `-` (`failed`, `FAILED`, `E_FAIL`, `timed_out`), as
 * structured lines write an outcome (`status=failed`, `res=failed`,
 * `"state":"ERROR"`). 0 for anything else (numbers, paths, free text).
 */
export function valueTermSeverity(value: string): number {
  const n = value.length;
  if (n < 2 || n > MAX_WORD) return 0;
  if (!isLetter(value.charCodeAt(0))) return exitStatusSeverity(value);
  let joined = false;
  let hump = false;
  for (let i = 1; i < n; i++) {
    const c = value.charCodeAt(i);
    if (isLetter(c)) {
      if (c <= 90 && !hump) {
        const b = value.charCodeAt(i - 1);
        hump = b >= 97 && b <= 122;
      }
      continue;
    }
    if (c !== 95 /* _ */ && c !== 45 /* - */) return 0;
    joined = true;
  }
  const lower = value.toLowerCase();
  if (!joined) return absentFailure(lower) ? 0 : termSeverity(lower) || (hump ? partsSeverity(camelWords(value, true)) : 0);
  const parts = lower.split(/[_-]+/);
  const sev = partsSeverity(parts);
  if (sev > 0 || NEGATIONS.has(parts[0]!)) return sev;
  // Written apart, one word still: `core-dump`, `out-of-memory`, `time-out`.
  const whole = parts.join('');
  return absentFailure(whole) ? 0 : termSeverity(whole);
}

/**
 * The severity of an exit status written with its name, as systemd does (`1/FAILURE`, `11/SEGV`,
 * `203/EXEC`): its name's; 0 for any other value (numbers are most values: no regular expression).
 */
function exitStatusSeverity(value: string): number {
  const n = value.length;
  let i = 0;
  while (i < n && i < 4 && isDigit(value.charCodeAt(i))) i++;
  if (i === 0 || i > 3 || value.charCodeAt(i) !== 47 /* / */ || n - i - 1 < 2) return 0;
  for (let k = i + 1; k < n; k++) if (!isLetter(value.charCodeAt(k))) return 0;
  const name = value.slice(i + 1).toLowerCase();
  return EXIT_FAILURES.has(name) ? termSeverity(name) : 0;
}

/**
 * Signals that end a process by a fault, by number (Linux): SIGILL 4, SIGABRT 6, SIGBUS 7, SIGFPE 8,
 * SIGSEGV 11; SIGKILL 9 (killed, by the OOM killer or an operator) weighs less. SIGTERM 15 and
 * SIGHUP 1 are how processes are stopped and reloaded: none.
 */
const FAULT_SIGNALS: ReadonlyMap<string, number> = new Map([['4', HIGH], ['6', HIGH], ['7', HIGH], ['8', HIGH], ['11', HIGH], ['9', MEDIUM]]);

/**
 * The severity of a value that is a signal's number right after the word `signal` (the token
 * before the value's own): MySQL's `mysqld got signal 11 ;`, Redis' `crashed by signal: 11`,
 * `exited on signal 6`. Masked, the number was any value, and a crash read as a new message alone
 * (0.40 in a review's MySQL).
 */
export function signalSeverity(before: string | undefined, value: string): number {
  return before !== undefined && value.length <= 2 && SIGNAL_WORD.test(before) ? (FAULT_SIGNALS.get(value) ?? 0) : 0;
}
const SIGNAL_WORD = /^signal:?$/i;

/**
 * The names systemd gives a failed end (`FAILURE`, signals that kill); only these: `0/NOERROR` is
 * none, and a syslog level written so (`1/alert`) is no exit status.
 */
const EXIT_FAILURES: ReadonlySet<string> = new Set(['failure', 'segv', 'abrt', 'kill']);

/**
 * The failure severity of a camel-case word's parts alone (`DegradedArray`), 0 when it has none or
 * the whole word is a failure term itself: for a line's own word where its template has a slot,
 * whose whole words were read as its wording's.
 */
export function camelTermSeverity(token: string): number {
  const n = token.length;
  if (n < 4 || n > MAX_WORD) return 0;
  for (let i = 0; i < n; i++) if (!isLetter(token.charCodeAt(i))) return 0;
  // camelWords finds no word in most tokens, before any lower-casing.
  const words = camelWords(token, false);
  return words.length > 0 && termSeverity(token.toLowerCase()) === 0 ? partsSeverity(words) : 0;
}

/** A failure named, in one word, to say it is absent: DNS's `NOERROR` (`noerror` ends as a class name does), `NoError`, `nonfatal`. */
function absentFailure(lower: string): boolean {
  return (lower.startsWith('non') && TERMS.has(lower.slice(3))) || (lower.startsWith('no') && TERMS.has(lower.slice(2)));
}

/** The failure severity of a value's words; `no_error`, `non-fatal`, `NoError`: the failure named to say it is absent. */
/** Words before a failure word that say there was none (`no_error`, `non-fatal`). */
const NEGATIONS: ReadonlySet<string> = new Set(['no', 'non', 'without']);

function partsSeverity(parts: readonly string[]): number {
  if (parts.length < 2 || NEGATIONS.has(parts[0]!)) return 0;
  return maxSeverity(parts);
}

/**
 * The words of a camel-case state or event name, lower-cased (`AccessDenied`: access, denied),
 * split where a lower-case letter meets a capital: mdadm's events (`DegradedArray`), Kubernetes'
 * reasons (`reason=FailedAttachVolume`), cloud APIs' error codes (`errorCode=InvalidClientTokenId`)
 * and state names (`state=ConnectionRefused`) name failures so. Not identifiers, which name things
 * ([] for them): a lower-camel property or bean name (`errorChannel`), a failure word before an
 * agent (`ErrorHandler`, `AbortController`, `TimeoutSweeper`), and, for a line's own word rather
 * than a key's value (`keyed` false), a name of three words or more (a job `FailedPaymentRetry`).
 */
function camelWords(value: string, keyed: boolean): readonly string[] {
  const first = value.charCodeAt(0);
  if (first < 65 || first > 90) return NO_WORDS;
  let out: string[] | null = null;
  let start = 0;
  for (let i = 1; i < value.length; i++) {
    const c = value.charCodeAt(i);
    const b = value.charCodeAt(i - 1);
    if (c >= 65 && c <= 90 && b >= 97 && b <= 122) {
      (out ??= []).push(value.slice(start, i).toLowerCase());
      start = i;
    }
  }
  if (out === null) return NO_WORDS;
  out.push(value.slice(start).toLowerCase());
  if (!keyed && out.length > 2) return NO_WORDS;
  // An action named by its verb (`AbortMultipartUpload`, an S3 call; `CrashPlan`) is no failure.
  if (ACTIONS.has(out[0]!)) return NO_WORDS;
  for (let k = 0; k + 1 < out.length; k++) if (termSeverity(out[k]!) > 0 && AGENTS.has(out[k + 1]!)) return NO_WORDS;
  return out;
}

const NO_WORDS: readonly string[] = Object.freeze([]);

/** Failure words that, first in a camel-case name, are a verb naming an action (`AbortMultipartUpload`). */
const ACTIONS: ReadonlySet<string> = new Set(['abort', 'kill', 'fail', 'crash', 'reject', 'deny', 'refuse', 'panic', 'timeout', 'error']);

/** Agent nouns: things that deal with what the word before them names (`ErrorHandler`), not its state. */
const AGENTS: ReadonlySet<string> = new Set([
  'handler', 'handlers', 'controller', 'reporter', 'sweeper', 'listener', 'manager', 'monitor', 'translator', 'processor',
  'checker', 'detector', 'collector', 'logger', 'tracker', 'resolver', 'dispatcher', 'scheduler', 'worker', 'interceptor',
  'watcher', 'cleaner', 'notifier', 'filter', 'page', 'channel', 'queue', 'policy', 'strategy', 'callback', 'hook',
]);

/** Whether the words from i on begin with the phrase. */
function phraseAt(words: readonly string[], i: number, phrase: readonly string[], notBefore?: readonly string[]): boolean {
  if (phrase[0] !== words[i] || i + phrase.length > words.length) return false;
  for (let k = 1; k < phrase.length; k++) if (words[i + k] !== phrase[k]) return false;
  return notBefore === undefined || !notBefore.includes(words[i + phrase.length]!);
}

/** The highest severity among the failure terms and phrases of `words` (those failureTerms lists), 0 for none. */
function maxSeverity(words: readonly string[]): number {
  let max = 0;
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    const s = termSeverity(w);
    if (s > max) max = s;
    const phrases = PHRASES_BY_FIRST.get(w);
    if (phrases !== undefined) for (const [phrase, sev, notBefore] of phrases) if (sev > max && phraseAt(words, i, phrase, notBefore)) max = sev;
  }
  return max;
}

/** Failure terms (and phrases, joined by a space) among a line's words, in order, distinct. */
export function failureTerms(words: readonly string[]): FailureTerm[] {
  let out: FailureTerm[] | null = null;
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    const s = termSeverity(w);
    if (s > 0) (out ??= []).push({ term: w, severity: s });
    const phrases = PHRASES_BY_FIRST.get(w);
    if (phrases !== undefined) for (const [phrase, sev, notBefore] of phrases) if (phraseAt(words, i, phrase, notBefore)) (out ??= []).push({ term: phrase.join(' '), severity: sev });
  }
  if (out === null) return [];
  const seen = new Set<string>();
  return out.filter((t) => (seen.has(t.term) ? false : (seen.add(t.term), true)));
}

/** Words of a line in order (not deduplicated: phrases need the order). */
export function orderedWords(tokens: readonly string[]): string[] {
  const out: string[] = [];
  for (let k = 0; k < tokens.length && out.length < MAX_WORDS; k++) wordsOfToken(tokens[k]!, out);
  return out;
}
