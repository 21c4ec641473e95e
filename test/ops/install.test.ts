// install.sh, exercised with DESTDIR (staging: no users, no chown, no systemctl, root not needed).
// Needs the build (dist/src/cli.js) and node_modules of this checkout: run after `npm run build`.
import { expect } from 'chai';
import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import {
  chmodSync,
  copyFileSync,
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
  appendFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const INSTALL_SH = join(REPO, 'install.sh');
const BASH = findExecutable('bash', process.env.PATH ?? '/usr/bin:/bin') ?? '/bin/bash';

const APP = 'opt/anomaly_detector';
/** The installed version: `current` points into APP/releases/. */
const CURRENT = `${APP}/current`;
const BIN = 'usr/local/bin/anomaly-detector';
const CONF = 'etc/anomaly_detector/multihost.yaml';
const EXAMPLE = 'etc/anomaly_detector/multihost.yaml.example';
const ENV_FILE = 'etc/anomaly_detector/anomaly_detector.env';
const UNIT = 'etc/systemd/system/anomaly_detector.service';

function findExecutable(name: string, path: string): string | undefined {
  for (const dir of path.split(delimiter)) {
    const p = join(dir, name);
    try {
      if (statSync(p).isFile()) return p;
    } catch {
      // not here
    }
  }
  return undefined;
}

interface RunOptions {
  destdir?: string;
  env?: Record<string, string>;
  cwd?: string;
  script?: string;
}

function run(args: string[], opts: RunOptions = {}): SpawnSyncReturns<string> {
  const env: Record<string, string | undefined> = { ...process.env, ...opts.env };
  if (opts.destdir !== undefined) env.DESTDIR = opts.destdir;
  else delete env.DESTDIR;
  const r = spawnSync(BASH, [opts.script ?? INSTALL_SH, ...args], {
    env,
    cwd: opts.cwd ?? REPO,
    encoding: 'utf8',
    timeout: 120_000,
  });
  if (r.error) throw r.error;
  return r;
}

function runOk(args: string[], opts: RunOptions = {}): string {
  const r = run(args, opts);
  expect(r.status, `install.sh ${args.join(' ')} failed:\n${r.stdout}\n${r.stderr}`).to.equal(0);
  return r.stdout;
}

/** Every entry under root: type, mode, size, mtime, sha256 (files) or target (links). */
function listing(root: string): string[] {
  const out: string[] = [];
  const walk = (rel: string): void => {
    const abs = join(root, rel);
    const st = lstatSync(abs);
    const mode = (st.mode & 0o7777).toString(8);
    if (st.isSymbolicLink()) {
      out.push(`l ${mode} ${rel} -> ${readlinkSync(abs)} ${st.mtimeMs}`);
    } else if (st.isDirectory()) {
      out.push(`d ${mode} ${rel} ${st.mtimeMs}`);
      for (const name of readdirSync(abs).sort()) walk(rel === '' ? name : `${rel}/${name}`);
    } else {
      const sum = createHash('sha256').update(readFileSync(abs)).digest('hex');
      out.push(`f ${mode} ${rel} ${st.size} ${st.mtimeMs} ${sum}`);
    }
  };
  walk('');
  return out;
}

const modeOf = (p: string): number => statSync(p).mode & 0o7777;

/**
 * A long-running command, `COMMAND... score --train TRAIN -` reading standard input: one line in,
 * one JSON line out.
 */
function startScorer(command: string[], train: string, env: Record<string, string> = {}) {
  const child = spawn(command[0]!, [...command.slice(1), 'score', '--train', train, '-'], { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  let buffered = '';
  let stderr = '';
  const waiting: Array<(line: string) => void> = [];
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    buffered += chunk;
    let nl: number;
    while ((nl = buffered.indexOf('\n')) >= 0 && waiting.length > 0) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      waiting.shift()!(line);
    }
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    pid: child.pid,
    score(line: string): Promise<string> {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no output for ${JSON.stringify(line)}; stderr: ${stderr}`)), 30_000);
        waiting.push((out) => {
          clearTimeout(timer);
          resolve(out);
        });
        child.stdin.write(`${line}\n`);
      });
    },
    end(): Promise<void> {
      child.stdin.end();
      return exited;
    },
  };
}

/** The command installed under DESTDIR `d`, run as startScorer runs it. */
function startInstalled(d: string, train: string) {
  return startScorer([join(d, BIN)], train, { ANOMALY_DETECTOR_HOME: join(d, APP) });
}

/** Makes the installed release differ from the checkout, as an older version would; returns its link target. */
function makeOlder(d: string): string {
  const release = readlinkSync(join(d, CURRENT));
  appendFileSync(join(d, CURRENT, 'dist/src/cli.js'), `\n// an older version ${Date.now()}\n`);
  return release;
}

/** A PATH of symlinks to every program of the current PATH except the excluded names. */
function pathWithout(excluded: string[], into: string): string {
  mkdirSync(into, { recursive: true });
  for (const dir of (process.env.PATH ?? '/usr/bin:/bin').split(delimiter)) {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      continue;
    }
    for (const name of names) {
      if (excluded.includes(name) || existsSync(join(into, name))) continue;
      try {
        symlinkSync(join(dir, name), join(into, name));
      } catch {
        // duplicate or unreadable: ignore
      }
    }
  }
  return into;
}

describe('install.sh (DESTDIR staging)', function () {
  this.timeout(180_000);
  let tmp: string;
  let dest: string;
  let firstOutput: string;
  /** Training lines for the scorers standing in for a running daemon. */
  let train: string;

  before(function () {
    const cli = join(REPO, 'dist/src/cli.js');
    if (!existsSync(cli)) {
      throw new Error(`${cli} is missing: these tests need the build (npm ci && npm run build) first`);
    }
    tmp = mkdtempSync(join(tmpdir(), 'ad-install-'));
    dest = join(tmp, 'root');
    firstOutput = runOk([], { destdir: dest });
    train = join(tmp, 'train.log');
    writeFileSync(train, 'session opened for user alice\nsession closed for user alice\n');
  });

  after(function () {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('--help describes the options and exits 0', function () {
    const out = runOk(['--help']);
    for (const word of ['--uninstall', '--purge', '--no-start', '--build-tarball', 'DESTDIR']) {
      expect(out).to.include(word);
    }
  });

  it('rejects a wrong command line with exit 2 and the usage', function () {
    const r = run(['--frobnicate']);
    expect(r.status).to.equal(2);
    expect(r.stderr).to.include('unknown argument: --frobnicate').and.include('Usage:');
    for (const args of [['--build-tarball'], ['--build-tarball='], ['--build-tarball', ''], ['--build-tarball', '--no-start']]) {
      const m = run(args);
      expect(m.status, args.join(' ')).to.equal(2);
      expect(m.stderr).to.include('--build-tarball needs an output file name').and.include('Usage:');
    }
    // Two modes, or an option of another mode: refused (the last mode won, silently).
    for (const [args, says] of [
      [['--uninstall', '--build-tarball', 'x.tar.gz'], '--build-tarball cannot be combined with --uninstall/--purge'],
      [['--build-tarball=x.tar.gz', '--purge'], '--purge cannot be combined with --build-tarball'],
      [['--purge', '--no-start'], '--no-start applies to an install only'],
      [['--no-start', '--build-tarball', 'x.tar.gz'], '--no-start applies to an install only'],
    ] as const) {
      const m = run([...args]);
      expect(m.status, args.join(' ')).to.equal(2);
      expect(m.stderr, args.join(' ')).to.include(says).and.include('Usage:');
    }
  });

  it('installs the application with production dependencies only', function () {
    expect(firstOutput).to.match(/installed\s+\/opt\/anomaly_detector\//);
    expect(existsSync(join(dest, CURRENT, 'dist/src/cli.js'))).to.equal(true);
    expect(readFileSync(join(dest, CURRENT, 'package.json'), 'utf8')).to.equal(readFileSync(join(REPO, 'package.json'), 'utf8'));
    expect(readFileSync(join(dest, CURRENT, 'package-lock.json'), 'utf8')).to.equal(
      readFileSync(join(REPO, 'package-lock.json'), 'utf8'),
    );
    const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
      devDependencies: Record<string, string>;
    };
    for (const dep of Object.keys(pkg.dependencies)) {
      expect(existsSync(join(dest, CURRENT, 'node_modules', dep, 'package.json')), `dependency ${dep}`).to.equal(true);
    }
    for (const dep of Object.keys(pkg.devDependencies)) {
      expect(existsSync(join(dest, CURRENT, 'node_modules', dep)), `dev dependency ${dep} must not be installed`).to.equal(false);
    }
    // Only the application code, not the compiled tests or benchmarks.
    expect(existsSync(join(dest, CURRENT, 'dist/test'))).to.equal(false);
    expect(existsSync(join(dest, CURRENT, 'dist/bench'))).to.equal(false);
    for (const dir of [APP, `${APP}/releases`, CURRENT]) {
      expect(modeOf(join(dest, dir)) & 0o022, `${dir} not group/world writable`).to.equal(0);
    }
    // A relative link: the staged tree works wherever it is.
    expect(readlinkSync(join(dest, CURRENT))).to.match(/^releases\/\d+\.\d+\.\d+[^/]*_\d{8}T\d{6}Z$/);
  });

  it('installs the command, the unit, the configuration, its example and the env file', function () {
    const bin = join(dest, BIN);
    expect(modeOf(bin)).to.equal(0o755);
    expect(readFileSync(bin, 'utf8')).to.match(/^#!\/bin\/sh\n/).and.include('/opt/anomaly_detector');
    expect(readFileSync(join(dest, UNIT), 'utf8')).to.equal(readFileSync(join(REPO, 'anomaly_detector.service'), 'utf8'));
    expect(modeOf(join(dest, UNIT))).to.equal(0o644);
    const example = readFileSync(join(REPO, 'multihost.yaml'), 'utf8');
    expect(readFileSync(join(dest, CONF), 'utf8')).to.equal(example);
    expect(readFileSync(join(dest, EXAMPLE), 'utf8')).to.equal(example);
    expect(modeOf(join(dest, CONF))).to.equal(0o640);
    expect(modeOf(join(dest, 'etc/anomaly_detector'))).to.equal(0o750);
    expect(modeOf(join(dest, ENV_FILE))).to.equal(0o640);
    // The env file is a commented template: nothing is set by default.
    const env = readFileSync(join(dest, ENV_FILE), 'utf8');
    expect(env).to.include('MONGODB_URI=');
    expect(env.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('#'))).to.deep.equal([]);
  });

  it('creates the state and models directories with mode 0750', function () {
    expect(statSync(join(dest, 'var/lib/anomaly_detector')).isDirectory()).to.equal(true);
    expect(modeOf(join(dest, 'var/lib/anomaly_detector'))).to.equal(0o750);
    expect(modeOf(join(dest, 'var/lib/anomaly_detector/models'))).to.equal(0o750);
  });

  it('the staged command runs check-config on the installed example configuration', function () {
    const r = spawnSync(join(dest, BIN), ['check-config', join(dest, CONF)], {
      env: { ...process.env, ANOMALY_DETECTOR_HOME: join(dest, APP), MONGODB_URI: '' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.status, `check-config failed:\n${r.stdout}\n${r.stderr}`).to.equal(0);
  });

  it('a second run changes nothing and says so', function () {
    const before = listing(dest);
    const out = runOk([], { destdir: dest });
    expect(listing(dest)).to.deep.equal(before);
    expect(out).to.include('nothing changed');
    expect(out).not.to.match(/^\s+(installed|updated|created|fixed|removed)\s/m);
    expect(out).to.match(/unchanged\s+\/opt\/anomaly_detector\//);
    // The configuration is still the example: the service is still neither enabled nor started
    // (a second run enabled and started it on the example's server), and the next step is said again.
    expect(out).to.include(`Next: edit /${CONF}`);
  });

  it("takes a configuration that is an older release's example, unedited, for the example", function () {
    // An upgrade brings a new example: the configuration copied from the old one matched neither,
    // and the service was enabled and started on the example's server.
    const d = join(tmp, 'old-example');
    runOk([], { destdir: d });
    const older = readFileSync(join(d, EXAMPLE), 'utf8').replace('LOG_SOURCES:', '# an older example\nLOG_SOURCES:');
    writeFileSync(join(d, EXAMPLE), older);
    writeFileSync(join(d, CONF), older);
    const out = runOk([], { destdir: d });
    expect(out).to.match(/kept\s+\/etc\/anomaly_detector\/multihost\.yaml \(the example of the release installed before, not edited\)/);
    expect(out).to.include(`Next: edit /${CONF}`);
    expect(readFileSync(join(d, CONF), 'utf8')).to.equal(older);
  });

  it('never overwrites an existing configuration or env file, but refreshes the example', function () {
    const custom = 'MG_INPUT_DB: "mine"\nMG_TARGET_DB: "theirs"\n';
    writeFileSync(join(dest, CONF), custom);
    writeFileSync(join(dest, ENV_FILE), 'MONGODB_URI=mongodb://u:p@db/\n');
    appendFileSync(join(dest, EXAMPLE), '# local edit\n');
    const out = runOk([], { destdir: dest });
    expect(readFileSync(join(dest, CONF), 'utf8')).to.equal(custom);
    expect(readFileSync(join(dest, ENV_FILE), 'utf8')).to.equal('MONGODB_URI=mongodb://u:p@db/\n');
    expect(readFileSync(join(dest, EXAMPLE), 'utf8')).to.equal(readFileSync(join(REPO, 'multihost.yaml'), 'utf8'));
    expect(out).to.match(/kept\s+\/etc\/anomaly_detector\/multihost\.yaml /);
    expect(out).to.match(/updated\s+\/etc\/anomaly_detector\/multihost\.yaml\.example/);
    expect(out).not.to.include('Next: edit');
  });

  it('an upgrade replaces a changed application tree and drops stale files', function () {
    appendFileSync(join(dest, CURRENT, 'dist/src/cli.js'), '\n// tampered\n');
    writeFileSync(join(dest, CURRENT, 'dist/src/stale.js'), 'export {};\n');
    chmodSync(join(dest, BIN), 0o700);
    const out = runOk([], { destdir: dest });
    expect(out).to.match(/updated\s+\/opt\/anomaly_detector\//);
    expect(out).to.match(/fixed\s+\/usr\/local\/bin\/anomaly-detector \(mode 0755\)/);
    expect(readFileSync(join(dest, CURRENT, 'dist/src/cli.js'), 'utf8')).to.equal(readFileSync(join(REPO, 'dist/src/cli.js'), 'utf8'));
    expect(existsSync(join(dest, CURRENT, 'dist/src/stale.js'))).to.equal(false);
    expect(modeOf(join(dest, BIN))).to.equal(0o755);
    // No staging leftovers next to the application, and the previous release (no process runs it) is gone.
    expect(readdirSync(join(dest, 'opt'))).to.deep.equal(['anomaly_detector']);
    expect(readdirSync(join(dest, APP)).sort()).to.deep.equal(['current', 'releases']);
    expect(readdirSync(join(dest, APP, 'releases'))).to.have.length(1);
    expect(out).to.match(/removed\s+\/opt\/anomaly_detector\/releases\/\S+\//);
  });

  it('an upgrade leaves a running command its own release, and the next install after it ended removes it', async function () {
    const d = join(tmp, 'in-use');
    runOk([], { destdir: d });
    const scorer = startInstalled(d, train);
    try {
      expect(JSON.parse(await scorer.score('session opened for user bob')).line).to.equal(1);
      const before = makeOlder(d);
      const out = runOk([], { destdir: d });
      const after = readlinkSync(join(d, CURRENT));
      expect(after).not.to.equal(before);
      expect(out).to.include(`kept       /${APP}/${before}/ (in use by process ${scorer.pid};`);
      expect(readdirSync(join(d, APP, 'releases')).sort()).to.deep.equal([before, after].map((r) => r.slice('releases/'.length)).sort());
      // The running command still has its own files.
      expect(JSON.parse(await scorer.score('session closed for user bob')).line).to.equal(2);
    } finally {
      await scorer.end();
    }
    // The restarted daemon runs the current release: the older one, used by nobody, goes.
    const restarted = startInstalled(d, train);
    try {
      await restarted.score('session opened for user carol');
      const out = runOk([], { destdir: d });
      expect(out).to.match(/removed\s+\/opt\/anomaly_detector\/releases\/\S+\//);
      expect(out).not.to.include('kept');
      expect(readdirSync(join(d, APP, 'releases'))).to.have.length(1);
    } finally {
      await restarted.end();
    }
  });

  it('moves the previous flat layout into releases/, keeping its files while a process still runs them', async function () {
    const d = join(tmp, 'flat');
    runOk([], { destdir: d });
    // The layout before releases/: the application directly in APP, run by node on APP/dist/src/cli.js.
    const release = readlinkSync(join(d, CURRENT));
    cpSync(join(d, APP, release), join(d, APP), { recursive: true });
    rmSync(join(d, APP, 'releases'), { recursive: true });
    rmSync(join(d, CURRENT));
    const old = startScorer([process.execPath, join(d, APP, 'dist/src/cli.js')], train);
    try {
      await old.score('session opened for user bob');
      const out = runOk([], { destdir: d });
      expect(out).to.match(/updated\s+\/opt\/anomaly_detector\/ \(release /);
      expect(out).to.include(`kept       /${APP}/dist/ (previous layout, in use by process ${old.pid};`);
      expect(existsSync(join(d, APP, 'dist/src/cli.js'))).to.equal(true);
      expect(existsSync(join(d, CURRENT, 'dist/src/cli.js'))).to.equal(true);
    } finally {
      await old.end();
    }
    const out = runOk([], { destdir: d });
    expect(out).to.match(/removed\s+\/opt\/anomaly_detector\/dist\/ \(and the rest of the previous layout\)/);
    expect(readdirSync(join(d, APP)).sort()).to.deep.equal(['current', 'releases']);
  });

  it('keeps a release used from a working directory, through current/, or under a symlinked /opt', async function () {

    // A process whose working directory is in the release (its command line is relative).
    const cwdDir = join(tmp, 'cwd-use');
    runOk([], { destdir: cwdDir });
    const sleeper = spawn('sleep', ['60'], { cwd: join(cwdDir, CURRENT), stdio: 'ignore' });
    try {
      const release = makeOlder(cwdDir);
      const out = runOk([], { destdir: cwdDir });
      expect(out).to.include(`kept       /${APP}/${release}/ (in use by process ${sleeper.pid};`);
    } finally {
      sleeper.kill();
    }

    // A process started on current/dist/src/cli.js runs the release current then, whichever it was.
    const viaCurrent = join(tmp, 'via-current');
    runOk([], { destdir: viaCurrent });
    const direct = startScorer([process.execPath, join(viaCurrent, CURRENT, 'dist/src/cli.js')], train);
    try {
      await direct.score('session opened for user bob');
      const release = makeOlder(viaCurrent);
      const out = runOk([], { destdir: viaCurrent });
      expect(out).to.include(`kept       /${APP}/${release}/ (process ${direct.pid} runs the program through /${APP}/current/`);
    } finally {
      await direct.end();
    }

    // /opt/anomaly_detector a symlink to another disk: the command line names the resolved path.
    const linked = join(tmp, 'linked');
    mkdirSync(join(linked, 'opt'), { recursive: true });
    mkdirSync(join(linked, 'data/ad'), { recursive: true });
    symlinkSync('../data/ad', join(linked, APP));
    runOk([], { destdir: linked });
    const scorer = startInstalled(linked, train);
    try {
      await scorer.score('session opened for user bob');
      const release = makeOlder(linked);
      const out = runOk([], { destdir: linked });
      expect(out).to.include(`kept       /${APP}/${release}/ (in use by process ${scorer.pid};`);
    } finally {
      await scorer.end();
    }
    expect(runOk([], { destdir: linked })).to.match(/removed\s+\/opt\/anomaly_detector\/releases\//);
  });

  it('keeps the previous release when it cannot search the processes (no grep)', function () {
    const d = join(tmp, 'no-grep');
    runOk([], { destdir: d });
    const release = makeOlder(d);
    const path = pathWithout(['grep'], join(tmp, 'no-grep-bin'));
    const out = runOk([], { destdir: d, env: { PATH: path } });
    expect(out).to.include(`kept       /${APP}/${release}/ (the running processes could not be searched`);
    expect(readdirSync(join(d, APP, 'releases'))).to.have.length(2);
  });

  it('tells whether the running service runs the current release (to restart one left on an older release)', async function () {
    // install.sh's service_runs_current, with a stand-in for `systemctl show --property MainPID`
    // (no systemd here): the service's main process is a running command.
    const fn = /^service_runs_current\(\) \{[\s\S]*?^\}$/m.exec(readFileSync(INSTALL_SH, 'utf8'))?.[0];
    expect(fn, 'service_runs_current in install.sh').to.be.a('string');
    const d = join(tmp, 'service-release');
    runOk([], { destdir: d });
    const daemon = startInstalled(d, train);
    const check = (): string => {
      const script = `${fn}\nsystemctl() { echo ${daemon.pid}; }\nSERVICE=anomaly_detector APP_DIR="$1"\nif service_runs_current; then echo current; else echo older; fi\n`;
      return spawnSync(BASH, ['-c', script, 'check', join(d, APP)], { encoding: 'utf8' }).stdout.trim();
    };
    try {
      await daemon.score('session opened for user bob');
      expect(check()).to.equal('current');
      makeOlder(d);
      runOk([], { destdir: d });
      expect(check()).to.equal('older');
    } finally {
      await daemon.end();
    }
  });

  it('leaves nothing in TMPDIR when it alone is stopped by SIGTERM during an upgrade', async function () {
    this.timeout(120_000);
    const d = join(tmp, 'term');
    runOk([], { destdir: d });
    // At a few moments of the upgrade; one of them is the copy of the application.
    for (const delay of [150, 400, 800]) {
      makeOlder(d);
      const t = join(tmp, `term-tmp-${delay}`);
      mkdirSync(t);
      const child = spawn(BASH, [INSTALL_SH], { env: { ...process.env, DESTDIR: d, TMPDIR: t }, cwd: REPO, stdio: 'ignore' });
      await new Promise((r) => setTimeout(r, delay));
      child.kill('SIGTERM');
      if (child.exitCode === null && child.signalCode === null) await once(child, 'exit');
      expect(readdirSync(t), `stopped after ${delay} ms`).to.deep.equal([]);
    }
    runOk([], { destdir: d });
  });

  it('holds back enabling and starting on the example configuration, unless the service is enabled or running already', function () {
    // install.sh's start_service with stand-ins for systemd (none here). The example is the original
    // deployment's file: a service already enabled or running on it was meant to, and is upgraded.
    const fn = /^start_service\(\) \{[\s\S]*?^\}$/m.exec(readFileSync(INSTALL_SH, 'utf8'))?.[0];
    expect(fn, 'start_service in install.sh').to.be.a('string');
    const calls = (enabled: boolean, active: boolean): string => {
      const stubs = `systemd_running() { return 0; }
systemctl() { echo "systemctl $*"; case $1 in is-enabled) return ${enabled ? 0 : 1} ;; is-active) return ${active ? 0 : 1} ;; esac; return 0; }
report() { echo "report $*"; }
warn() { echo "warn $*"; }
check_config() { return 0; }
service_runs_current() { return 0; }
SERVICE=anomaly_detector NO_START=0 CHANGED_PROGRAM=1 CHANGED_ANY=0`;
      return spawnSync(BASH, ['-c', `${fn}\n${stubs}\nstart_service 1`], { encoding: 'utf8' }).stdout;
    };
    const fresh = calls(false, false);
    expect(fresh).to.include('report skipped enable and start');
    expect(fresh).to.not.match(/^systemctl (enable|start|restart) /m);
    expect(calls(true, true)).to.include('systemctl restart anomaly_detector');
    expect(calls(true, false)).to.include('systemctl start anomaly_detector');
  });

  it('recovers from an interrupted upgrade: the unreferenced release and the half-switched link are removed', function () {
    const d = join(tmp, 'interrupted');
    runOk([], { destdir: d });
    // What an install stopped between moving its release in and switching `current` leaves behind.
    cpSync(join(d, APP, readlinkSync(join(d, CURRENT))), join(d, APP, 'releases/0.0.1_20260101T000000Z'), { recursive: true });
    symlinkSync('releases/0.0.1_20260101T000000Z', join(d, APP, 'current.new.4242'));
    const out = runOk([], { destdir: d });
    expect(out).to.match(/removed\s+\/opt\/anomaly_detector\/releases\/0\.0\.1_20260101T000000Z\//);
    expect(readdirSync(join(d, APP)).sort()).to.deep.equal(['current', 'releases']);
    expect(existsSync(join(d, CURRENT, 'dist/src/cli.js'))).to.equal(true);
  });

  it('waits for another install running at the same time', function () {
    const d = join(tmp, 'concurrent');
    runOk([], { destdir: d });
    // Another install.sh holding the application directory for two seconds.
    const holder = spawnSync('sh', ['-c', `flock "$1" sleep 2 & sleep 0.5; DESTDIR="$2" "$3" "$4"; echo "exit $?"; wait`, 'sh', join(d, APP), d, BASH, INSTALL_SH], {
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(holder.stdout, holder.stderr).to.include('Waiting for another install.sh to finish');
    expect(holder.stdout).to.include('exit 0');
  });

  it('--uninstall removes program, command and unit but keeps configuration and data; --purge removes them', function () {
    const d = join(tmp, 'uninstall');
    runOk([], { destdir: d });
    writeFileSync(join(d, 'var/lib/anomaly_detector/models/host.json'), '{}');
    // What `systemctl edit` leaves: the operator's, kept by --uninstall, removed by --purge.
    const dropIn = join(d, `${UNIT}.d`, 'override.conf');
    mkdirSync(join(d, `${UNIT}.d`), { recursive: true });
    writeFileSync(dropIn, '[Service]\nEnvironment=X=1\n');
    const out = runOk(['--uninstall'], { destdir: d });
    expect(out).to.match(/removed\s+\/opt\/anomaly_detector/);
    for (const gone of [APP, BIN, UNIT]) expect(existsSync(join(d, gone)), gone).to.equal(false);
    for (const kept of [CONF, EXAMPLE, ENV_FILE, 'var/lib/anomaly_detector/models/host.json', `${UNIT}.d/override.conf`]) {
      expect(existsSync(join(d, kept)), kept).to.equal(true);
    }
    runOk(['--uninstall', '--purge'], { destdir: d });
    expect(existsSync(join(d, 'etc/anomaly_detector'))).to.equal(false);
    expect(existsSync(join(d, 'var/lib/anomaly_detector'))).to.equal(false);
    expect(existsSync(join(d, `${UNIT}.d`))).to.equal(false);
  });

  it('--uninstall leaves a foreign /usr/local/bin/anomaly-detector alone', function () {
    const d = join(tmp, 'foreign');
    mkdirSync(join(d, 'usr/local/bin'), { recursive: true });
    writeFileSync(join(d, BIN), '#!/bin/sh\necho somebody else\n', { mode: 0o755 });
    const r = run(['--uninstall'], { destdir: d });
    expect(r.status).to.equal(0);
    expect(r.stderr).to.include('was not installed by');
    expect(existsSync(join(d, BIN))).to.equal(true);
  });

  it('reports a too old node (v18) clearly and installs nothing', function () {
    const fake = join(tmp, 'old-node-bin');
    mkdirSync(fake, { recursive: true });
    writeFileSync(join(fake, 'node'), '#!/bin/sh\necho v18.0.0\n', { mode: 0o755 });
    const d = join(tmp, 'old-node');
    const r = run([], { destdir: d, env: { PATH: `${fake}${delimiter}${process.env.PATH ?? ''}` } });
    expect(r.status).to.not.equal(0);
    expect(r.stderr).to.include('Node.js 20 or newer is required').and.include('v18.0.0');
    expect(r.stderr).to.include('NodeSource').and.include('binary tarball');
    expect(existsSync(join(d, APP))).to.equal(false);
  });

  it('reports a missing node clearly', function () {
    const path = pathWithout(['node', 'nodejs', 'npm', 'npx', 'corepack'], join(tmp, 'no-node-bin'));
    const r = run([], { destdir: join(tmp, 'no-node'), env: { PATH: path } });
    expect(r.status).to.not.equal(0);
    expect(r.stderr).to.include('Node.js was not found').and.include('Node.js 20 or newer');
  });

  it('from a checkout without dist/ it says to run npm ci && npm run build', function () {
    const src = join(tmp, 'unbuilt');
    mkdirSync(src);
    for (const f of ['install.sh', 'anomaly_detector.service', 'multihost.yaml', 'package.json', 'package-lock.json']) {
      copyFileSync(join(REPO, f), join(src, f));
    }
    const r = run([], { destdir: join(tmp, 'unbuilt-root'), script: join(src, 'install.sh') });
    expect(r.status).to.not.equal(0);
    expect(r.stderr).to.include('npm ci && npm run build');
  });

  it('--build-tarball makes a release that installs without npm or network', function () {
    const tarball = join(tmp, 'out', 'anomaly-detector.tar.gz');
    const out = runOk(['--build-tarball', tarball]);
    expect(out).to.include(tarball);
    const unpack = join(tmp, 'unpacked');
    mkdirSync(unpack);
    const tar = spawnSync('tar', ['-xzf', tarball, '-C', unpack], { encoding: 'utf8' });
    expect(tar.status, tar.stderr).to.equal(0);
    const [top] = readdirSync(unpack);
    expect(top).to.match(/^anomaly-detector-\d+\.\d+\.\d+/);
    const rel = join(unpack, top);
    for (const f of ['install.sh', 'anomaly_detector.service', 'multihost.yaml', 'package.json', 'package-lock.json', 'dist/src/cli.js']) {
      expect(existsSync(join(rel, f)), f).to.equal(true);
    }
    expect(existsSync(join(rel, 'node_modules/mongodb/package.json'))).to.equal(true);
    expect(existsSync(join(rel, 'node_modules/typescript'))).to.equal(false);
    expect(existsSync(join(rel, 'dist/test'))).to.equal(false);
    expect(modeOf(join(rel, 'install.sh')) & 0o111).to.not.equal(0);

    // Installing from it needs node but neither npm nor network.
    const path = pathWithout(['npm', 'npx', 'corepack'], join(tmp, 'no-npm-bin'));
    const d = join(tmp, 'from-release');
    const inst = run([], { destdir: d, env: { PATH: path }, script: join(rel, 'install.sh'), cwd: rel });
    expect(inst.status, `${inst.stdout}\n${inst.stderr}`).to.equal(0);
    expect(listing(join(d, CURRENT, 'node_modules')).map(stripMtime)).to.deep.equal(
      listing(join(rel, 'node_modules')).map(stripMtime),
    );
    const again = run([], { destdir: d, env: { PATH: path }, script: join(rel, 'install.sh'), cwd: rel });
    expect(again.stdout).to.include('nothing changed');
    const check = spawnSync(join(d, BIN), ['check-config', join(d, CONF)], {
      env: { ...process.env, ANOMALY_DETECTOR_HOME: join(d, APP), MONGODB_URI: '' },
      encoding: 'utf8',
    });
    expect(check.status, `${check.stdout}\n${check.stderr}`).to.equal(0);
    expect(dirname(tarball)).to.not.equal(REPO);
  });
});

/** Drops the mtime column(s) from a listing line (copies keep content and modes, not times). */
function stripMtime(line: string): string {
  const parts = line.split(' ');
  if (parts[0] === 'f') return [...parts.slice(0, 4), parts[5]].join(' ');
  if (parts[0] === 'd') return parts.slice(0, 3).join(' ');
  return parts.slice(0, -1).join(' ');
}

describe('multihost.yaml (the shipped example configuration)', function () {
  const text = readFileSync(join(REPO, 'multihost.yaml'), 'utf8');

  /** The example with every optional key (and list item) uncommented. */
  function uncommented(): string {
    const seen = new Set<string>();
    return text
      .split('\n')
      .map((line) => {
        const m = /^(\s*)# ([A-Z_]+):(.*)$/.exec(line);
        if (m) {
          const key = `${m[1]}${m[2]}`;
          // MONGODB_URI and MONGODB_URI_FILE are alternatives: keep the first only.
          if (seen.has(key) || m[2] === 'MONGODB_URI_FILE') return line;
          seen.add(key);
          return `${m[1]}${m[2]}:${m[3]}`;
        }
        const item = /^#(\s+- .*)$/.exec(line);
        return item ? item[1] : line;
      })
      .join('\n');
  }

  function checkConfig(content: string): SpawnSyncReturns<string> {
    const dir = mkdtempSync(join(tmpdir(), 'ad-example-'));
    try {
      const file = join(dir, 'multihost.yaml');
      writeFileSync(file, content);
      const env: Record<string, string | undefined> = { ...process.env };
      delete env.MONGODB_URI;
      delete env.MONGODB_URI_FILE;
      return spawnSync(process.execPath, [join(REPO, 'dist/src/cli.js'), 'check-config', file], { env, encoding: 'utf8', timeout: 60_000 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  it('keeps the original keys and values', function () {
    for (const line of [
      'STORAGE_DATASOURCE: "mg"',
      'STORAGE_DATASINK: "mg"',
      'MG_HOST: "172.17.18.83"',
      'MG_PORT: 27017',
      'MG_INPUT_DB: "logstoredb"',
      'MG_TARGET_DB: "anomalydb"',
      '  "network_logs":\n    HOSTNAMES: ["cumulus", "EXOS-VM", "172.17.18.178"]\n    MG_TARGET_COL: "network_anomaly"',
      '  "web_logs":\n    HOSTNAMES: ["dataform"]\n    MG_TARGET_COL: "web_anomaly"',
    ]) {
      expect(text).to.include(line);
    }
  });

  it('passes check-config as shipped', function () {
    const r = checkConfig(text);
    expect(r.status, `${r.stdout}\n${r.stderr}`).to.equal(0);
  });

  it('passes check-config with every optional key uncommented', function () {
    const full = uncommented();
    expect(full).to.match(/^RETRAIN_CRON: /m).and.match(/^HTTP_LISTEN: /m).and.match(/^ {4}THRESHOLD: /m);
    const r = checkConfig(full);
    expect(r.status, `${r.stdout}\n${r.stderr}\n${full}`).to.equal(0);
  });

  it('mentions every configuration key, optional ones commented out with their default', async function () {
    const { DEFAULTS } = (await import('../../src/config/schema.js')) as { DEFAULTS: Record<string, unknown> };
    const { parse } = await import('yaml');
    const keys = [...Object.keys(DEFAULTS), 'MG_INPUT_DB', 'MG_TARGET_DB', 'MONGODB_URI', 'MONGODB_URI_FILE', 'WORKERS', 'EXTRA_MASKS', 'LOG_SOURCES'];
    for (const key of keys) expect(text, key).to.match(new RegExp(`^(# )?${key}:`, 'm'));
    for (const m of text.matchAll(/^# ([A-Z_]+): (.+)$/gm)) {
      if (m[1] in DEFAULTS) expect(parse(m[2]), `${m[1]} default`).to.deep.equal(DEFAULTS[m[1]]);
    }
  });
});
