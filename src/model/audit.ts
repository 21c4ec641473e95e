// Linux audit records (auditd's audit.log, its syslog plugin, the kernel's
// `audit:` lines): `type=USER_AUTH msg=audit(1700000000.123:456): pid=1
// uid=0 msg='op=PAM:authentication acct="root" ... res=failed'`. Masked as they
// come, the record type is a value (every event with the same fields is one
// template) and the quoted `msg='...'` is a single value, so `res=failed` is
// invisible. The type is the event's name and is written as wording; the
// quoted message is unwrapped into the pairs it holds, so an outcome is a
// value of its own slot (and a failure word there a failure term: detector.ts).

/**
 * The record's type and stamp: `type=USER_AUTH msg=audit(...):` (auditd), `type=1400 audit(...):`
 * (the kernel's own lines); a `node=` pair may come first (multi-host logs, the syslog plugin).
 */
const RECORD = /(^|\s)(node=\S+ )?type=([A-Za-z0-9_]+) (?:msg=)?audit\(([0-9.:]+)\):(?= |$)/;
/** The quoted message of user-space records: pairs inside single quotes (untrusted strings are hex). */
const QUOTED_MESSAGE = /(^|\s)msg='([^']*)'/g;
/** auditd's enriched format appends translated fields after a group separator. */
const GROUP_SEPARATOR = /\x1d/g;

/** The record with its type as wording and its quoted message unwrapped, or null when it is none. */
export function renderAudit(text: string, isHeader: (prefix: string) => boolean): string | null {
  const m = RECORD.exec(text);
  if (m === null) return null;
  const start = m.index + m[1]!.length;
  const prefix = text.slice(0, start).trimEnd();
  if (!isHeader(prefix)) return null;
  const body = text
    .slice(m.index + m[0].length)
    .replace(GROUP_SEPARATOR, ' ')
    .replace(QUOTED_MESSAGE, (_all, space: string, inner: string) => space + inner)
    .trim();
  const record = `${m[3]} audit(${m[4]}):`;
  return [prefix, (m[2] ?? '').trim(), record, body].filter((p) => p !== '').join(' ');
}
