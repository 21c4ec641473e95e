// Realistic syslog-style lines for daemon tests: routine traffic with varying values, and
// incident lines of the kinds real systems write. Seeded, so every run inserts the same data.
import { Rng } from '../../src/seeded-random.js';

export { Rng };

const USERS = ['alice', 'bob', 'deploy', 'backup', 'carol', 'monitor'];
const PATHS = ['/api/v1/items', '/api/v1/orders', '/index.html', '/static/app.js', '/healthz', '/api/v1/users'];

const ROUTINE: Array<(r: Rng) => string> = [
  (r) => `sshd[${r.int(1000, 40000)}]: Accepted publickey for ${r.pick(USERS)} from ${r.ip()} port ${r.int(30000, 65000)} ssh2`,
  (r) => `sshd[${r.int(1000, 40000)}]: pam_unix(sshd:session): session opened for user ${r.pick(USERS)} by (uid=0)`,
  (r) => `sshd[${r.int(1000, 40000)}]: pam_unix(sshd:session): session closed for user ${r.pick(USERS)}`,
  (r) => `CRON[${r.int(1000, 40000)}]: (root) CMD (run-parts /etc/cron.hourly)`,
  (r) => `systemd[1]: Started Session ${r.int(1, 9000)} of user ${r.pick(USERS)}.`,
  (r) => `nginx: ${r.ip()} - - "GET ${r.pick(PATHS)}/${r.int(1, 99999)} HTTP/1.1" 200 ${r.int(200, 90000)} "-" "curl/7.88.1"`,
  (r) => `kernel: [${r.int(1000, 999999)}.${r.int(100000, 999999)}] eth0: renamed from veth${r.hex(7)}`,
  (r) => `dhclient[${r.int(300, 900)}]: DHCPACK of ${r.ip()} from ${r.ip()}`,
  (r) => `app[${r.int(2000, 3000)}]: INFO request completed in ${r.int(2, 400)} ms user=${r.pick(USERS)} status=200`,
  (r) => `systemd[1]: Starting Daily apt download activities...`,
  (r) => `ntpd[${r.int(400, 700)}]: adjusting local clock by ${r.int(1, 900) / 1000}s`,
];

/** Incident lines; each carries a unique marker so a test can find it in the target collection. */
const INCIDENTS: Array<(r: Rng, marker: string) => string> = [
  (r, m) => `kernel: Out of memory: Killed process ${r.int(1000, 40000)} (java-${m}) total-vm:${r.int(100000, 9000000)}kB, anon-rss:${r.int(10000, 900000)}kB`,
  (r, m) => `kernel: EXT4-fs error (device sda1): ext4_find_entry:1455: inode #${r.int(2, 99999)}: comm ${m}: reading directory lblock 0`,
  (r, m) => `app[${r.int(2000, 3000)}]: FATAL database connection refused: could not connect to server ${m} at ${r.ip()}:5432`,
  (r, m) => `kernel: ${m}[${r.int(1000, 40000)}]: segfault at 0 ip 00007f${r.hex(10)} sp 00007ffd${r.hex(8)} error 4 in libc.so.6`,
  (r, m) => `smartd[${r.int(500, 900)}]: Device: /dev/sda [SAT], FAILED SMART self-check. BACK UP DATA NOW! (${m})`,
  (r, m) => `sshd[${r.int(1000, 40000)}]: error: maximum authentication attempts exceeded for invalid user ${m} from ${r.ip()} port ${r.int(30000, 65000)} ssh2 [preauth]`,
];

export function routineLine(r: Rng): string {
  return r.pick(ROUTINE)(r);
}

export function incidentLine(r: Rng, marker: string): string {
  return r.pick(INCIDENTS)(r, marker);
}
