// Connection strings carry credentials: everything that prints a config goes through here.

/**
 * The credentials of a connection string: everything between the scheme and the last `@` before
 * the options. Taken to the last `@`, not the first: a raw `@` in a password (it should be `%40`)
 * must not leave the rest of the password looking like a host name.
 */
const CREDENTIALS = /^(mongodb(?:\+srv)?:\/\/)([^?]*)@/;

/** The password of a connection string, as written and percent-decoded (for scrubbing messages). */
export function uriPasswords(uri: string): string[] {
  const cred = CREDENTIALS.exec(uri)?.[2];
  const colon = cred === undefined ? -1 : cred.indexOf(':');
  if (colon < 0) return [];
  const raw = cred!.slice(colon + 1);
  if (raw === '') return [];
  let decoded = raw;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    // Not valid percent-encoding: the raw form is all there is.
  }
  return decoded === raw ? [raw] : [raw, decoded];
}

/** Replaces every occurrence of the connection string's password in a message. */
export function scrubPassword(message: string, uri: string): string {
  let out = message;
  for (const p of uriPasswords(uri)) out = out.split(p).join('***');
  return out;
}

/** Replaces the password (and any credentials-like query parameter) of a MongoDB connection string. */
export function redactUri(uri: string): string {
  let out = uri.replace(CREDENTIALS, (_m, scheme: string, cred: string) => {
    const user = cred.split(':')[0];
    return `${scheme}${user}${cred.includes(':') ? ':***' : ''}@`;
  });
  out = out.replace(/([?&](?:password|authMechanismProperties|tlsCertificateKeyFilePassword)=)[^&]*/gi, '$1***');
  return out;
}

