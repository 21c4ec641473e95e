import { expect } from 'chai';
import { ModelTrainer } from '../../src/model/trainer.js';
import { Familiarity } from '../../src/model/familiarity.js';
import { Rng, routineLine } from '../support/log-lines.js';
import { trainAmongRoutine } from '../support/routine-model.js';
import { HostModel } from '../../src/model/detector.js';

// A stack trace is one failure written on many lines. Its first frame carries the trace's failure
// evidence (a frame is printed only with a failure); the frames right after it carry none of their
// own, or a routine error printed with a 100-frame trace was 100 alerts (found on a Spring Boot log).
describe('stack traces scored as a stream', function () {
  this.timeout(20000);
  const javaFrames = [
    'at java.base/sun.nio.ch.NioSocketImpl.timedRead(NioSocketImpl.java:288)',
    'at java.base/java.net.Socket$SocketInputStream.read(Socket.java:1099)',
    'at org.springframework.web.client.RestTemplate.doExecute(RestTemplate.java:878)',
    'at com.example.shop.client.ErrorAwareClient.quote(ErrorAwareClient.java:57)',
    'at com.example.shop.service.ShippingService.quote(ShippingService.java:33)',
  ];
  const head = (i: number): string => `app[2100]: ERROR Shipping quote failed for order ${9000 + i}, falling back to flat rate`;
  const model = trainAmongRoutine(21, 3000, (i) => (i % 1000 === 400 ? [head(i), 'java.net.SocketTimeoutException: Read timed out', ...javaFrames] : []));
  const warm = (f: Familiarity): void => {
    const rr = new Rng(4);
    for (let k = 0; k < 5; k++) model.score(routineLine(rr), f);
  };

  it('gives failure evidence to the first frame of a trace, not to the frames after it', function () {
    const f = new Familiarity();
    warm(f);
    model.score(head(1), f);
    model.score('java.net.SocketTimeoutException: Read timed out', f);
    const scored = javaFrames.map((line) => model.score(line, f));
    expect(scored[0]!.reasons).to.include('error_terms');
    for (const s of scored.slice(1)) {
      expect(s.reasons).to.not.include('error_terms');
      expect(s.score).to.be.lessThan(scored[0]!.score);
    }
    // Scored alone (no stream), every frame is a frame of a failure.
    for (const line of javaFrames) expect(model.score(line).reasons).to.include('error_terms');
  });

  it('gives a frame of a shape never seen no novelty of its own within its trace', function () {
    const native = '\tat java.base/sun.nio.ch.Net.pollConnect(Native Method)';
    const f = new Familiarity();
    warm(f);
    model.score('Caused by: java.net.ConnectException: Connection refused', f);
    const first = model.score(javaFrames[0]!, f);
    const within = model.score(native, f);
    expect(first.reasons).to.include('error_terms');
    expect(within.reasons).to.include('new_template');
    expect(within.reasons).to.not.include('error_terms');
    expect(within.score).to.equal(0);
    const alone = new Familiarity();
    warm(alone);
    expect(model.score(native, alone).score).to.be.greaterThan(0.5);
  });

  it('counts the first frame of the next trace again once other lines came between', function () {
    const f = new Familiarity();
    warm(f);
    const first = model.score(javaFrames[0]!, f).score;
    model.score(javaFrames[1]!, f);
    const rr = new Rng(9);
    for (let k = 0; k < 3; k++) model.score(routineLine(rr), f);
    expect(model.score(javaFrames[0]!, f).score).to.equal(first);
  });

  it("follows Python's frames across the source line printed under each", function () {
    const py = new ModelTrainer();
    const rr = new Rng(2);
    for (let i = 0; i < 2000; i++) py.add(routineLine(rr));
    const m = py.finish();
    const f = new Familiarity();
    m.score('Traceback (most recent call last):', f);
    const firstFrame = m.score('  File "/srv/app/worker.py", line 88, in run', f);
    m.score('    result = self.handle(job)', f);
    const nextFrame = m.score('  File "/srv/app/jobs.py", line 412, in handle', f);
    expect(firstFrame.reasons).to.include('error_terms');
    expect(nextFrame.reasons).to.not.include('error_terms');
    // Python 3.11+ marks the failing expression under the source line: frames three lines apart.
    const f311 = new Familiarity();
    m.score('Traceback (most recent call last):', f311);
    m.score('  File "/srv/app/worker.py", line 88, in run', f311);
    m.score('    result = self.handle(job)', f311);
    m.score('             ^^^^^^^^^^^^^^^^', f311);
    expect(m.score('  File "/srv/app/jobs.py", line 412, in handle', f311).reasons).to.not.include('error_terms');
  });

  it('keeps the trace across the batches of a daemon (a draft per batch)', function () {
    const f = new Familiarity();
    warm(f);
    const batch1 = f.draft();
    model.score(head(2), batch1);
    const firstFrame = model.score(javaFrames[0]!, batch1);
    batch1.commit();
    const batch2 = f.draft();
    const nextFrame = model.score(javaFrames[1]!, batch2);
    expect(firstFrame.reasons).to.include('error_terms');
    expect(nextFrame.reasons).to.not.include('error_terms');
    // A batch that failed and is scored again sees the log as it was before it.
    const retry = f.draft();
    expect(model.score(javaFrames[1]!, retry)).to.deep.equal(nextFrame);
  });

  // Frames of many methods merge into one template, `at <*>`, whose tokens no longer say it is
  // a frame: the first frame of a routine trace lost the trace's routine and alerted, above the
  // header that says what failed (a Tomcat log: the same trace 30 times a month).
  const tomcat = (i: number): string[] => [
    `02-Nov-2026 05:15:${String(i % 60).padStart(2, '0')}.985 INFO [http-nio-8080-exec-${1 + (i % 9)}] org.apache.coyote.http11.Http11Processor.service Error parsing HTTP request header`,
    '\tjava.lang.IllegalArgumentException: Invalid character found in method name [0x160x030x01...]. HTTP method names must be tokens',
    '\tat org.apache.coyote.http11.Http11InputBuffer.parseRequestLine(Http11InputBuffer.java:419)',
    '\tat org.apache.coyote.http11.Http11Processor.service(Http11Processor.java:271)',
    '\tat org.apache.coyote.AbstractProcessorLight.process(AbstractProcessorLight.java:65)',
    '\tat org.apache.coyote.AbstractProtocol$ConnectionHandler.process(AbstractProtocol.java:893)',
    '\tat org.apache.tomcat.util.net.NioEndpoint$SocketProcessor.doRun(NioEndpoint.java:1789)',
    '\tat java.base/java.lang.Thread.run(Thread.java:840)',
  ];
  const routineTrace = trainAmongRoutine(5, 3000, (i) => (i % 100 === 50 ? tomcat(i) : []));

  it("keeps a routine trace's first frame below its header when frames merged into one template (file names with digits too)", function () {
    for (const model of [routineTrace, HostModel.deserialize(routineTrace.serialize())]) {
      const f = new Familiarity();
      const rr = new Rng(4);
      for (let k = 0; k < 5; k++) model.score(routineLine(rr), f);
      const scored = tomcat(7).map((l) => model.score(l, f));
      expect(scored[2]!.score).to.be.below(0.5);
      expect(scored[2]!.score).to.be.at.most(scored[0]!.score);
      for (const s of scored.slice(3)) expect(s.reasons).to.not.include('error_terms');
    }
  });

  it("gives no failure words to a kernel trace's frames after its first", function () {
    const kernel = (sym: string): string => `Nov  2 10:15:01 cn01 kernel: [2854800.123456]  ${sym}`;
    const model = trainAmongRoutine(6, 3000, (i) => (i % 500 === 9 ? [kernel('Call Trace:'), kernel('dump_stack_lvl+0x48/0x70'), kernel('oom_kill_process+0x10c/0x1b0'), kernel('out_of_memory+0xe9/0x2a0')] : []));
    const f = new Familiarity();
    model.score(kernel('INFO: task nfsd:8121 blocked for more than 120 seconds.'), f);
    model.score(kernel('Call Trace:'), f);
    const first = model.score(kernel('__schedule+0x21b/0x550'), f);
    const next = ['rpc_wait_bit_killable+0x1e/0xa0 [sunrpc]', '? nfs4_proc_getattr+0x6a/0x100 [nfsv4]', 'vfs_statx+0x8d/0x160'].map((l) => model.score(kernel(l), f));
    expect(first.reasons).to.include('error_terms');
    for (const s of next) {
      expect(s.reasons).to.not.include('error_terms');
      expect(s.score).to.be.below(0.5);
    }
  });

  it("does not take a trace's new frames for a new phase of the host's work (no discount on the rare lines after them)", function () {
    const kernel = (text: string): string => `Nov  2 10:15:01 cn01 kernel: [2854800.123456] ${text}`;
    const nfs = kernel('nfs: server nfs01 not responding, still trying');
    const model = trainAmongRoutine(7, 3000, (i) => (i % 600 === 17 ? [nfs] : []));
    const alone = new Familiarity();
    const rr = new Rng(4);
    for (let k = 0; k < 5; k++) model.score(routineLine(rr), alone);
    const afterRoutine = model.explain(nfs, alone).evidence.benign;
    const f = new Familiarity();
    for (const l of ['INFO: task cp:8121 blocked for more than 120 seconds.', 'Call Trace:', ' __schedule+0x21b/0x550', ' schedule+0x2d/0x70', ' rpc_wait_bit_killable+0x1e/0xa0 [sunrpc]', ' __rpc_execute+0x12c/0x3f0 [sunrpc]', ' nfs4_proc_getattr+0x6a/0x100 [nfsv4]', ' vfs_statx+0x8d/0x160']) {
      model.score(kernel(l), f);
    }
    expect(model.explain(nfs, f).evidence.benign).to.equal(afterRoutine);
  });

  // A Go panic printed 17 lines to a host that never wrote one: the goroutine, each call and the
  // file under it were news of their own, seven of them flagged (calls and file lines alternate;
  // the file lines, `/x/y.go:88 +0x2a`, are all value).
  const goPanic = [
    'panic: runtime error: invalid memory address or nil pointer dereference',
    '[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x4b7f2a]',
    '',
    'goroutine 57 [running]:',
    'github.com/acme/itemsvc/internal/store.(*Store).Get(0x0, {0xc000123456, 0x7})',
    '\t/build/internal/store/store.go:88 +0x2a',
    'github.com/acme/itemsvc/internal/api.(*Handler).item(0xc0000a6000, {0x7f8e2c, 0xc0001c2000}, 0xc0001b8100)',
    '\t/build/internal/api/items.go:141 +0x1b7',
    'net/http.HandlerFunc.ServeHTTP(0xc000182040, {0x7f8e2c, 0xc0001c2000}, 0xc0001b8100)',
    '\t/usr/local/go/src/net/http/server.go:2136 +0x2f',
    'net/http.(*conn).serve(0xc0001c4000, {0x7f9a48, 0xc000190150})',
    '\t/usr/local/go/src/net/http/server.go:2009 +0x5f4',
    'created by net/http.(*Server).Serve in goroutine 1',
    '\t/usr/local/go/src/net/http/server.go:3086 +0x5cb',
  ];

  // Two programs of one host write Ruby traces: the first one's make the method's place variable,
  // and the second one's template is made with `<*>` there while its lines hold the method. Taken
  // as its lines (the trainer asked the template, not them), its routine trace's first frame was
  // a frame of no routine and alerted (0.65; 0.39 asked per line).
  it("counts a routine trace's frames as frames where its template was made in a group already generalized", function () {
    const r = new Rng(5);
    let t = 0;
    const ts = (): string => {
      t += 1 + r.int(0, 2);
      return new Date(Date.UTC(2024, 10, 24) + t * 1000).toISOString().slice(11, 19);
    };
    const line = (prog: string, m: string): string => `Nov 24 ${ts()} web01 ${prog}[${prog === 'puma' ? 812 : 913}]: ${m}`;
    const methods = ['each', 'map', 'call', 'perform', 'run', 'process', 'dispatch', 'execute', 'invoke', 'handle'];
    const trace = (prog: string): string[] => [
      line(prog, `/app/lib/job.rb:12:in \`${r.pick(methods)}': undefined method \`id' for nil:NilClass (NoMethodError)`),
      ...Array.from({ length: 6 }, () => line(prog, `\tfrom /app/lib/x${r.int(0, 8)}.rb:${r.int(0, 299)}:in \`${r.pick(methods)}'`)),
    ];
    const routine = (prog: string): string =>
      prog === 'puma' ? line(prog, `Completed 200 OK in ${r.int(0, 89)}ms (Views: ${r.int(0, 39)}ms | ActiveRecord: ${r.int(0, 8)}ms)`) : line(prog, `processed job ${r.int(0, 99998)} in ${r.int(0, 899)}ms`);
    const trainer = new ModelTrainer();
    for (let i = 0; i < 3000; i++) {
      trainer.add(routine(i % 2 ? 'puma' : 'sidekiq'));
      if (i % 300 === 150 && i < 1500) for (const l of trace('puma')) trainer.add(l);
      if (i % 40 === 20 && i >= 1500) for (const l of trace('sidekiq')) trainer.add(l);
    }
    const m = trainer.finish();
    const f = new Familiarity();
    for (let i = 0; i < 10; i++) m.score(routine(i % 2 ? 'puma' : 'sidekiq'), f);
    const scored = trace('sidekiq').map((l) => m.score(l, f));
    expect(scored[1]!.reasons).to.include('error_terms');
    expect(scored[1]!.score).to.be.below(0.5);
  });

  it("flags a Go panic's header, not every call and file line of its goroutine", function () {
    const m = trainAmongRoutine(3, 3000, () => []);
    const f = new Familiarity();
    const rr = new Rng(4);
    for (let k = 0; k < 5; k++) m.score(routineLine(rr), f);
    const scored = goPanic.map((l) => m.score(l, f));
    expect(scored[0]!.score).to.be.at.least(0.5);
    // The goroutine line is the trace's first frame: it keeps the trace's evidence.
    expect(scored[3]!.reasons).to.include('error_terms');
    for (const s of scored.slice(4)) expect(s.score).to.equal(0);
    // After the trace, a new message in words is news again.
    const after = m.score('listener rebound on port 8443 by supervisor', f);
    expect(after.reasons).to.include('new_template');
    expect(after.score).to.be.greaterThan(0);
  });

  // Ruby's Logger writes every line of a Rails trace behind its prefix (`F, [<time> #<pid>] FATAL
  // -- : [<request id>]`): frames were looked for in a line's first four tokens only, and each of
  // a trace's frames was a new message with a failure level (all 7 lines of this one alerted; now
  // its header, Rails' empty line after it and its first frame).
  it("reads the frames of a trace behind a logger's prefix as frames (Ruby's Logger with Rails' request tags)", function () {
    const r = new Rng(8);
    let t = 0;
    const prefix = (level: string): string => {
      t += 1 + r.int(0, 3);
      const time = new Date(Date.UTC(2024, 10, 24) + t * 1000).toISOString().replace('Z', '');
      return `${level[0]}, [${time}000 #${r.pick([812, 813, 814])}] ${level.padStart(5)} -- : [${r.hex(8)}-${r.hex(4)}]`;
    };
    const routine = (): string =>
      r.next() < 0.5
        ? `${prefix('INFO')} Completed 200 OK in ${r.int(2, 90)}ms (Views: ${r.int(0, 40)}ms | ActiveRecord: ${r.int(0, 9)}ms | Allocations: ${r.int(900, 9000)})`
        : `${prefix('INFO')} Started GET "/items/${r.int(1, 9999)}" for 10.0.${r.int(0, 9)}.${r.int(1, 254)} at 2024-11-24 10:00:0${r.int(0, 9)} +0000`;
    const trainer = new ModelTrainer();
    for (let i = 0; i < 3000; i++) trainer.add(routine());
    const m = trainer.finish();
    const f = new Familiarity();
    for (let i = 0; i < 10; i++) m.score(routine(), f);
    const trace = [
      `${prefix('FATAL')} ActiveRecord::ConnectionTimeoutError (could not obtain a connection from the pool within 5.000 seconds):`,
      `${prefix('FATAL')}   `,
      `${prefix('FATAL')} activerecord (7.0.4) lib/active_record/connection_adapters/abstract/connection_pool/queue.rb:128:in \`block in wait_poll'`,
      `${prefix('FATAL')} activerecord (7.0.4) lib/active_record/connection_adapters/abstract/connection_pool/queue.rb:118:in \`loop'`,
      `${prefix('FATAL')} activerecord (7.0.4) lib/active_record/connection_adapters/abstract/connection_pool.rb:612:in \`acquire_connection'`,
      `${prefix('FATAL')} actionpack (7.0.4) lib/action_controller/metal/basic_implicit_render.rb:6:in \`send_action'`,
      `${prefix('FATAL')} app/controllers/items_controller.rb:12:in \`show'`,
    ];
    const scored = trace.map((l) => m.score(l, f));
    expect(scored[0]!.score).to.be.at.least(0.5);
    const alerts = scored.filter((s) => s.score >= 0.5).length;
    expect(alerts).to.be.at.most(3);
    expect(scored.slice(3).every((s) => s.score < 0.5)).to.equal(true);
    // A new message in words after the trace is news again.
    expect(m.score(`${prefix('ERROR')} Payment gateway rejected the card for order 77`, f).score).to.be.at.least(0.5);
  });
});
