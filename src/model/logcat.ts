// Android's logcat writes a line's priority as one letter: `03-17 16:13:38.869  2227  2227 E
// TextView: ...` (threadtime, the default of `adb logcat` and of bug reports; `-v year` puts the
// year first) and `E/TextView( 2227): ...` (brief, time and process formats). A letter is no word,
// so the line's declared level said nothing: an error read like its neighbours at debug level, and
// failure words at verbose level counted in full. Rendered with the level spelled out, the line
// declares it as any Java or syslog header does (vocabulary.ts declaredLevel), and an error line's
// `ERROR` is a failure word that a message the host writes at error level routinely loses (routine
// in core.ts).

/** Level letters as logcat writes them; klog's (structured.ts) are the same letters, I W E F. */
export const LEVEL_LETTERS: ReadonlyMap<string, string> = new Map([
  ['V', 'VERBOSE'], ['D', 'DEBUG'], ['I', 'INFO'], ['W', 'WARNING'], ['E', 'ERROR'], ['F', 'FATAL'], ['A', 'ASSERT'],
]);

/** threadtime: [year-]month-day time, pid, tid, level letter, then the tag. */
const THREADTIME = /^(?:\d{4}-)?\d\d-\d\d \d\d:\d\d:\d\d\.\d{3,6} +\d+ +\d+ ([VDIWEFA]) \S/;
/** brief (`E/Tag( 123): `), time (with the time before it) and process (`E( 123) ...`). */
const BRIEF = /^(?:(?:\d{4}-)?\d\d-\d\d \d\d:\d\d:\d\d\.\d{3,6} +)?([VDIWEFA])[/(]/;
/** The brief forms' tag and pid, or process form's pid: what must follow the letter. */
const BRIEF_REST = /^\/[^\s(/]*\( *\d+\): |^\( *\d+\) /;

/** Whether the letter (a character code) is one of logcat's priorities. */
function isPriority(c: number): boolean {
  return c === 86 || c === 68 || c === 73 || c === 87 || c === 69 || c === 70 || c === 65; // V D I W E F A
}

/** `MM-DD HH:MM:SS.` at `at`: the time logcat writes, with its fraction after a point. */
function logcatTime(text: string, at: number): boolean {
  return text.charCodeAt(at + 2) === 45 && text.charCodeAt(at + 5) === 32 && text.charCodeAt(at + 8) === 58 && text.charCodeAt(at + 14) === 46;
}

/** The line with its logcat level letter spelled out, or null when it is no logcat line. */
export function renderLogcat(text: string): string | null {
  // Cheap gates first: every line of a log comes through here (other timestamps, such as
  // `2015-10-18 18:01:50,509`, fail at the fraction's point).
  // (Reading past the end of the text is slow in V8: the length is checked first.)
  const n = text.length;
  if (n < 8) return null;
  const c1 = text.charCodeAt(1);
  const dated = n > 24 && (logcatTime(text, 0) || (text.charCodeAt(4) === 45 && logcatTime(text, 5)));
  if (!dated && !((c1 === 47 || c1 === 40) && isPriority(text.charCodeAt(0)))) return null;
  let m = dated ? THREADTIME.exec(text) : null;
  let at: number;
  if (m !== null) at = m[0].length - 3;
  else {
    m = BRIEF.exec(text);
    if (m === null) return null;
    at = m[0].length - 2;
    if (!BRIEF_REST.test(text.slice(at + 1, at + 80))) return null;
  }
  const word = LEVEL_LETTERS.get(text[at]!)!;
  // `E/Tag(` -> `ERROR Tag(`, `E( 12)` -> `ERROR ( 12)`: the level is a word of its own.
  const next = text.charCodeAt(at + 1);
  const after = next === 47 ? ' ' + text.slice(at + 2) : next === 40 ? ' ' + text.slice(at + 1) : text.slice(at + 1);
  return text.slice(0, at) + word + after;
}
