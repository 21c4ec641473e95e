// Web server access logs (Common and Combined Log Format: Apache httpd,
// nginx, and the many servers that copy them) write the outcome of a request
// as a bare number after the quoted request line: `"GET /a HTTP/1.1" 500 512`.
// Masked as it comes, the status and the size are one value, so a 500 among
// 200s is the same template with nothing unusual about it. The status's
// reason phrase (RFC 9110) is written after it, as wording: requests that
// ended differently are different messages, and a server error carries the
// failure terms its phrase has (`Internal Server Error`, `Bad Gateway`,
// `Service Unavailable`, `Gateway Timeout`), which routine statuses lose as
// any routine error does (evidence.ts).
//
// HAProxy's HTTP log writes the same outcome elsewhere: after the frontend,
// the backend/server and the timers (`fe be/srv 0/0/1/-1/30001 504 194 ...`),
// and the request line last. It gets the phrase the same way.
//
// Squid's native access.log glues the outcome to the cache's result code
// (`TCP_MISS/504`) between the client and the size, and the hierarchy code to
// the peer (`HIER_DIRECT/93.184.216.34`): masked as they came, the time, the
// duration, the client, the outcome and the size were one value, and a 504 or
// a denied request was a routine line. Both codes become wording of their own.

import { closingQuote } from './quoted.js';

const PHRASES = new Map<number, string>([
  [100, 'Continue'], [101, 'Switching Protocols'], [200, 'OK'], [201, 'Created'], [202, 'Accepted'],
  [203, 'Non-Authoritative Information'], [204, 'No Content'], [205, 'Reset Content'], [206, 'Partial Content'],
  [300, 'Multiple Choices'], [301, 'Moved Permanently'], [302, 'Found'], [303, 'See Other'], [304, 'Not Modified'],
  [307, 'Temporary Redirect'], [308, 'Permanent Redirect'], [400, 'Bad Request'], [401, 'Unauthorized'],
  [402, 'Payment Required'], [403, 'Forbidden'], [404, 'Not Found'], [405, 'Method Not Allowed'], [406, 'Not Acceptable'],
  [407, 'Proxy Authentication Required'], [408, 'Request Timeout'], [409, 'Conflict'], [410, 'Gone'],
  [411, 'Length Required'], [412, 'Precondition Failed'], [413, 'Content Too Large'], [414, 'URI Too Long'],
  [415, 'Unsupported Media Type'], [416, 'Range Not Satisfiable'], [417, 'Expectation Failed'], [421, 'Misdirected Request'],
  [422, 'Unprocessable Content'], [426, 'Upgrade Required'], [428, 'Precondition Required'], [429, 'Too Many Requests'],
  [431, 'Request Header Fields Too Large'], [444, 'No Response'], [451, 'Unavailable For Legal Reasons'],
  [499, 'Client Closed Request'], [500, 'Internal Server Error'], [501, 'Not Implemented'], [502, 'Bad Gateway'],
  [503, 'Service Unavailable'], [504, 'Gateway Timeout'], [505, 'HTTP Version Not Supported'], [507, 'Insufficient Storage'],
  [508, 'Loop Detected'], [511, 'Network Authentication Required'],
]);
/** Statuses without a registered phrase: their class. */
const CLASSES = ['', 'Informational', 'Success', 'Redirection', 'Client Error', 'Server Error'];

/** The words of the phrases, and the request line's methods as the line writes them (`"GET`). */
const CLOSED_TOKENS = new Set([
  ...[...PHRASES.values(), ...CLASSES].flatMap((p) => p.split(' ')).filter((w) => w !== ''),
  ...'GET HEAD POST PUT DELETE CONNECT OPTIONS TRACE PATCH PROPFIND PROPPATCH MKCOL COPY MOVE LOCK UNLOCK PURGE'.split(' ').map((m) => `"${m}`),
]);

/**
 * Whether a token is one of a closed set an access log writes: a method opening the request line
 * or a word of a status phrase. A position of a template whose values all are stays one template
 * per value however many there are (miner.ts): `DELETE` requests and `Not Found` responses are
 * other messages than `GET`s and `Moved Permanently`, on a REST API with five methods too.
 */
export function isAccessLogWord(tok: string): boolean {
  return CLOSED_TOKENS.has(tok) || (tok.length <= 40 && SQUID_CODE.test(tok) && isSquidCode(tok));
}

/** Squid's result codes (`TCP_MISS`, `TCP_DENIED`, `TCP_MISS_ABORTED`, `NONE_NONE`, `TAG_NONE`, `UDP_HIT`) and hierarchy codes (`HIER_DIRECT`). */
const SQUID_CODE = /^(?:TCP|UDP|NONE|TAG|HIER)_[A-Z_]+$/;
/** The words of Squid's tags after the protocol: `TCP_NODELAY` is a socket option, no outcome. */
const SQUID_TAG_WORDS = new Set(
  'MISS HIT MEM REFRESH UNMODIFIED MODIFIED FAIL OLD IGNORED DENIED REPLY TUNNEL ABORTED TIMEDOUT NEGATIVE IMS SWAPFAIL CLIENT REDIRECT OFFLINE INM CF STALE NONE IGNORE ERROR DIRECT PARENT SIBLING'.split(' '),
);
function isSquidCode(tok: string): boolean {
  const parts = tok.split('_');
  for (let k = 1; k < parts.length; k++) if (!SQUID_TAG_WORDS.has(parts[k]!)) return false;
  return true;
}

/** A bracketed time (`[21/Nov/2026:10:00:00 +0000]`) and the quote opening the request line. */
const TIME_THEN_REQUEST = /\[[^[\]]{0,40}\d:\d\d:\d\d[^[\]]{0,40}\] "/g;
/**
 * Envoy's response flags, written between the status and the bytes received: `503 UF`, `504 UT`,
 * `503 UF,URX`, `-` for none (read as a size: nothing received).
 */
const ENVOY_FLAG = 'UH|UF|UO|NR|URX|NC|DT|DC|LH|UT|LR|UR|UC|DI|FI|RL|UAEX|RLSE|IH|SI|DPE|UPE|UMSDR|OM|DF|DO|DR|NFCF';
const ENVOY_FLAGS = `(?:${ENVOY_FLAG})(?:,(?:${ENVOY_FLAG}))*`;
/**
 * Istio's default format writes more between the flags and the bytes: the response code's details
 * (`via_upstream`, `upstream_reset_before_response_started{connection_failure}`), the connection
 * termination's (`-`) and the quoted upstream transport failure reason.
 */
const ISTIO_DETAILS = `(?:${ENVOY_FLAGS}|-) [a-z][^\\s"]* \\S+ "[^"]*" `;
/**
 * After the request line's closing quote: the status, Envoy's response flags or Istio's details
 * if any, the size (`-` for none), then the end or more fields. With the flags a failed request
 * was no access log line: a 503 among 200s was the same template with a bare number where its
 * phrase would be.
 */
const STATUS_SIZE = new RegExp(`" ([1-5]\\d\\d) (?:${ISTIO_DETAILS}|${ENVOY_FLAGS} )?(\\d+|-)(?= |$)`, 'y');

/**
 * HAProxy's HTTP log: the bracketed accept date, the frontend, `backend/server` (no `/` in either
 * name: a long path of slashes after such a date costs no backtracking), four or five
 * timers (`-1` for a step never reached, `+` before the total with `option logasap`), the status
 * and the bytes read (`+` likewise). Its TCP log has three timers and no status: not matched.
 */
const HAPROXY_HTTP = /\[\d\d\/[A-Z][a-z]{2}\/\d{4}:\d\d:\d\d:\d\d(?:\.\d{1,6})?\] [^\s/]+ [^\s/]+\/[^\s/]+ (?:-?\d+\/){3,4}\+?-?\d+ ([1-5]\d\d) (\+?\d+)(?= |$)/;

/**
 * Squid's native format: the time (seconds and milliseconds), the duration, the client, the result
 * code and the status, the size, the method, the URL, the user, the hierarchy code and the peer,
 * the content type (`1762078501.123    245 10.0.3.17 TCP_MISS/200 5123 GET http://x/ -
 * HIER_DIRECT/93.184.216.34 text/html`); a syslog header may come first.
 */
const SQUID_NATIVE = /(?:^|\s)\d{9,10}\.\d{3} +-?\d+ \S+ (?:TCP|UDP|NONE|TAG)(?:_[A-Z]+)*(\/)(\d{3}) (\d+) \S+ \S+ \S+ [A-Z]+(?:_[A-Z]+)*(\/)(?=\S)/d;

/** The line with the status's reason phrase after it, or null when it is no access log line. */
export function renderAccessLog(text: string): string | null {
  if (text.indexOf('] "') >= 0) {
    const r = renderCombined(text);
    if (r !== null) return r;
  }
  return renderHaproxy(text);
}

/** A Squid access log line with its codes written apart and the status's phrase, or null. */
export function renderSquid(text: string): string | null {
  const m = SQUID_NATIVE.exec(text);
  if (m === null) return null;
  // The two slashes become spaces (the positions stay), then the phrase goes in as for CLF.
  const codeSlash = m.indices![1]![0];
  const hierSlash = m.indices![4]![0];
  const apart = `${text.slice(0, codeSlash)} ${text.slice(codeSlash + 1, hierSlash)} ${text.slice(hierSlash + 1)}`;
  // `/000`: no reply was sent (aborted, or refused before one): no phrase.
  const status = Number(m[2]);
  return status === 0 ? apart : withPhrase(apart, m.indices![3]![1], status, m[3]!, m[3]!.length);
}

function renderCombined(text: string): string | null {
  TIME_THEN_REQUEST.lastIndex = 0;
  const t = TIME_THEN_REQUEST.exec(text);
  if (t === null) return null;
  // The request line (`-` for a request that never was one) may hold quotes escaped as nginx writes them.
  STATUS_SIZE.lastIndex = closingQuote(text, t.index + t[0].length);
  const m = STATUS_SIZE.exec(text);
  if (m === null) return null;
  // A size of `-` (nothing sent) is 0 bytes: one template whether or not a body went out. (Envoy's
  // flags and Istio's details stay before the phrase, as wording: `503 UF Service Unavailable 0`.)
  const size = m[2]!;
  return withPhrase(text, m.index + m[0].length, Number(m[1]), size === '-' ? '0' : size, size.length);
}

function renderHaproxy(text: string): string | null {
  if (text.indexOf('] ') < 0) return null;
  const m = HAPROXY_HTTP.exec(text);
  return m === null ? null : withPhrase(text, m.index + m[0].length, Number(m[1]), m[2]!, m[2]!.length);
}

/** The text with the status's phrase between the status and the size, which end at `end`. */
function withPhrase(text: string, end: number, code: number, size: string, sizeLength: number): string {
  const phrase = PHRASES.get(code) ?? CLASSES[Math.floor(code / 100)]!;
  const at = end - sizeLength - 1;
  return `${text.slice(0, at)} ${phrase} ${size}${text.slice(end)}`;
}
