// The failure vocabulary: which words and phrases of a line say "something broke", by table.
import { expect } from 'chai';
import { compileMasks, tokenize } from '../../src/model/mask.js';
import { DECLARED_INFO_SHARE, DECLARED_WARN_SHARE, declaredLevel, lineFailureTerms, signalSeverity } from '../../src/model/vocabulary.js';
import { ModelTrainer } from '../../src/model/trainer.js';

const masks = compileMasks([]);
const terms = (line: string): string[] => lineFailureTerms(tokenize(line, masks).tokens).map((t) => t.term);

describe('failure vocabulary', () => {
  const table: Array<[string, string[]]> = [
    ['Connection refused to 10.0.0.5:8080', ['refused']],
    ['TrustedInstaller service terminated unexpectedly; the system will reboot', ['terminated', 'unexpectedly']],
    ['kernel: Out of memory: Killed process 1895 (java)', ['out of memory', 'killed']],
    ['Container oomkilled, restarting', ['oomkilled']],
    ['upstream timed out (110: Connection timed out) while reading response header', ['timed out']],
    ['Giving up on host db-3 after 5 attempts', ['giving up']],
    ['Node ip-10-0-5-42 status is now: NodeNotReady; Node is not ready', ['not ready']],
    // A server starting after a crash (a review's MySQL: 0.41 without the phrase).
    ['[Note] [MY-012944] [InnoDB] Database was not shutdown normally!', ['not shutdown normally']],
    ['LOG:  database system was not properly shut down; automatic recovery in progress', ['not properly shut down', 'down']],
    ['Detected unclean shutdown - Lock file is not empty', ['unclean shutdown']],
    ['The server was shut down normally', ['down']],
    ['worker[812]: segmentation fault (core dumped)', ['fault', 'core dumped']],
    ['Insufficient replicas for partition 7', ['insufficient']],
    // A review's mail server: a full disk told by the delivery agent, a peer's rate limit, mail deferred.
    ['452 4.3.1 <judy@example.com> Not enough disk space (in reply to end of DATA command)', ['not enough']],
    ['421-4.7.28 Our system has detected an unusual rate of mail, temporarily rate limited', ['rate limited']],
    // (`status=deferred` is a value, read per line: valueTermSeverity.)
    ['Nov 24 10:00:01 mx1 postfix/qmgr[812]: 4BF2A1: deferred, retrying in 300s', ['deferred', 'retrying']],
    ['enough disk space for 3 more days', []],
    ['node-4 is unresponsive, marking unhealthy', ['unresponsive', 'unhealthy']],
    ['fsync failed: errno 28', ['failed', 'errno']],
    ['Remounting filesystem read-only', ['remounting filesystem read only', 'read only']],
    // `full` before an operation's name is a kind of operation; after a thing, that thing is out of room.
    ['Full resync requested by replica 10.0.1.12:6379', []],
    ['[Full GC (Ergonomics) 512M->498M(1024M), 1.2 secs]', []],
    ['Starting full backup of /var/lib/mysql', []],
    ['Disk full on /dev/sda1, dropping writes', ['full', 'dropping']],
    ['send queue full', ['full']],
    ['Filesystem /data full; snapshot of volume vol7 skipped', ['full']],
    ['Disk full, backup aborted', ['full', 'aborted']],
    ['Full backup started; disk full soon', ['full']],
    ['starting full-sync with replica 3', []],
    ['[gc] Full-GC took 33 ms', []],
    ['full_backup finished for db1', []],
    ['mounted filesystem read-only', ['read only']],
    ['INFO: task slurmd:2336 blocked for more than 120 seconds.', ['blocked', 'blocked for more than']],
    ['    at org.example.Foo.bar(Foo.java:42)', ['stack frame']],
    // JDK 9+ frames name the module first; its path is masked as one value.
    ['\tat java.base/sun.nio.ch.Net.pollConnect(Native Method)', ['stack frame']],
    ['\tat java.base/java.lang.Thread.run(Thread.java:833)', ['stack frame']],
    // A file name with digits is masked whole: the frame is still one.
    ['\tat org.apache.coyote.http11.Http11InputBuffer.parseRequestLine(Http11InputBuffer.java:419)', ['stack frame']],
    // .NET, Node.js, the kernel.
    ['   at System.IO.FileStream..ctor(String path, FileMode mode) in C:\\src\\Store.cs:line 42', ['stack frame']],
    ['   at MyApp.Program.Main(String[] args)', ['stack frame']],
    ['    at Server.<anonymous> (/app/server.js:22:7)', ['stack frame']],
    ['    at processTicksAndRejections (node:internal/process/task_queues:95:5)', ['stack frame']],
    ['    at new Pool (/app/node_modules/pg-pool/index.js:45:11)', ['stack frame']],
    ['    at /app/routes/index.js:10:15', ['stack frame']],
    ['app[212]: at /app/routes/index.js:10:15', ['stack frame']],
    // Behind a host name without digits, a container runtime's or a process manager's prefix.
    ['Nov 24 10:00:01 myhost app[1]: at Module._compile (node:internal/modules/cjs/loader:1105:14)', ['stack frame']],
    ['2026-11-24T10:00:00.123456789Z stderr F     at Module._compile (node:internal/modules/cjs/loader:1105:14)', ['stack frame']],
    ['app_1  |     at Object.foo [as bar] (/app/x.js:1:2)', ['stack frame']],
    ['    at node:internal/main/run_main_module:22:47', ['stack frame']],
    // .NET names with digits, masked whole: async state machines, lambdas, generic types.
    ['   at Acme.Items.ItemService.<GetAsync>d__5.MoveNext() in /src/ItemService.cs:line 42', ['stack frame']],
    ['   at Acme.Items.ItemService.<>c__DisplayClass5_0.<Run>b__0()', ['stack frame']],
    ['   at System.Collections.Generic.Dictionary`2.TryInsert(TKey key, TValue value, InsertionBehavior behavior)', ['stack frame']],
    ['--- End of stack trace from previous location ---', ['stack trace', 'stack frame']],
    ['\t... 12 more', ['stack frame']],
    // Go: the goroutine, a call of values (the package path masked), who started it.
    ['goroutine 57 [running]:', ['stack frame']],
    ['github.com/acme/itemsvc/internal/store.(*Store).Get(0x0, {0xc000123456, 0x7})', ['stack frame']],
    ['main.main()', ['stack frame']],
    ['github.com/acme/itemsvc/cmd.run()', ['stack frame']],
    ['grpc.(*Server).Serve(0xc000123, {0x1, 0x2})', ['stack frame']],
    ['10.0.0.1(443)', []],
    ['created by net/http.(*Server).Serve in goroutine 1', ['stack frame']],
    // Behind a syslog header, containerd's prefix, docker-compose's.
    ['Nov 24 10:00:01 myhost app[12]: main.main()', ['stack frame']],
    ['2026-11-24T10:00:00.123456789Z stderr F goroutine 1 [running]:', ['stack frame']],
    ['api_1  | #3 {main}', ['stack frame']],
    ['Ticket created by admin', []],
    ['Snapshot snap-0123: created by backup.service', []],
    // Any dotted name called is no Go frame: Go's name a package path, a pointer receiver, main or the runtime.
    ['Client: host.example.com(10.0.0.5)', []],
    ['Progress: backup.tar.gz(45%)', []],
    ['2024/11/24 10:00:01 [DEBUG] cache.Get(42)', []],
    ['worker.Run(3)', []],
    ['main.(*Worker).handle.func1()', ['stack frame']],
    ['main.(*Worker).Run-fm(0xc000100000)', ['stack frame']],
    ['main.process[...](0xc00001c030, {0xc000012345, 0x3})', ['stack frame']],
    ['panic({0x5f2c40?, 0x6a3b10?})', ['panic', 'stack frame']],
    ['goroutine 1 gp=0xc0000061c0 m=0 mp=0x7a3b40 [running]:', ['stack frame']],
    ['\t... 42 common frames omitted', ['stack frame']],
    ['--- End of report ---', []],
    ["2024-11-24 10:00:01 `a.txt' -> `b.txt'", []],
    ['   at System.Linq.Enumerable.First[TSource](IEnumerable`1 source)', ['stack frame']],
    ['   at lambda_method12(Closure, Object, Object[])', ['stack frame']],
    ['   at Microsoft.AspNetCore.Routing.EndpointMiddleware.<Invoke>g__AwaitRequestTask|6_0(Endpoint endpoint, Task requestTask, ILogger logger)', ['stack frame']],
    ["Got greeting from 10.0.0.1 `hello'", []],
    ['created by admin', []],
    ['goroutine pool resized to 12', []],
    // PHP: `#N file(line): call`, `#N {main}`.
    ['#0 /var/www/app/vendor/symfony/http-kernel/HttpKernel.php(163): App\\Controller\\ItemController->show(Object(Symfony\\Component\\HttpFoundation\\Request))', ['stack frame']],
    ['#1 [internal function]: App\\Foo->bar(Array)', ['stack frame']],
    ['#3 {main}', ['stack frame']],
    ['10.0.0.1 connect()', []],
    ['#0 /var/www/html/lib/ledger.php(58): acquire_lock(\'ledger\', 30)', ['stack frame']],
    ['#5 /app/vendor/laravel/framework/src/Illuminate/Pipeline/Pipeline.php(141): Illuminate\\Routing\\Router->Illuminate\\Routing\\{closure}(Object(Illuminate\\Http\\Request))', ['stack frame']],
    ['PHP   2. run_jobs() /var/www/html/cron.php:9', ['stack frame']],
    ['  thrown in /var/www/html/lib/ledger.php on line 31', ['stack frame']],
    // systemd-coredump's and GDB's frames.
    ['#0  0x00007f3c1a2b8e2c in __pthread_kill_implementation (libc.so.6 + 0x8e9fc)', ['kill', 'stack frame']],
    // A C++ or PHP message that names a call is no frame: only a frame's number makes one.
    ['2024-11-24 10:00:01.123 Storage::write() failed: No space left on device (errno 28)', ['failed', 'no space', 'errno']],
    ['2024-11-24 10:00:01 Session::onTimeout(12)', []],
    ['2024-11-24 10:00:01,123 Foo->bar() done (12 ms)', []],
    ['Ticket #1234: created by jane.doe', []],
    // Ruby (3.4 quotes the method with ' only) and Rails' trimmed frames.
    ["app/controllers/items_controller.rb:12:in `show'", ['stack frame']],
    ["\tfrom /usr/lib/ruby/3.1.0/webrick/server.rb:328:in `block in start_thread'", ['stack frame']],
    ["from /usr/lib/ruby/3.4.0/webrick/server.rb:328:in 'WEBrick::GenericServer#start_thread'", ['stack frame']],
    ["actionpack (7.0.4) lib/action_controller/metal/basic_implicit_render.rb:6:in `send_action'", ['stack frame']],
    ["Request from 10.0.0.1 'GET /x'", []],
    // A mild term that ended well (Redis' routine line), not a strong one.
    ['Background saving terminated with success', []],
    ['worker interrupted successfully', []],
    ['Background saving terminated by signal', ['terminated']],
    ['job killed successfully', ['killed']],
    ['Eviction manager: pod is evicted successfully pod="shop/cart-7d9f"', ['evicted']],
    // Camel-case words of the wording whose parts name a failure (a review's containerd); not an
    // agent, an action or a longer name.
    ['TaskOOM event container_id:c202ab', ['taskoom']],
    ['DegradedArray event detected on md device /dev/md0', ['degradedarray']],
    ['Started ErrorHandler for queue orders', []],
    ['AbortMultipartUpload completed', []],
    ['FailedPaymentRetry scheduled', []],
    // Behind a longer logger prefix, after its separator: Ruby's Logger (Rails' request tags too),
    // RFC 5424's nil fields, log4j's `logger - `; its sentences are no frames.
    ["E, [2024-11-24T10:00:00.123456 #4821] ERROR -- : /usr/lib/ruby/3.2.0/net/http.rb:1271:in `connect'", ['error', 'stack frame']],
    ["F, [2024-11-24T10:00:00.123456 #1] FATAL -- : [req-77] actionpack (7.0.4) lib/action_controller/metal/basic_implicit_render.rb:6:in `send_action'", ['fatal', 'stack frame']],
    ['<11>1 2024-11-24T10:00:00.123Z web01 java 1234 - - at com.example.Shop.quote(Shop.java:57)', ['stack frame']],
    ['2024-11-24 10:00:00,123 ERROR [main] c.e.Shop - at com.example.Shop.quote(Shop.java:57)', ['error', 'stack frame']],
    ['2024-11-24 10:00:00,123 INFO [main] c.e.Shop - Connection closed at 10:00:01', ['connection closed']],
    ['E, [2024-11-24T10:00:00.123456 #4821] ERROR -- : [req-77] Payment declined for order 12', ['error']],
    ['kernel: [2854800.000000]  nfs4_proc_getattr+0x6a/0x100 [nfsv4]', ['stack frame']],
    ['kernel: [2854800.000000]  ? __schedule+0x21b/0x550', ['stack frame']],
    ['Nov  2 10:15:01 cn01 kernel: [2854800.000000]  schedule+0x2d/0x70', ['stack frame']],
    // `at` in a sentence is no frame.
    ['Backup started at 10:15:07', []],
    ['Backup finished at /var/backups/db.tar (12 GB)', []],
    ['Job 17 finished at /var/backups/db.tar', []],
    ['worker picked up at (index 0)', []],
    ['Syntax error at config.yaml(line 3): unexpected token', ['error', 'unexpected']],
    ['2026-11-24 10:00:00 WARN at os.path.join(None) fallback used', ['warn']],
    ['Breakpoint hit at Foo.bar(x=1)', []],
    ['Nov 24 10:00:01 web-01 app[1]: at capacity, rejecting (503)', ['rejecting']],
    ['Nov 24 10:00:01 web-01 smartd[1]: at risk: disk (sda1)', []],
    // Kernel, hardware and cluster failures written in ordinary words.
    ['mce: [Hardware Error]: Machine check events logged', ['error', 'machine check']],
    ['traps: java[4121] general protection fault ip:7f3a sp:7ffd error:0', ['general protection', 'fault', 'error']],
    ['kernel BUG at mm/slab.c:2796!', ['kernel bug']],
    ['BUG: unable to handle kernel NULL pointer dereference at 0000000000000008', ['unable', 'dereference']],
    ['Call Trace:', ['call trace']],
    ['EDAC MC0: 1 UE uncorrectable memory read on DIMM_A1', ['uncorrectable']],
    ['NMI watchdog: BUG: soft lockup - CPU#3 stuck for 22s!', ['lockup', 'stuck']],
    ['ciodb exited abnormally due to signal: Aborted', ['abnormally', 'aborted']],
    ['idoproxydb hit ASSERT condition: ASSERT expression=0', ['assert']],
    ['rejecting malformed request from 10.0.0.4', ['rejecting', 'malformed']],
    ['%ASA-4-733101: Host 45.83.64.19 is attacking. Current burst rate is 47 per second', ['warning', 'attacking']],
    ['Back-off restarting failed container web in pod web-4: CrashLoopBackOff', ['failed', 'crashloopbackoff']],
    ['CPU0: Core temperature above threshold, cpu clock throttled, overheating', ['throttled', 'overheating']],
    ['drbd r0: Split-Brain detected but unresolved, dropping connection!', ['split brain', 'dropping']],
    ['rcu: INFO: rcu_sched detected stalls on CPUs/tasks', ['stalls']],
    // A cleared audit or event log (Windows events 1102 and 104).
    ['The audit log was cleared.', ['log was cleared']],
    ['The System log file was cleared.', ['log file was cleared']],
    ['Browser cache was cleared; old log files cleared by rotation', []],
    // A retention job's routine purge is no cleared log.
    ['INFO [retention] application log was cleared of entries older than 30 days (75084 entries)', []],
    ['log file was cleared of 1200 old entries', []],
    // Routine lines: no failure terms, and "not"/"closed" count only in phrases.
    ['Accepted publickey for deploy from 10.1.2.3 port 52311 ssh2', []],
    ['session closed for user root', []],
    ['Debug: hangup signal received, reloading configuration', []],
    ['PacketResponder 2 for block blk_123 terminating', []],
    ['Machine started; checking general settings; call routed to trunk 2', []],
    // A failure named to say it did not happen.
    ['fsck finished, no errors found', []],
    ['backup verified without errors', []],
    ['Zero failures in the last run', []],
    ['check completed without error.', []],
    ['No fatal errors found', []],
    // `full` in a line about duplex is a link's mode.
    ['eth0: e1000_watchdog: NIC Link is Up 1000 Mbps Full Duplex', []],
    ['%ETHPORT-5-IF_DUPLEX: Interface Ethernet1/1, operational duplex mode changed to Full', []],
    ['nf_conntrack: table full, dropping packet', ['full', 'dropping']],
    ['backup verified: no failed files', []],
    ['zero failed login attempts since boot', []],
    ['no failed jobs, 2 failed runs', ['failed']],
    ['no failed jobs, 2 failed jobs', ['failed']],
    ['no failed jobs, many failed jobs before', ['failed']],
    // The negated phrase named again after an article or a preposition is the same thing: none.
    ['no critical input interrupts; time spent on critical input interrupts: 5 ms', []],
    ['no failed jobs; retries of the failed jobs: none', []],
    ['no route to host 10.0.0.9', ['no route']],
    ['No space left on device, no errors before', ['no space']],
    // A key given a word for nothing: there was none.
    ['backup finished. Errors: none', []],
    ['job done, Last error: None', []],
    ['retries: 2, warnings: n/a, failures: none', []],
    ['scan done errors:[] files:12', []],
    ['scan done, files:12 errors:[]', []],
    ['Errors: none; warnings: 3 errors', ['errors', 'warnings']],
    ['Error: no such file or directory', ['error', 'no such']],
    // ... but not a "no" that is a number's label, a zero that is divided by, or a handler.
    ['Disk No. 3 failed', ['failed']],
    ['no numbers, failed', ['failed']],
    ['Divide by zero error encountered.', ['error']],
    ['No error handler registered for event', ['error']],
    ['no errors in pass 1, 4 errors in pass 2', ['errors']],
  ];
  for (const [line, want] of table) {
    it(`"${line}" -> [${want.join(', ')}]`, () => {
      expect(terms(line)).to.deep.equal(want);
    });
  }
});

describe('declared level', () => {
  const declared = (line: string): 'info' | 'warn' | 'error' | null => declaredLevel(tokenize(line, masks).tokens);
  const table: Array<[string, 'info' | 'warn' | 'error' | null]> = [
    ['2015-10-18 18:01:47,978 INFO [main] org.apache.hadoop.ipc.Client: Retrying connect to server', 'info'],
    ['17/06/09 20:10:40 INFO executor.Executor: Finished task 0.0 in stage 1.0', 'info'],
    ['2015-07-29 17:41:44,747 - INFO  [QuorumPeer[myid=1]/0.0.0.0:2181] - Notification time out: 3200', 'info'],
    ['[Sun Dec 04 04:47:44 2005] [notice] jk2_init() Found child 6725 in scoreboard slot 10', 'info'],
    ['2016-09-28 04:30:30, Info                  CBS    Failed to internally open package', 'info'],
    ['INFO:root:cache miss for key 42', 'info'],
    ['1117838570 2005.06.03 R02-M1-N0-C:J12-U11 RAS KERNEL INFO instruction cache parity error corrected', 'info'],
    ['2024-03-01 10:00:00 DEBUG pool: connection reset, reconnecting', 'info'],
    ['2015-10-18 18:01:47,978 WARN [main] org.apache.hadoop.ipc.Client: Retrying connect to server', 'warn'],
    ['[Sun Dec 04 04:47:44 2005] [warn] mod_jk child init 1 -2', 'warn'],
    ['2016-09-29 00:03:19, Warning               CBS    Failed to upload SQM data', 'warn'],
    ['WARNING:root:disk almost full', 'warn'],
    ['2015-10-18 18:01:47,978 ERROR [main] org.apache.hadoop.ipc.Client: Retrying connect to server', 'error'],
    ['[Sun Dec 04 04:47:44 2005] [error] mod_jk child workerEnv in error state 6', 'error'],
    ['2016-09-29 02:04:39, Error                  CBS    Session: 30543104_934549141 failed to FinalizeEx', 'error'],
    ['FATAL:  terminating connection due to administrator command', 'error'],
    ['Dec 10 07:28:33 db1 postgres[31]: [crit] checkpoint request failed', 'error'],
    // Apache 2.4 writes the module before the level; MySQL and MariaDB write `[Note]`.
    ['[Mon Mar 03 00:02:22.274330 2025] [core:error] [pid 1004:tid 1399] [client 203.0.113.197:44462] AH00124: Request exceeded', 'error'],
    ['[Mon Mar 03 00:02:22.274330 2025] [proxy_fcgi:notice] [pid 1004:tid 1399] AH01071: Got error', 'info'],
    ['[Mon Mar 03 00:02:22.274330 2025] [ssl:warn] [pid 1004] AH01909: certificate does not include an ID which matches', 'warn'],
    ["2025-04-02T02:05:00.046404Z 252518 [Note] [MY-010914] [Server] Aborted connection 252518 to db: 'analytics' (Got an error writing communication packets)", 'info'],
    ['2025-04-02T02:05:00.046404Z 0 [ERROR] [MY-010584] [Repl] Slave SQL: Error executing row event', 'error'],
    // Elasticsearch, Logstash and OpenSearch glue their brackets, the level padded to five.
    ['[2024-03-13T06:21:27,001][ERROR][o.e.c.r.a.AllocationService] [es-node-1] Cluster health status changed', 'error'],
    ['[2024-03-13T06:21:27,001][INFO ][o.e.c.r.a.AllocationService] [es-node-1] Cluster health status changed', 'info'],
    ['[2024-03-13T06:21:27,001][WARN ][o.e.x.w.i.s.ExecutableSearchInput] [es-node-1] failed to execute [search]', 'warn'],
    ['[2024-03-13T06:21:27,001][o.e.c.Error][x] done', null],
    ['Nov 9 12:10:43 app[77]: Note that the certificate has expired', null],
    ['Nov 9 12:10:43 backup[311]: NOTE: backup failed', null],
    // Other levels, and level names as words of the message rather than levels.
    ['2015-10-18 18:01:47,978 TRACE [main] org.apache.hadoop.ipc.Client: Retrying connect to server', 'info'],
    ['2015-10-18 18:01:47,978 AUDIT [main] org.apache.hadoop.ipc.Client: Retrying connect to server', null],
    ['connect failed: error 111, retrying', null],
    ['Follower sid: 3 : info : org.apache.zookeeper.server.quorum.QuorumPeer', null],
    ['user info updated for bob', null],
    ['kernel: warning: process uses obsolete ioctl', null],
    ['request 1 of batch 7 from client 9 said INFO only', null],
  ];
  for (const [line, want] of table) {
    it(`"${line.slice(0, 70)}" -> ${want}`, () => {
      expect(declared(line)).to.equal(want);
    });
  }

  it('weakens the failure terms of a WARN line less than those of an INFO line', () => {
    const message = 'Retrying connect to server db-3: connection refused';
    const terms = (line: string): Map<string, number> => new Map(lineFailureTerms(tokenize(line, masks).tokens).map((t) => [t.term, t.severity]));
    const bare = terms(message);
    const warn = terms(`2015-10-18 18:01:47,978 WARN [main] ${message}`);
    expect(bare.size).to.be.above(0);
    // The level's own word may be a (weak) term too; the message's terms keep DECLARED_WARN_SHARE.
    for (const [term, severity] of bare) expect(warn.get(term), term).to.be.closeTo(severity * DECLARED_WARN_SHARE, 1e-12);
    expect(DECLARED_WARN_SHARE).to.be.above(DECLARED_INFO_SHARE).and.below(1);
  });

  it("keeps the whole weight of the kernel's hung-task report, whose INFO: is no level", () => {
    const severity = (line: string): Map<string, number> => new Map(lineFailureTerms(tokenize(line, masks).tokens).map((t) => [t.term, t.severity]));
    const report = severity('INFO: task slurmd:2336 blocked for more than 120 seconds.');
    const bare = severity('task slurmd:2336 blocked for more than 120 seconds.');
    expect(declaredLevel(tokenize('INFO: task slurmd:2336 blocked for more than 120 seconds.', masks).tokens)).to.equal('info');
    expect(report.get('blocked for more than')).to.equal(bare.get('blocked for more than')).and.equal(1);
    // The word alone is weakened as any other.
    expect(report.get('blocked')).to.be.closeTo(bare.get('blocked')! * DECLARED_INFO_SHARE, 1e-12);
  });

  it('keeps the whole weight of a cleared log, an audit success written at information level', () => {
    const severity = (line: string): number | undefined => lineFailureTerms(tokenize(line, masks).tokens).find((t) => t.term === 'log was cleared')?.severity;
    expect(severity('2025-04-04 12:10:24 Information Microsoft-Windows-Eventlog 1102 The audit log was cleared.')).to.equal(1);
    expect(severity('The audit log was cleared.')).to.equal(1);
  });

  it('weighs a failure the line says was corrected as a mild one, and an uncorrectable one in full', () => {
    const severity = (line: string): Map<string, number> => new Map(lineFailureTerms(tokenize(line, masks).tokens).map((t) => [t.term, t.severity]));
    const bare = severity('instruction cache parity error');
    const corrected = severity('instruction cache parity error corrected');
    expect(bare.get('error')).to.be.above(0.5);
    expect(corrected.get('error')).to.be.above(0).and.at.most(0.35);
    const mixed = severity('2 corrected and 1 uncorrectable memory errors on DIMM_A1');
    expect(mixed.get('uncorrectable')).to.equal(1);
    expect(mixed.get('errors')).to.be.at.most(0.35);
    expect(severity('1 uncorrected memory error on DIMM_A1').get('error')).to.equal(bare.get('error'));
    // ... and one it says was not corrected is not.
    for (const line of ['ECC error not corrected', 'parity error could not be corrected', 'non-correctable parity error']) {
      expect(severity(line).get('error'), line).to.equal(bare.get('error'));
    }
  });

  it('weakens the failure terms of an INFO line, not of the same message without a level', () => {
    const bare = lineFailureTerms(tokenize('Retrying connect to server db-3: connection refused', masks).tokens);
    const info = lineFailureTerms(tokenize('2015-10-18 18:01:47,978 INFO [main] Retrying connect to server db-3: connection refused', masks).tokens);
    expect(info.map((t) => t.term)).to.deep.equal(bare.map((t) => t.term));
    for (let k = 0; k < bare.length; k++) expect(info[k]!.severity).to.be.closeTo(bare[k]!.severity * DECLARED_INFO_SHARE, 1e-12);
  });
});

// A process ended by a fault's signal, its number masked: MySQL's `mysqld got signal 11 ;` read as a
// new message alone (0.40 in a review), and a known one as routine.
describe('signal numbers', () => {
  const table: Array<[string | undefined, string, boolean]> = [
    ['signal', '11', true],
    ['signal:', '6', true],
    ['Signal', '7', true],
    ['signal', '9', true],
    ['signal', '15', false],
    ['signal', '1', false],
    ['signals', '11', false],
    ['port', '11', false],
    [undefined, '11', false],
    ['signal', '110', false],
  ];
  for (const [before, value, fault] of table) {
    it(`${String(before)} ${value}: ${fault ? 'a fault' : 'none'}`, () => expect(signalSeverity(before, value) > 0).to.equal(fault));
  }

  it("flags a known message's crash signal, not its routine stop", () => {
    const t = new ModelTrainer();
    for (let i = 0; i < 3000; i++) {
      t.add(`2024-11-24T10:00:00.000000Z ${i} [Note] [MY-010914] [Server] Aborted connection ${i} to db: 'shop' user: 'app' host: '10.0.3.${i % 200}'`);
      if (i % 300 === 7) t.add(`2024-11-24T10:00:00.000000Z 0 [System] [MY-010910] [Server] /usr/sbin/mysqld: Shutdown complete; mysqld got signal 15 ;`);
    }
    const m = t.finish();
    const line = (sig: number): string => `2024-12-01T10:00:00.000000Z 0 [System] [MY-010910] [Server] /usr/sbin/mysqld: Shutdown complete; mysqld got signal ${sig} ;`;
    expect(m.score(line(11)).score).to.be.at.least(0.5);
    expect(m.score(line(11)).reasons).to.include('error_terms');
    expect(m.score(line(15)).score).to.be.below(0.5);
    expect(m.score('12:00:01 UTC - mysqld got signal 6 ;').reasons).to.include('error_terms');
  });
});

