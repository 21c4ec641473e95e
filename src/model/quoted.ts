// Quoted text as JSON, logfmt, klog and nginx write it: `"..."` with
// backslash escapes (`\"` is a quote inside the text, `\\` a backslash).

/** Index of the quote closing a quoted text whose first character is at `from` (after the opening quote), or text.length. */
export function closingQuote(text: string, from: number): number {
  let k = from;
  while (k < text.length && text.charCodeAt(k) !== 34) k += text.charCodeAt(k) === 92 ? 2 : 1;
  return Math.min(k, text.length);
}
