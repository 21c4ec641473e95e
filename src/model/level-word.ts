// A line's level as a plain-text header writes it (`ERROR`, `WARNING`, `INFO`), from what a record
// field or a document field holds: a word in any case, a syslog severity number, a pino level
// number, a logcat letter. Written in front of a message, the word declares the line's level as a
// header does (vocabulary.ts declaredLevel): an error's weight stays with the lines the host logs
// as errors, and failure words at an informational level weigh less.

import { LEVEL_LETTERS } from './logcat.js';

/** Level words a field may hold, and how a plain-text header writes them (failure terms included). */
export const LEVEL_WORDS: ReadonlyMap<string, string> = new Map([
  ['trace', 'TRACE'], ['debug', 'DEBUG'], ['verbose', 'VERBOSE'], ['info', 'INFO'], ['information', 'INFO'], ['informational', 'INFO'],
  ['notice', 'NOTICE'], ['note', 'NOTICE'], ['warn', 'WARN'], ['warning', 'WARNING'], ['error', 'ERROR'], ['err', 'ERROR'],
  ['crit', 'CRITICAL'], ['critical', 'CRITICAL'], ['alert', 'ALERT'], ['emerg', 'EMERGENCY'], ['emergency', 'EMERGENCY'],
  ['fatal', 'FATAL'], ['panic', 'PANIC'], ['severe', 'SEVERE'],
]);
/**
 * The level word of a bracketed field's text: Apache 2.4 writes the module before it
 * (`[core:error]`, `[proxy_fcgi:notice]`), so the word is what follows the last colon.
 */
export function bracketLevelWord(inner: string): string {
  const colon = inner.lastIndexOf(':');
  return colon < 0 ? inner : inner.slice(colon + 1);
}

/** A level only in brackets: MySQL's `[Note]`; outside them, a word of the message (`Note that ...`). */
export function isBracketOnlyLevel(word: string): boolean {
  return word.length === 4 && word.toLowerCase() === 'note';
}

/** pino / bunyan numeric levels. */
export const PINO_LEVELS: ReadonlyMap<number, string> = new Map([[10, 'TRACE'], [20, 'DEBUG'], [30, 'INFO'], [40, 'WARN'], [50, 'ERROR'], [60, 'FATAL']]);
/**
 * syslog severities 0-7 (rsyslog's `syslog_sever`, journald's `PRIORITY`, GELF's numeric `level`).
 * Windows' numeric event levels differ (2 Error, 3 Warning, 4 Information) and are not read so: a
 * document field should hold the level's name there (Winlogbeat's `log.level`).
 */
export const SYSLOG_LEVELS: readonly string[] = ['EMERGENCY', 'ALERT', 'CRITICAL', 'ERROR', 'WARNING', 'NOTICE', 'INFO', 'DEBUG'];

/** Longest level field value read, spaces around it included. */
const MAX_LEVEL_CHARS = 24;

/**
 * The level word for a value of a document's level field (LEVEL_FIELD), or null when the value
 * names no level: a word (`err`, `Warning`, `INFO`), a logcat letter (`E`), a syslog severity 0-7
 * or a pino level 10-60, as a number or as digits. Nothing else is guessed at: an unknown value
 * leaves the message as it is.
 */
export function levelWord(value: unknown): string | null {
  let v = value;
  if (typeof v === 'string') {
    // No level is longer ("informational" is 13): a collector's garbage of megabytes is not read.
    if (v.length > MAX_LEVEL_CHARS) return null;
    const s = v.trim();
    if (/^\d{1,2}$/.test(s)) v = Number(s);
    else return LEVEL_WORDS.get(s.toLowerCase()) ?? (s.length === 1 ? (LEVEL_LETTERS.get(s.toUpperCase()) ?? null) : null);
  }
  // BSON Int32, Int64 and Double arrive as numbers with the driver's default options.
  if (typeof v !== 'number' || !Number.isInteger(v)) return null;
  return SYSLOG_LEVELS[v] ?? PINO_LEVELS.get(v) ?? null;
}

/** The text the model reads for a message whose level field holds `level`: the level word in front, as a header writes it. */
export function withLevel(message: string, level: unknown): string {
  const word = levelWord(level);
  return word === null ? message : `${word} ${message}`;
}
