// Linux audit records (auditd's audit.log, its syslog plugin, journald's
// `audit[123]:` lines, the kernel's `audit:` lines): `type=USER_AUTH
// msg=audit(1700000000.123:456): pid=1 uid=0 msg='op=PAM:authentication
// acct="root" ... res=failed'`. Masked as they come, the record type is a
// value (every event with the same fields is one template) and the quoted
// `msg='...'` is a single value, so `res=failed` is invisible. The type is the
// event's name and is written as wording; the quoted message is unwrapped into
// the pairs it holds, so an outcome is a value of its own slot (and a failure
// word there a failure term: detector.ts).

/**
 * The record's type and stamp: `type=USER_AUTH msg=audit(...):` (auditd; `type=UNKNOWN[1334]`
 * for a type it has no name for), `type=1400 audit(...):` (the kernel's own lines); a `node=` pair
 * may come first (multi-host logs, the syslog plugin).
 */
const RECORD = /(^|\s)(node=\S+ )?type=([A-Za-z0-9_]+(?:\[\d+\])?) (msg=)?audit\(([0-9.:]+)\):(?= |$)/;
/** journald's form: the type after the `audit[pid]:` tag, then the pairs. */
const JOURNAL_RECORD = /(^|\s)audit\[\d+\]: [A-Z][A-Z0-9_]+ (?=[a-z_]+=)/;
/** The quoted message of user-space records: pairs inside single quotes (untrusted strings are hex). */
const QUOTED_MESSAGE = /(^|\s)msg='([^']*)'/g;
/** auditd's enriched format appends translated fields after a group separator. */
const GROUP_SEPARATOR = /\x1d/g;

/**
 * Names of the kernel's numeric record types (linux/audit.h), which its own `audit:` lines write
 * as numbers: masked, a login and an AppArmor denial would be one message. The common ones; others
 * stay numbers.
 */
const TYPE_NAMES = new Map<string, string>([
  ['1100', 'USER_AUTH'], ['1101', 'USER_ACCT'], ['1102', 'USER_MGMT'], ['1103', 'CRED_ACQ'], ['1104', 'CRED_DISP'],
  ['1105', 'USER_START'], ['1106', 'USER_END'], ['1107', 'USER_AVC'], ['1108', 'USER_CHAUTHTOK'], ['1109', 'USER_ERR'],
  ['1110', 'CRED_REFR'], ['1111', 'USYS_CONFIG'], ['1112', 'USER_LOGIN'], ['1113', 'USER_LOGOUT'], ['1114', 'ADD_USER'],
  ['1115', 'DEL_USER'], ['1116', 'ADD_GROUP'], ['1117', 'DEL_GROUP'], ['1123', 'USER_CMD'], ['1124', 'USER_TTY'],
  ['1127', 'SYSTEM_BOOT'], ['1128', 'SYSTEM_SHUTDOWN'], ['1129', 'SYSTEM_RUNLEVEL'], ['1130', 'SERVICE_START'],
  ['1131', 'SERVICE_STOP'], ['1300', 'SYSCALL'], ['1302', 'PATH'], ['1305', 'CONFIG_CHANGE'], ['1306', 'SOCKADDR'],
  ['1307', 'CWD'], ['1309', 'EXECVE'], ['1320', 'EOE'], ['1325', 'NETFILTER_CFG'], ['1326', 'SECCOMP'],
  ['1327', 'PROCTITLE'], ['1330', 'KERN_MODULE'], ['1334', 'BPF'], ['1400', 'AVC'], ['1401', 'SELINUX_ERR'],
  ['1403', 'MAC_POLICY_LOAD'], ['1404', 'MAC_STATUS'], ['1405', 'MAC_CONFIG_CHANGE'], ['1700', 'ANOM_PROMISCUOUS'],
  ['1701', 'ANOM_ABEND'], ['1702', 'ANOM_LINK'], ['1505', 'APPARMOR_STATUS'],
]);

function unwrapped(body: string): string {
  return body.replace(GROUP_SEPARATOR, ' ').replace(QUOTED_MESSAGE, (_all, space: string, inner: string) => space + inner);
}

/**
 * The record with its type as wording and its quoted message unwrapped, or null when it is none.
 * The bare kernel form (`type=1400 audit(...)`) must follow a header (`isHeader`); auditd's
 * `msg=audit(...)` is its own mark wherever it stands.
 */
export function renderAudit(text: string, isHeader: (prefix: string) => boolean): string | null {
  const m = RECORD.exec(text);
  if (m === null) {
    const j = JOURNAL_RECORD.exec(text);
    return j === null || text.indexOf("msg='") < 0 ? null : text.slice(0, j.index + j[0].length) + unwrapped(text.slice(j.index + j[0].length));
  }
  const start = m.index + m[1]!.length;
  const prefix = text.slice(0, start).trimEnd();
  if (m[4] === undefined && !isHeader(prefix)) return null;
  const body = unwrapped(text.slice(m.index + m[0].length)).trim();
  // A number (the kernel's, or auditd's `UNKNOWN[1334]`) says which type it is.
  const type = m[3]!;
  const named = TYPE_NAMES.get(/^UNKNOWN\[(\d+)\]$/.exec(type)?.[1] ?? type) ?? type;
  const record = `${/^\d+$/.test(named) ? `type=${named}` : named} audit(${m[5]}):`;
  return [prefix, (m[2] ?? '').trim(), record, body].filter((p) => p !== '').join(' ');
}
