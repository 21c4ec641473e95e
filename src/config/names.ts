// Names an operator types (or pastes from a wiki or a chat) into the configuration: host names,
// databases, collections, fields, paths. MongoDB and the file system compare them exactly, so a
// typographic quote, a space at an end or a zero-width character becomes part of the name, and a
// host that never matches waits forever as "too little history" with no other sign.

/** Characters that take no room when shown: soft hyphen, zero-width and direction marks, word joiners, BOM. */
const INVISIBLE = /[\u00AD\u200B-\u200F\u202A-\u202E\u2060-\u2064\uFEFF]/;
/** Typographic quotes at an end: “name”, ‘name’, „name“, «name». */
const TYPOGRAPHIC_QUOTES = /^[\u2018\u2019\u201A\u201C\u201D\u201E\u00AB\u00BB]|[\u2018\u2019\u201C\u201D\u00AB\u00BB]$/;
/** What does not show, or shows as an ordinary space, in a message: escaped as \uXXXX by visible(). */
const UNSEEN = /[\u0080-\u00A0\u00AD\u1680\u180E\u2000-\u200F\u2028-\u202F\u205F-\u2064\u3000\uFEFF]/g;

/** A character as `U+00A0`. */
export function codePoint(c: string): string {
  return `U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
}

/** A name in double quotes, with the characters that would not show written as \uXXXX: "cumulus\u00a0". */
export function visible(name: string): string {
  return JSON.stringify(name).replace(UNSEEN, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** What in a name cannot be what the operator meant, in words, or null. */
export function strayCharacters(name: string): string | null {
  if (TYPOGRAPHIC_QUOTES.test(name)) {
    return `${visible(name)} is in typographic quotes (“ ” or ‘ ’), which would be part of the name: write straight quotes "..." or none`;
  }
  if (name !== name.trim()) return `${visible(name)} has a space at its start or end, which would be part of the name`;
  const hidden = INVISIBLE.exec(name);
  if (hidden !== null) return `${visible(name)} holds an invisible character (${codePoint(hidden[0])}), which would be part of the name`;
  return null;
}
