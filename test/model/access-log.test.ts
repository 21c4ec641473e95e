import { expect } from 'chai';
import { isAccessLogWord, renderAccessLog, renderSquid } from '../../src/model/access-log.js';
import { ModelTrainer } from '../../src/model/trainer.js';
import { TemplateMiner } from '../../src/model/miner.js';
import { learnAll } from '../../src/model/header.js';
import { Rng } from '../../src/seeded-random.js';
import { itLeavesAsIs, itMasksTo, maskedTemplate as t } from '../support/templates.js';


describe('access log lines', () => {
  // The status's reason phrase follows it as wording: requests that ended differently are different messages.
  const cases: Array<[what: string, line: string, template: string]> = [
    [
      'combined format',
      '10.0.0.2 - - [21/Nov/2026:10:00:01 +0000] "POST /api/login HTTP/1.1" 500 87 "-" "curl/8.0"',
      '<*> - - [<*> <*>] "POST <*>" <*> Internal Server Error <*> "<*>" "<*>"',
    ],
    ['common format, no size, a user', '10.0.0.3 - bob [21/Nov/2026:10:00:02 +0000] "GET /a HTTP/1.0" 304 -', '<*> - bob [<*> <*>] "GET <*>" <*> Not Modified <*>'],
    ['nginx, no request line', '10.0.0.4 - - [21/Nov/2026:10:00:03 +0000] "-" 400 0 "-" "-"', '<*> - - [<*> <*>] "<*>" <*> Bad Request <*> "<*>" "<*>"'],
    ['an escaped quote in the request', '10.0.0.5 - - [21/Nov/2026:10:00:04 +0000] "GET /q?\\"x HTTP/1.1" 502 0', '<*> - - [<*> <*>] "GET <*>" <*> Bad Gateway <*>'],
    ['a status without a registered phrase: its class', '10.0.0.6 - - [21/Nov/2026:10:00:05 +0000] "GET / HTTP/1.1" 599 0', '<*> - - [<*> <*>] "GET <*>" <*> Server Error <*>'],
    ['after a syslog header', 'Nov 21 10:00:06 web1 nginx: 10.0.0.7 - - [21/Nov/2026:10:00:06 +0000] "GET / HTTP/2.0" 200 612', '<*> nginx: <*> - - [<*> <*>] "GET <*>" <*> OK <*>'],
  ];
  itMasksTo(cases);

  // HAProxy's HTTP log: the status after the timers, the request line last.
  const haproxy: Array<[what: string, line: string, template: string]> = [
    [
      'HAProxy, a server timeout (five timers, one never reached)',
      'Apr  1 07:24:49 lb1 haproxy[2341]: 174.29.1.55:26397 [01/Apr/2025:07:24:49.764] fe_https~ be_api/api3 0/0/1/-1/30001 504 194 - - sH-- 260/186/46/25/0 0/0 "GET /api/v1/orders/1235 HTTP/1.1"',
      '<*> haproxy[<*>]: <*> [<*>] fe_https~ <*> Gateway Timeout <*> - - sH-- <*> "GET <*>"',
    ],
    [
      'HAProxy, no server left',
      'Apr  1 07:24:49 lb1 haproxy[2341]: 23.243.139.4:7343 [01/Apr/2025:07:24:49.662] fe_https~ be_api/<NOSRV> 0/-1/-1/-1/0 503 217 - - SC-- 174/119/57/17/0 0/0 "GET /api/v1/orders/1236 HTTP/1.1"',
      '<*> haproxy[<*>]: <*> [<*>] fe_https~ be_api/<NOSRV> <*> Service Unavailable <*> - - SC-- <*> "GET <*>"',
    ],
    [
      'HAProxy with option logasap (a + before the total and the bytes)',
      'haproxy[14389]: 10.0.1.2:33317 [06/Feb/2009:12:14:14.655] http-in static/srv1 10/0/30/69/+109 200 +2750 - - ---- 1/1/1/1/0 0/0 "GET /index.html HTTP/1.1"',
      'haproxy[<*>]: <*> [<*>] http-in <*> OK <*> - - ---- <*> "GET <*>"',
    ],
  ];
  itMasksTo(haproxy);

  // Envoy's and Istio's default format: the response flags between the status and the bytes received.
  const envoy: Array<[what: string, line: string, template: string]> = [
    [
      'Envoy, an upstream timeout (flag UT)',
      '[2026-11-02T03:07:59.093Z] "GET /api/v1/inventory/SKU-73731 HTTP/1.1" 504 UT 0 95 15000 - "113.220.188.185" "okhttp/4.12.0" "c1d9e043-31c3-4ad9-bdf1-fa7e46032df7" "shop.example.com" "10.244.3.50:8080"',
      '[<*>] "GET <*>" <*> UT Gateway Timeout <*> - "<*>" "<*>" "<*>" "<*>" "<*>"',
    ],
    [
      'Envoy, two flags',
      '[2026-11-02T03:08:56.587Z] "POST /api/v1/cart HTTP/1.1" 503 UF,URX 0 91 22 - "120.147.184.235" "okhttp/4.12.0" "ae54daa0-925f-48f0-b9b7-b2d64c43d855" "shop.example.com" "10.244.3.50:8080"',
      '[<*>] "POST <*>" <*> UF,URX Service Unavailable <*> - "<*>" "<*>" "<*>" "<*>" "<*>"',
    ],
    [
      'Envoy, no flag (-)',
      '[2026-11-01T00:00:28.485Z] "GET /api/v1/inventory/SKU-89157 HTTP/1.1" 200 - 0 1173 18 18 "166.6.240.67" "okhttp/4.12.0" "fee29476-3116-4427-bbfd-1d338d0038ec" "shop.example.com" "10.244.2.44:8080"',
      '[<*>] "GET <*>" <*> OK <*> "<*>" "<*>" "<*>" "<*>" "<*>"',
    ],
  ];
  itMasksTo(envoy);

  // Istio's default format: the response code's details, the connection termination's and the
  // quoted transport failure reason between the flags and the bytes. Before, `503 UH` was no access
  // log line and `200 -` took the flags' `-` for the size.
  const istio: Array<[what: string, line: string, template: string]> = [
    [
      'Istio, no healthy upstream',
      '[2026-11-03T10:22:05.382Z] "GET /api/v1/orders HTTP/1.1" 503 UH no_healthy_upstream - "-" 0 1523 28 46 "-" "curl/8.1" "886594085-ab" "api.local" "10.0.1.16:8080"',
      '[<*>] "GET <*>" <*> UH no_healthy_upstream - "<*>" Service Unavailable <*> "<*>" "<*>" "<*>" "<*>" "<*>"',
    ],
    [
      'Istio, a routine request',
      '[2026-11-03T10:48:29.304Z] "GET /api/v1/items HTTP/1.1" 200 - via_upstream - "-" 0 4172 81 72 "-" "curl/8.1" "789477486-ab" "api.local" "10.0.8.188:8080"',
      '[<*>] "GET <*>" <*> - via_upstream - "<*>" OK <*> "<*>" "<*>" "<*>" "<*>" "<*>"',
    ],
    [
      'Envoy, a flag of the newer versions (DO: dropped by overload)',
      '[2026-11-03T10:55:22.605Z] "GET /healthz HTTP/1.1" 503 DO 0 4681 16 72 "-" "curl/8.1" "593436684-ab" "api.local" "10.0.3.102:8080"',
      '[<*>] "GET <*>" <*> DO Service Unavailable <*> "<*>" "<*>" "<*>" "<*>" "<*>"',
    ],
  ];
  itMasksTo(istio);

  // Squid's native format: the result code glued to the status, the hierarchy code to the peer.
  const squid: Array<[what: string, line: string, template: string]> = [
    [
      'Squid, a gateway timeout',
      '1791484057.588    310 10.0.3.5 TCP_MISS/504 4136 GET http://erp.partnerco.de/api/v2/orders - HIER_DIRECT/93.184.4.14 text/html',
      '<*> TCP_MISS <*> Gateway Timeout <*> GET <*> - HIER_DIRECT <*> text/html',
    ],
    ['Squid, a denied request', '1791484060.588    310 10.0.3.13 TCP_DENIED/403 3949 GET http://www.heise.de/ - HIER_NONE/- text/html', '<*> TCP_DENIED <*> Forbidden <*> GET <*> - HIER_NONE - text/html'],
    ['Squid, no reply (status 000)', '1791484060.588      0 10.0.3.13 NONE_NONE/000 0 - error:transaction-end-before-headers - HIER_NONE/- -', '<*> NONE_NONE <*> - error:<*> - HIER_NONE - -'],
    [
      'Squid after a syslog header, a tunnel',
      'Nov  2 10:00:00 proxy squid[812]: 1791484060.588   1203 10.0.3.13 TCP_TUNNEL/200 5123 CONNECT www.google.com:443 bob HIER_DIRECT/142.250.1.1 -',
      '<*> proxy squid[<*>]: <*> TCP_TUNNEL <*> OK <*> CONNECT <*> bob HIER_DIRECT <*> -',
    ],
    [
      'Squid through a parent proxy',
      '1762078501.123     15 10.0.3.17 TCP_MISS/504 5123 GET http://example.com/ - FIRSTUP_PARENT/10.0.0.1 text/html',
      '<*> TCP_MISS <*> Gateway Timeout <*> GET <*> - FIRSTUP_PARENT <*> text/html',
    ],
    ['Squid 2, a memory hit', '1791484060.588     12 10.0.3.13 TCP_MEM_HIT/200 3949 GET http://www.heise.de/ - NONE/- text/html', '<*> TCP_MEM_HIT <*> OK <*> GET <*> - NONE - text/html'],
  ];
  itMasksTo(squid);
  it("takes Squid's result codes for the closed set they are, not any word after TCP_", () => {
    for (const code of ['TCP_MISS', 'TCP_MISS_ABORTED', 'TCP_REFRESH_UNMODIFIED', 'NONE_NONE', 'TAG_NONE', 'HIER_DIRECT']) expect(isAccessLogWord(code), code).to.equal(true);
    for (const word of ['TCP_NODELAY', 'TCP_KEEPIDLE', 'UDP_RCVBUF', 'NONE']) expect(isAccessLogWord(word), word).to.equal(false);
  });
  itLeavesAsIs(renderSquid, [
    ['a hierarchy code without the fields before it', 'peer selection: HIER_DIRECT/93.184.4.14 chosen for http://x/'],
    ['a time and a code, but no size after the status', '1791484057.588 310 10.0.3.5 TCP_MISS/504 GET http://x/ - HIER_DIRECT/93.184.4.14 text/html'],
  ]);

  const untouched: Array<[what: string, line: string]> = [
    ['OpenStack\'s request log (status as a pair)', '10.11.10.1 "GET /v2/servers/detail HTTP/1.1" status: 200 len: 1893 time: 0.2477'],
    ['a status that is no HTTP status', '10.0.0.1 - - [21/Nov/2026:10:00:00 +0000] "GET / HTTP/1.1" 200x 5'],
    ['no bracketed time before the request', 'client "GET / HTTP/1.1" 200 5'],
    ['a bracketed level, a quote and two numbers', 'Nov 21 10:00:00 host app[1]: [ERROR] "job" 200 300 items processed'],
    ['a bracketed thread, a quote and two numbers', 'INFO [worker-3] "batch" 100 200 done'],
    ['HAProxy\'s TCP log (three timers, no status)', 'haproxy[2341]: 10.20.0.11:39962 [03/Apr/2025:04:08:28.313] fe_pg be_pg/pg1 0/1/2004 504 -- 3/1/0/0/0 0/0'],
    ['a bracketed date, a pair and numbers that are no timers', '[03/Apr/2025:04:08:28] job batch/7 took 3/4 500 200 rows'],
    // Names with slashes in them were allowed, which made a long path after such a date backtrack.
    ['a bracketed date, then a path where the backend would be', '[25/Mar/2025:10:00:00.000] GET /api/a/b 0/0/0/12/13 200 512'],
    ['a word after the status that is no Envoy flag', '[2026-11-01T00:00:28.485Z] "GET /a HTTP/1.1" 200 OK 0 1173'],
  ];
  itLeavesAsIs(renderAccessLog, untouched);

  it('keeps a requested path that looks like a device message code as the request', () => {
    expect(t('10.0.0.1 - - [21/Nov/2026:10:00:00 +0000] "GET /%LINK-3-UPDOWN: HTTP/1.1" 200 512')).to.equal('<*> - - [<*> <*>] "GET <*>" <*> OK <*>');
  });

  it('reads a request line of megabytes, escapes and all, without failing', () => {
    const request = 'GET /' + 'a\\"'.repeat(1_000_000) + ' HTTP/1.1';
    expect(renderAccessLog(`1.2.3.4 - - [21/Nov/2026:10:00:00 +0000] "${request}" 503 5`)).to.match(/" 503 Service Unavailable 5$/);
  });

  it('keeps requests apart by method and outcome on a REST API of five methods and many statuses', () => {
    // A word position became a variable beyond four values: all requests were one template.
    const g = new Rng(8);
    const methods = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH'];
    const statuses = [200, 201, 204, 301, 304, 400, 401, 404, 422];
    const miner = new TemplateMiner();
    const lines: string[] = [];
    for (let i = 0; i < 3000; i++) {
      const method = methods[Math.floor(g.next() * methods.length)]!;
      const status = statuses[Math.floor(g.next() * statuses.length)]!;
      lines.push(`10.0.${i % 9}.${1 + (i % 250)} - - [21/Nov/2026:10:00:00 +0000] "${method} /api/v1/items/${i} HTTP/1.1" ${status} ${100 + i} "-" "okhttp/4.12.0"`);
    }
    learnAll(miner, lines);
    const templates = miner.templates().map((x) => x.template);
    for (const m of methods) expect(templates.some((x) => x.includes(`"${m} <*>"`)), m).to.equal(true);
    for (const phrase of ['No Content', 'Moved Permanently', 'Not Found', 'Unprocessable Content']) {
      expect(templates.some((x) => x.includes(`<*> ${phrase} <*>`)), phrase).to.equal(true);
    }
    expect(templates.every((x) => !x.includes('<*> <*>"'))).to.equal(true);
  });

  it('flags server errors among routine requests, and not the routine statuses', () => {
    const g = new Rng(5);
    const statuses = [200, 200, 200, 200, 200, 200, 200, 200, 304, 404];
    const trainer = new ModelTrainer();
    for (let i = 0; i < 5000; i++) {
      const method = g.next() < 0.8 ? 'GET' : 'POST';
      const status = statuses[Math.floor(g.next() * statuses.length)]!;
      trainer.add(`10.0.${i % 9}.${1 + (i % 250)} - - [21/Nov/2026:10:${String(i % 60).padStart(2, '0')}:00 +0000] "${method} /api/orders?id=${i} HTTP/1.1" ${status} ${100 + Math.floor(g.next() * 9000)} "-" "Mozilla/5.0"`);
    }
    const model = trainer.finish();
    const line = (status: number): string => `10.0.1.1 - - [22/Nov/2026:10:00:00 +0000] "GET /api/orders?id=5 HTTP/1.1" ${status} 512 "-" "Mozilla/5.0"`;
    for (const status of [200, 304, 404]) expect(model.score(line(status)).score, String(status)).to.be.below(0.3);
    for (const status of [500, 502, 503, 504]) {
      const s = model.score(line(status));
      expect(s.score, String(status)).to.be.at.least(0.5);
      expect(s.reasons, String(status)).to.include('error_terms');
    }
    // Matched to the template of `304 Not Modified` (the phrase is its enumerated word), a new
    // outcome is shown with its own phrase.
    expect(model.score(line(502)).template).to.include('" <*> Bad Gateway <*> "');
    expect(model.score(line(503)).template).to.include('" <*> Service Unavailable <*> "');
  });

  it('flags HAProxy\'s server errors among routine requests, and not the routine statuses', () => {
    // The status was one value with the timers and the size: a 504 was a routine request.
    const g = new Rng(6);
    const statuses = [200, 200, 200, 200, 200, 200, 200, 200, 304, 404];
    const servers = ['api1', 'api2', 'api3'];
    const trainer = new ModelTrainer();
    const line = (i: number, server: string, timers: string, status: number, flags: string): string =>
      `Apr  1 10:${String(i % 60).padStart(2, '0')}:00 lb1 haproxy[2341]: 10.0.${i % 9}.${1 + (i % 250)}:${1024 + i} ` +
      `[01/Apr/2025:10:00:00.${String(i % 1000).padStart(3, '0')}] fe_https~ be_api/${server} ${timers} ${status} ${100 + (i % 9000)} - - ${flags} ` +
      `${300 + (i % 50)}/${290 + (i % 50)}/90/30/0 0/0 "GET /api/v1/orders/${i} HTTP/1.1"`;
    for (let i = 0; i < 5000; i++) {
      const status = statuses[Math.floor(g.next() * statuses.length)]!;
      trainer.add(line(i, servers[i % 3]!, `0/0/1/${5 + Math.floor(g.next() * 80)}/${10 + Math.floor(g.next() * 80)}`, status, '----'));
    }
    const model = trainer.finish();
    for (const status of [200, 304, 404]) expect(model.score(line(7, 'api2', '0/0/1/40/45', status, '----')).score, String(status)).to.be.below(0.3);
    const failures: Array<[status: number, server: string, timers: string, flags: string]> = [
      [500, 'api1', '0/0/1/12/13', '----'],
      [504, 'api3', '0/0/1/-1/30001', 'sH--'],
      [503, '<NOSRV>', '0/-1/-1/-1/0', 'SC--'],
    ];
    for (const [status, server, timers, flags] of failures) {
      const s = model.score(line(9, server, timers, status, flags));
      expect(s.score, String(status)).to.be.at.least(0.5);
      expect(s.reasons, String(status)).to.include('error_terms');
    }
  });

  it("flags Squid's gateway timeouts and denied requests among routine requests, and not the routine outcomes", () => {
    // The outcome was one value with the time, the duration, the client and the size: a 504 scored 0.
    const g = new Rng(8);
    const outcomes = ['TCP_MISS/200', 'TCP_MISS/200', 'TCP_MISS/200', 'TCP_MEM_HIT/200', 'TCP_REFRESH_UNMODIFIED/304', 'TCP_TUNNEL/200'];
    const sites = ['www.heise.de', 'www.spiegel.de', 'intranet.corp.local', 'erp.partnerco.de'];
    const line = (i: number, outcome: string, hier: string): string =>
      `${1790000000 + i * 7}.${String(i % 1000).padStart(3, '0')} ${String(20 + (i % 900)).padStart(6)} 10.0.3.${1 + (i % 60)} ${outcome} ${300 + (i % 60000)} GET http://${sites[i % 4]}/p/${i} - ${hier} text/html`;
    const trainer = new ModelTrainer();
    for (let i = 0; i < 5000; i++) trainer.add(line(i, outcomes[Math.floor(g.next() * outcomes.length)]!, `HIER_DIRECT/93.184.${i % 4}.${10 + (i % 4)}`));
    const model = trainer.finish();
    for (const outcome of outcomes) expect(model.score(line(7, outcome, 'HIER_DIRECT/93.184.3.13')).score, outcome).to.be.below(0.3);
    for (const [outcome, hier] of [['TCP_MISS/504', 'HIER_DIRECT/93.184.3.13'], ['TCP_DENIED/403', 'HIER_NONE/-'], ['TCP_MISS/503', 'HIER_NONE/-']] as const) {
      const s = model.score(line(9, outcome, hier));
      expect(s.score, outcome).to.be.at.least(0.5);
      expect(s.reasons, outcome).to.include('error_terms');
    }
  });
});
