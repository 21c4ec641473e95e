// What separates words: one definition for the tokenizer (mask.ts) and the structured-line
// readers (structured.ts), so that a line splits into the same words whichever reads it.

/**
 * Spaces beyond ASCII that separate words as a space does: no-break spaces (French `Erreur\u00a0:`,
 * HTML-escaped text), the typographic spaces, the zero-width space and a stray byte order mark.
 * Otherwise `session\u00a0opened` would be one unknown word and a new message. Joiners (U+200D,
 * U+2060) join, and stay part of their word.
 */
function isWideSpace(c: number): boolean {
  return c === 0xa0 || c === 0x85 || c === 0x1680 || (c >= 0x2000 && c <= 0x200b) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;
}

/** Whether a character (UTF-16 code unit) separates words: ASCII spaces and control characters, and isWideSpace. */
export function isSeparator(c: number): boolean {
  return c <= 32 || (c >= 0x85 && isWideSpace(c));
}
