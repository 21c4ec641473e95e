import { expect } from 'chai';
import { renderStructured } from '../../src/model/structured.js';
import { NO_MASKS, compileMasks, tokenize } from '../../src/model/mask.js';
import { HostModel } from '../../src/model/detector.js';
import { ModelTrainer } from '../../src/model/trainer.js';
import { Rng } from '../../src/seeded-random.js';
import { itLeavesAsIs, itMasksTo, maskedTemplate as t } from '../support/templates.js';


describe('structured lines (JSON, logfmt, klog)', () => {
  it('keeps MongoDB attributes too wide for pairs of their own as one value', () => {
    const wide = `{"s":"I","c":"X","ctx":"main","msg":"flags","attr":{${Array.from({ length: 40 }, (_, i) => `"k${i}":1`).join(',')}}}`;
    expect(renderStructured(wide)).to.match(/^INFO "X" "main" flags attr="\{'k0':1,/);
  });
  // The level leads; fields before the message are the record's header (values without their
  // names), but for the event's own fields a JSON record writes before it (pino, bunyan): they and
  // fields after it describe the message (key="value").
  const cases: Array<[what: string, line: string, template: string]> = [
    [
      'JSON longer than one chunk may be',
      '{"timestamp":"2024-01-01T10:00:00.123Z","level":"INFO","logger":"com.example.orders.OrderService","thread":"http-nio-8080-exec-1","message":"Order 12345 created for customer 987","traceId":"abc123def456"}',
      'INFO "<*>" "<*>" "<*>" Order <*> created for customer <*> traceId="<*>"',
    ],
    ['JSON with spaces', '{ "level": "error", "msg": "upstream timeout", "status": 504 }', 'ERROR upstream timeout status=<*>'],
    ['pino numeric level and err object', '{"level":50,"time":1700000000000,"pid":1,"msg":"request failed","err":{"type":"Error","message":"connect ECONNREFUSED 10.0.0.1:27017","stack":"Error: x\\n at y"}}', 'ERROR <*> request failed err: Error connect ECONNREFUSED <*>'],
    [
      'pino, the event\'s fields before the message',
      '{"level":40,"time":1712129664099,"pid":1,"hostname":"cart-7d9f","reqId":"req-41ac","durationMs":5724,"rows":27,"msg":"slow query"}',
      'WARN <*> "<*>" slow query reqId="<*>" durationMs=<*> rows=<*>',
    ],
    ['bunyan', '{"name":"api","hostname":"h1","pid":7,"level":50,"job":"sync","msg":"sync failed","time":"2024-01-01T00:00:00Z","v":0}', 'ERROR "<*>" "<*>" <*> sync failed job="<*>" time="<*>" v=<*>'],
    ['journald export, syslog priority', '{"PRIORITY":"6","_HOSTNAME":"h1","MESSAGE":"Started Session 12 of user root."}', 'INFO "<*>" Started Session <*> of user root.'],
    ['after a syslog header', 'Nov 9 12:10:43 web1 app[42]: {"level":"warn","msg":"disk 91% full"}', '<*> app[<*>]: WARN disk <*> full'],
    ['a container record holding a JSON line', '{"log":"{\\"level\\":\\"info\\",\\"msg\\":\\"ready\\"}\\n","stream":"stdout","time":"2024-01-01T00:00:00Z"}', 'INFO ready stream="<*>" time="<*>"'],
    ['an event record without a message', '{"event_type":"login","user":"bob","ctx":{"a":1,"b":"x y"}}', 'event_type="<*>" user="<*>" ctx="<*>"'],
    // Only MongoDB's attributes: another record's nested keys vary with the data.
    ['a nested object of another record', '{"level":"info","msg":"request","headers":{"accept":"x","x-id":"7"}}', 'INFO request headers="<*>"'],
    ['an empty error field says there was none', '{"msg":"saved","error":null,"err":""}', 'saved'],
    ['logfmt', 'time=2024-01-01T10:00:04Z level=error msg="failed to connect to database: connection refused" host=db1', 'ERROR "<*>" failed to connect to database: connection refused host="<*>"'],
    ['logfmt, escaped quotes and an error', 'level=info msg="user \\"bob\\" logged in" err="token expired"', 'INFO user "<*>" logged in err: token expired'],
    ['logfmt, one-word message', 'ts=1 lvl=debug msg=tick', 'DEBUG "<*>" tick'],
    ['logfmt, unquoted message with punctuation', 'level=info msg=server/start port=1', 'INFO server/start port="<*>"'],
    ['after a container runtime header', '2024-01-01T00:00:00.000Z stdout F {"level":"info","msg":"hi"}', '<*> stdout F INFO hi'],
    // An object a program embeds in its own wording holds data: its fields are values, none is the message.
    ['embedded in wording', '2024-01-01 10:00:00,123 INFO [main] c.e.Chat - posted {"user":"u1","text":"see you tomorrow"}', '<*> INFO [main] c.e.Chat - posted user="<*>" text="<*>"'],
    // A number is a pino level only in a record with a `msg`, a syslog priority only as journald's PRIORITY or GELF's level.
    ['a numeric level field that is not pino\'s', '{"event":"battery","level":50}', 'battery level=<*>'],
    ['a priority that is not a syslog one', '{"msg":"ticket created","priority":2}', 'ticket created priority=<*>'],
    ['GELF', '{"version":"1.1","host":"h","short_message":"Backup failed","level":3}', 'ERROR "<*>" "<*>" Backup failed'],
    ['MongoDB\'s own log', '{"t":{"$date":"2024-01-01T00:00:00.000+00:00"},"s":"W","c":"NETWORK","id":22943,"ctx":"listener","msg":"Connection accepted","attr":{"remote":"1.2.3.4:5"}}', 'WARNING "<*>" "<*>" <*> "<*>" Connection accepted attr.remote="<*>"'],
    // A nested object's fields are values of their own (one level down), and an error among them reads as one.
    [
      'MongoDB\'s slow query, its attributes one level down',
      '{"t":{"$date":"2025-03-03T00:13:07.000+00:00"},"s":"I","c":"COMMAND","id":51803,"ctx":"conn16766","msg":"Slow query","attr":{"type":"command","ns":"shop.orders","command":{"find":"orders","filter":{"customerId":7}},"durationMillis":219}}',
      'INFO "<*>" "<*>" <*> "<*>" Slow query attr.type="<*>" attr.ns="<*>" attr.command="<*>" attr.durationMillis=<*>',
    ],
    ['an error inside MongoDB\'s attributes', '{"s":"E","c":"STORAGE","ctx":"conn1","msg":"Write failed","attr":{"ns":"a.b","error":{"name":"DiskFull","message":"no space left on device"}}}', 'ERROR "<*>" "<*>" Write failed attr.ns="<*>" attr.error: DiskFull no space left on device'],
    ['ECS, nested level', '{"@timestamp":"2024","log":{"level":"error"},"message":"boom"}', 'ERROR "<*>" boom'],
    ['pino merges the caller\'s fields: its message is msg', '{"level":30,"time":1,"msg":"chat received","message":"hey how are you"}', 'INFO <*> chat received message="<*>"'],
    ['error fields that say there was none, and level err', 'level=err msg="disk gone" err=<nil>', 'ERROR disk gone'],
    // klog (Kubernetes): the severity letter is the level; a quoted message is the line's words.
    ['klog, structured', 'E1121 10:00:03.123456       1 pod_workers.go:1298] "Error syncing pod, skipping" err="failed to \\"StartContainer\\" with CrashLoopBackOff" pod="default/web-4"', 'ERROR <*> pod_workers.go:<*>] Error syncing pod, skipping err: failed to "<*>" with CrashLoopBackOff pod="<*>"'],
    ['klog, structured, a value with inner quotes', 'I1121 10:00:01.5 7 kubelet.go:2440] "SyncLoop ADD" source="api" pods=["default/web-2"]', 'INFO <*> kubelet.go:<*>] SyncLoop ADD source="<*>" pods="<*>"'],
    ['klog, plain text', 'W1121 10:00:00.123456 1234 reflector.go:424] failed to list *v1.Pod: connection refused', 'WARNING <*> reflector.go:<*>] failed to list <*>: connection refused'],
    ['glog, after a syslog header', 'Nov 21 10:00:00 node1 kubelet[1234]: I20261121 10:00:00.123456 1234 server.go:12] "Started kubelet"', '<*> kubelet[<*>]: INFO <*> server.go:<*>] Started kubelet'],
    // A network device's message code: its severity written out as the level, the code kept as the event's name.
    ['Cisco IOS', 'Nov 21 10:00:00 sw1 123: *Nov 21 10:00:00.123: %LINK-3-UPDOWN: Interface GigabitEthernet0/1, changed state to down', '<*> *Nov <*> ERROR %LINK-3-UPDOWN: Interface <*>, changed state to down'],
    ['Cisco ASA (a number as mnemonic)', '%ASA-6-302013: Built outbound TCP connection 7 for outside:1.2.3.4/443', 'INFO %ASA-6-302013: Built outbound TCP connection <*> for outside:<*>'],
    ['Cisco IOS XR', 'ifmgr[227]: %PKT_INFRA-LINK-2-UPDOWN : Interface Gi0/0/0/1, changed state to Down', 'ifmgr[<*>]: CRITICAL %PKT_INFRA-LINK-2-UPDOWN : Interface <*>, changed state to Down'],
    ['Cisco, the device\'s name after a syslog time', 'Nov 21 10:00:00 core-sw %LINK-3-UPDOWN: Interface Gi0/1, changed state to down', '<*> core-sw ERROR %LINK-3-UPDOWN: Interface <*>, changed state to down'],
    // Shipped as a record, the device's line is still the message (with its code's level).
    ['a device line shipped as JSON', '{"host":"sw1","message":"sw1: %LINK-3-UPDOWN: Interface Gi0/1, changed state to down","level":"info"}', 'INFO "<*>" <*>: ERROR %LINK-3-UPDOWN: Interface <*>, changed state to down'],
    ['a device line shipped as logfmt', 'level=info host=sw1 msg="sw1 %LINK-3-UPDOWN: Interface Gi0/1, changed state to down"', 'INFO "<*>" <*> ERROR %LINK-3-UPDOWN: Interface <*>, changed state to down'],
    ['klog with a JSON body', 'I1121 10:00:00.123456 1 audit.go:12] {"kind":"Event","level":"error","message":"boom"}', 'INFO <*> audit.go:<*>] ERROR boom kind="<*>"'],
    ['logfmt without a message: the level leads', 'ts=2026-01-01T00:00:00Z level=error job=backup status=failed', 'ERROR ts="<*>" job="<*>" status="<*>"'],
    // Linux audit: the record type is the event's name, the quoted message the pairs it holds.
    ['Linux audit', "type=USER_AUTH msg=audit(1234.5:67): pid=1 uid=0 msg='op=PAM:authentication acct=\"root\" res=failed'", 'USER_AUTH audit(<*>): pid=<*> uid=<*> op=<*> acct="<*>" res=<*>'],
    ['Linux audit through syslog', "Nov 21 10:00:00 h1 audispd: node=h1 type=USER_LOGIN msg=audit(1234.5:67): pid=1 msg='op=login res=success'", '<*> audispd: node=<*> USER_LOGIN audit(<*>): pid=<*> op=<*> res=<*>'],
    ['the kernel\'s audit line, its type named', 'Nov 21 10:00:00 h1 kernel: audit: type=1400 audit(1234.5:67): apparmor="DENIED" operation="open" pid=1', '<*> kernel: audit: AVC audit(<*>): apparmor="<*>" operation="<*>" pid=<*>'],
    ['an audit type auditd has no name for', "type=UNKNOWN[1334] msg=audit(1234.5:67): prog-id=7 op=LOAD", 'BPF audit(<*>): prog-id=<*> op=<*>'],
    ['an audit record after a syslog time and host', "Nov 21 10:00:00 h1 type=USER_AUTH msg=audit(1234.5:67): pid=1 msg='op=x res=failed'", '<*> USER_AUTH audit(<*>): pid=<*> op=<*> res=<*>'],
    ['journald\'s audit line', "Nov 21 10:00:00 h1 audit[42]: USER_AUTH pid=42 uid=0 msg='op=PAM:authentication acct=\"root\" res=failed'", '<*> audit[<*>]: USER_AUTH pid=<*> uid=<*> op=<*> acct="<*>" res=<*>'],
    ['logfmt without a message, an upper-case level key', 'LVL=error job=backup status=failed', 'ERROR job="<*>" status="<*>"'],
    ['more errors that say none', '{"msg":"saved","error":0,"err":"<nil>","exception":"none"}', 'saved'],
    ['errors that say none as the vocabulary reads them', '{"msg":"saved","error":"n/a","err":"-","exception":"[]"}', 'saved'],
    // Android's logcat: the priority letter spelled out, so the line declares its level.
    ['logcat threadtime', '03-17 16:13:38.869  2227  2227 E TextView: binder: 22523:1976 transaction failed', '<*> ERROR TextView: binder: <*> transaction failed'],
    ['logcat threadtime with the year', '2024-03-17 16:13:38.869  2227  2227 D TextView: hello', '<*> DEBUG TextView: hello'],
    ['logcat brief', 'W/ActivityManager( 1234): Unable to start service', 'WARNING ActivityManager( <*>): Unable to start service'],
    ['logcat time', '03-17 16:13:38.869 I/Tag(  12): hi there', '<*> INFO Tag( <*>): hi there'],
    ['logcat process', 'F( 1234) Abort message: bad state', 'FATAL ( <*>) Abort message: bad state'],
  ];
  itMasksTo(cases);

  const untouched: Array<[what: string, line: string]> = [
    ['plain text', 'Connection to database failed: timeout'],
    ['key=value without a message', 'acquire lock=233570404, flags=0x1, tag="View Lock"'],
    ['an audit-like stamp after other words', 'some words type=X audit(1.2:3): a=b'],
    ['malformed JSON', '{"level":"error","msg":"x"'],
    ['a JSON array', '[{"msg":"x"}]'],
    ['JSON not at the end', '{"msg":"x"} and more'],
    ['one pair only', 'msg="hello world"'],
    ['pairs with a level that names no log level', 'lock=2335 flags=0x1 level=3'],
    ['an unclosed logfmt quote', 'level=info msg="never closed'],
    ['pairs after other words', 'worker status message=Idle code=0'],
    ['a klog-like header after words', 'job I1121 10:00:00.123456 1 main.go:1] "x" a=b'],
    ['a klog-like header without its file:line', 'I1121 10:00:00.123456 1 started'],
    ['a percent sign that is no message code', 'cpu at 100% load, %SYS-9-X: severity 9'],
    ['a word with a slash at the start', 'I/O error on device'],
    ['a letter and a slash without a tag and pid', 'E/x'],
    ['a logcat-like time and letter without pid and tid', '03-17 16:13:38.869 E job done'],
    ['a message code quoted in other wording', '2024-01-01 10:00:00 ERROR NetMon - device sent %SYS-6-LOGGINGHOST_STARTSTOP: Logging to host 1.2.3.4 failed'],
  ];
  itLeavesAsIs(renderStructured, untouched);

  it('applies extra masking rules to the line as it came, inside the fields', () => {
    const tok = tokenize('{"level":"info","msg":"order ORD-123 done","ref":"ORD-9"}', compileMasks([{ pattern: 'ORD-\\d+', name: 'order' }]));
    expect(tok.tokens.join(' ')).to.equal('INFO order <order> done ref="<*>"');
    expect(tok.values).to.deep.equal(['ORD-123', 'ORD-9']);
  });

  it('gives an empty and a non-empty string field the same template', () => {
    expect(t('{"msg":"x","user":""}')).to.equal(t('{"msg":"x","user":"bob"}'));
  });

  it('never throws: 5,000 nested arrays, 130,000 pairs', () => {
    const deep = '{"msg":"x","a":' + '['.repeat(5000) + ']'.repeat(5000) + '}';
    expect(t(deep)).to.equal('<*>');
    expect(tokenize('msg=x ' + 'a=b '.repeat(130000), NO_MASKS).tokens).to.have.length(256);
  });

  it('cuts a long field (a stack trace) so that it stays one value', () => {
    expect(t('{"msg":"x","stack":"' + 'at foo '.repeat(2000) + '"}')).to.equal('x <*>');
    expect(t('{"msg":"x","stack":"' + 'at foo '.repeat(20) + '"}')).to.equal('x stack="<*>"');
  });

  it('keeps the values of the fields for slot statistics', () => {
    const tok = tokenize('{"level":"info","msg":"took 12 ms","path":"/a b","n":3}', NO_MASKS);
    expect(tok.values).to.deep.equal(['12 ms', '/a b', '3']);
  });
});

describe('detector on a network device', () => {
  it('reads a message code\'s severity: a critical event without failure words is flagged, routine flaps are not', () => {
    const g = new Rng(3);
    const port = (): number => 1 + Math.floor(g.next() * 48);
    const kinds = [
      () => `%LINK-3-UPDOWN: Interface GigabitEthernet0/${port()}, changed state to ${g.next() < 0.5 ? 'up' : 'down'}`,
      () => `%LINEPROTO-5-UPDOWN: Line protocol on Interface GigabitEthernet0/${port()}, changed state to ${g.next() < 0.5 ? 'up' : 'down'}`,
      () => `%SYS-5-CONFIG_I: Configured from console by admin on vty${port() % 5} (10.1.1.${port()})`,
      () => `%DOT1X-5-SUCCESS: Authentication successful for client (${Math.floor(g.next() * 1e12).toString(16)}) on Interface Gi1/0/${port()}`,
    ];
    const trainer = new ModelTrainer();
    for (let i = 0; i < 4000; i++) trainer.add(`Nov 21 10:${String(i % 60).padStart(2, '0')}:00 sw1 ${i}: ${kinds[i % kinds.length]!()}`);
    const model = trainer.finish();
    const flap = model.score('Nov 22 10:00:00 sw1 9999: %LINK-3-UPDOWN: Interface GigabitEthernet0/7, changed state to down');
    const fan = model.score('Nov 22 10:00:01 sw1 10000: %PLATFORM_ENV-1-FAN: Fan tray 2 removed');
    expect(flap.score).to.be.below(0.3);
    expect(fan.template).to.include('ALERT %PLATFORM_ENV-1-FAN:');
    expect(fan.reasons).to.include.members(['new_template', 'error_terms']);
    expect(fan.score).to.be.at.least(0.5);
  });
});

describe('detector on structured hosts', () => {
  function host(render: (level: string, msg: string, i: number) => string): { model: HostModel; line: typeof render } {
    const g = new Rng(7);
    const kinds = [
      (i: number) => `Order ${i} created for customer ${Math.floor(g.next() * 1000)}`,
      (i: number) => `GET /orders/${i} completed in ${Math.floor(g.next() * 90)} ms`,
      () => `Cache refreshed with ${Math.floor(g.next() * 500)} entries`,
      () => `Health check passed`,
    ];
    const trainer = new ModelTrainer();
    for (let i = 0; i < 3000; i++) trainer.add(render('info', kinds[i % kinds.length]!(i), i));
    return { model: trainer.finish(), line: render };
  }
  const formats: Array<[string, (level: string, msg: string, i: number) => string]> = [
    ['JSON', (level, msg, i) => JSON.stringify({ timestamp: `2024-01-01T10:${String(i % 60).padStart(2, '0')}:00.000Z`, level, logger: 'com.example.orders.OrderService', thread: `http-nio-8080-exec-${i % 20}`, message: msg, traceId: `t${i}x${i * 7}` })],
    ['klog', (level, msg, i) => `${level[0]!.toUpperCase()}0101 10:00:${String(i % 60).padStart(2, '0')}.123456 ${1000 + (i % 7)} orders.go:${100 + (i % 3)}] ${JSON.stringify(msg)} requestID="r${i}"`],
    ['logfmt', (level, msg, i) => `time=2024-01-01T10:00:${String(i % 60).padStart(2, '0')}Z level=${level} msg=${JSON.stringify(msg)} request_id=r${i}`],
    ['logcat', (level, msg, i) => `03-17 10:00:${String(i % 60).padStart(2, '0')}.123  ${1000 + (i % 7)}  ${2000 + (i % 5)} ${level[0]!.toUpperCase()} OrderService: ${msg}`],
  ];
  it('logcat: an error-level line is read as an error even without failure words, a debug-level one is not', () => {
    // An app's crash report line (`Process: ..., PID: ...`) says nothing of a failure but its level.
    const { model, line } = host((level, msg, i) => `03-17 10:00:${String(i % 60).padStart(2, '0')}.123  ${1000 + (i % 7)}  ${2000 + (i % 5)} ${level[0]!.toUpperCase()} OrderService: ${msg}`);
    const error = model.score(line('error', 'Process: com.example.orders, PID: 3472', 5000));
    const debug = model.score(line('debug', 'Process: com.example.orders, PID: 3472', 5001));
    expect(error.reasons).to.include('error_terms');
    expect(debug.reasons).to.not.include('error_terms');
    expect(error.score).to.be.above(debug.score);
  });

  for (const [name, render] of formats) {
    it(`${name}: flags an error message among routine ones, and not the routine ones`, () => {
      const { model, line } = host(render);
      const routine = model.score(line('info', 'Order 77 created for customer 5', 5000));
      const error = model.score(line('error', 'Connection to database failed: timeout after 30000 ms', 5001));
      expect(routine.score).to.be.below(0.3);
      expect(error.score).to.be.at.least(0.5);
      expect(error.reasons).to.include.members(['new_template', 'error_terms']);
    });
  }
});
