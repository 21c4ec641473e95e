import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI } from '../support/daemon-process.js';
import { ORIGINAL_CONFIG as ORIGINAL } from '../support/paths.js';
import { tempDir } from '../support/temp-dir.js';

function file(text: string): string {
  const f = join(tempDir('ad-cli-'), 'multihost.yaml');
  writeFileSync(f, text);
  return f;
}

/** The commands' environment: without a MONGODB_URI the test run itself may have. */
function cliEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.MONGODB_URI;
  return env;
}

function cli(...args: string[]) {
  return cliWith({}, ...args);
}

/** The CLI with standard input and a working directory. */
function cliWith(options: { input?: string | Buffer; cwd?: string }, ...args: string[]) {
  return spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: cliEnv(), timeout: 30_000, ...options });
}

/**
 * Whether the CLI can be run as user nobody: as root, with runuser, and from a checkout that user
 * can read (a clone in a 0700 temporary directory is not).
 */
function nobodyCanRun(): boolean {
  if (process.getuid?.() !== 0) return false;
  return spawnSync('sh', ['-c', 'command -v runuser >/dev/null && runuser -u nobody -- test -r "$1"', 'sh', CLI]).status === 0;
}

describe('CLI and configuration errors', () => {
  it('check-config accepts the original file, prints what would be watched, redacts secrets', () => {
    const r = cli('check-config', file(`${ORIGINAL}MONGODB_URI: "mongodb://admin:hunter2@172.17.18.83:27017/?authSource=admin"\n`));
    expect(r.status, r.stderr).to.equal(0);
    expect(r.stdout).to.include('logstoredb.network_logs -> anomalydb.network_anomaly');
    expect(r.stdout).to.include('host "EXOS-VM"');
    expect(r.stdout).to.include('logstoredb.web_logs -> anomalydb.web_anomaly');
    expect(r.stdout).to.include('admin:***@');
    expect(r.stdout).not.to.include('hunter2');
  });

  it('check-config exits 78 and lists every problem with its key', () => {
    const r = cli('check-config', file(ORIGINAL.replace('["dataform"]', '[{"$ne": null}]').replace('MG_PORT: 27017', 'MG_PORT: "x"')));
    expect(r.status).to.equal(78);
    expect(r.stderr).to.include('LOG_SOURCES.web_logs.HOSTNAMES[0]');
    expect(r.stderr).to.include('MG_PORT');
  });

  it('run exits 78 with a clear message naming the key, without touching the database', () => {
    const r = cli('run', '--config', file(ORIGINAL.replace('MG_TARGET_COL: "web_anomaly"', 'MG_TARGET_COLL: "web_anomaly"')));
    expect(r.status).to.equal(78);
    expect(r.stderr).to.include('LOG_SOURCES.web_logs.MG_TARGET_COLL: unknown key');
    expect(r.stderr).to.include('LOG_SOURCES.web_logs.MG_TARGET_COL: is required');
  });

  it('run exits 78 naming MODEL_DIR when it is not a usable directory, before touching the database', () => {
    const dir = tempDir('ad-modeldir-');
    const notDir = join(dir, 'models');
    writeFileSync(notDir, 'a file where the directory should be');
    const run = (modelDir: string): ReturnType<typeof cli> =>
      cli('run', '--config', file(`${ORIGINAL.replace(/^MODEL_DIR:.*$/m, '')}MODEL_DIR: "${modelDir}"\nMONGODB_URI: "mongodb://127.0.0.1:9/"\n`));
    const r = run(notDir);
    expect(r.status, r.stderr).to.equal(78);
    expect(r.stderr).to.include(`MODEL_DIR ${notDir} cannot be used as the model directory: it is a file, not a directory\n`);
    const below = run(join(notDir, 'host-models'));
    expect(below.status, below.stderr).to.equal(78);
    expect(below.stderr).to.include(`MODEL_DIR ${join(notDir, 'host-models')} cannot be used as the model directory: part of its path is a file, not a directory\n`);
  });

  it('check-config finds a MODEL_DIR that is a file, or under one, without creating anything', () => {
    const dir = tempDir('ad-modeldir-');
    const notDir = join(dir, 'models');
    writeFileSync(notDir, 'a file where the directory should be');
    const check = (modelDir: string): ReturnType<typeof cli> => cli('check-config', file(`${ORIGINAL.replace(/^MODEL_DIR:.*$/m, '')}MODEL_DIR: "${modelDir}"\n`));
    const r = check(notDir);
    expect(r.status, r.stdout).to.equal(78);
    expect(r.stderr).to.include(`MODEL_DIR: ${notDir} cannot be used as the model directory: it is a file, not a directory\n`);
    expect(check(join(notDir, 'a', 'b')).stderr).to.include('part of its path is a file, not a directory');
    const fresh = join(dir, 'not', 'yet');
    expect(check(fresh).status).to.equal(0);
    expect(existsSync(join(dir, 'not')), 'check-config created the directory').to.equal(false);
  });

  it("check-config notes a MODEL_DIR its user cannot write, and still passes (the service's user may)", function () {
    this.timeout(30_000);
    const dir = tempDir('ad-modeldir-');
    chmodSync(dir, 0o755);
    const f = join(dir, 'multihost.yaml');
    writeFileSync(f, `${ORIGINAL.replace(/^MODEL_DIR:.*$/m, '')}MODEL_DIR: "${join(dir, 'models')}"\n`, { mode: 0o644 });
    if (process.getuid?.() !== 0) {
      chmodSync(dir, 0o555);
      const r = cli('check-config', f);
      chmodSync(dir, 0o755);
      expect(r.status, r.stderr).to.equal(0);
      expect(r.stdout).to.match(/Note: MODEL_DIR .*models: it does not exist, and .* is not writable by this user/);
      return;
    }
    // As root every directory is writable: check as user nobody, where it can.
    if (!nobodyCanRun()) this.skip();
    const r = spawnSync('runuser', ['-u', 'nobody', '--', process.execPath, CLI, 'check-config', f], { encoding: 'utf8', env: cliEnv(), timeout: 30_000 });
    expect(r.status, r.stdout + r.stderr).to.equal(0);
    expect(r.stdout).to.match(/Note: MODEL_DIR .*models: it does not exist, and .* is not writable by this user \(nobody\)/);
    expect(cli('check-config', f).stdout, 'root can write it').not.to.include('Note: MODEL_DIR');
  });

  it('check-config reads - as standard input, with relative paths from the working directory', () => {
    const cwd = tempDir('ad-stdin-');
    const text = `${ORIGINAL.replace(/^MODEL_DIR:.*$/m, '')}MODEL_DIR: "rel-models"\n`;
    const r = cliWith({ input: text, cwd }, 'check-config', '-');
    expect(r.status, r.stderr).to.equal(0);
    expect(r.stdout).to.include('(standard input): configuration is valid');
    expect(r.stdout).to.include(`MODEL_DIR: ${join(cwd, 'rel-models')}`);
    const bad = cliWith({ input: 'THRESHOLD: 2\n', cwd }, 'check-config', '-');
    expect(bad.status).to.equal(78);
    expect(bad.stderr).to.match(/^\(standard input\): invalid configuration:/);
    // The daemon reads its file again on SIGHUP: standard input is refused, as is an empty name.
    for (const args of [['run', '--config', '-'], ['run', '--config', ''], ['check-config', '']]) {
      const u = cli(...args);
      expect(u.status, args.join(' ')).to.equal(2);
      expect(u.stderr, args.join(' ')).to.match(/must name a file|is empty: name the configuration file/);
    }
  });

  it('every command prints its usage for --help and exits 0', function () {
    this.timeout(30_000);
    for (const args of [['--help'], ['run', '--help'], ['status', '--help'], ['check-config', '--help'], ['check-config', '-h'], ['score', '--help'], ['templates', '--help']]) {
      const r = cli(...args);
      expect(r.status, args.join(' ')).to.equal(0);
      expect(r.stdout, args.join(' ')).to.match(/usage/i);
      // Each names the command as it is typed (`score --help` said `usage: score ...`).
      if (args[0] !== '--help') expect(r.stdout, args.join(' ')).to.include(`usage: anomaly-detector ${args[0]}`);
    }
    expect(cli('status', '-x').stderr).to.include('unknown option -x');
  });

  it('every command reports a usage error as `<command>: <problem>`, then its usage, exit 2', function () {
    this.timeout(60_000);
    const cases: Array<[string[], string]> = [
      [['run'], 'exactly one --config FILE is required'],
      [['run', '--config'], 'option --config needs a value'],
      [['run', '--config', 'a.yaml', '--config', 'b.yaml'], 'exactly one --config FILE is required'],
      [['run', '--config', 'a.yaml', 'extra'], 'exactly one --config FILE is required'],
      [['run', '--conf', 'a.yaml'], 'unknown option --conf'],
      [['status'], 'exactly one --config FILE is required'],
      [['status', '--config', 'a.yaml', '--json=yes'], 'option --json takes no value'],
      [['status', '-x'], 'unknown option -x'],
      [['check-config'], 'exactly one FILE is required'],
      [['check-config', 'a.yaml', 'b.yaml'], 'exactly one FILE is required'],
      [['check-config', '-x', 'a.yaml'], 'unknown option -x'],
      [['templates', '--jsn', 'a.log'], 'unknown option --jsn'],
    ];
    for (const [args, problem] of cases) {
      const r = cli(...args);
      expect(r.status, args.join(' ')).to.equal(2);
      expect(r.stderr, args.join(' ')).to.match(new RegExp(`^${args[0]}: ${problem}\n[^]*usage: `));
      expect(r.stdout, args.join(' ')).to.equal('');
    }
  });

  it('check-config takes its file as `FILE` or as `--config FILE`, like run and status', () => {
    const f = file(ORIGINAL);
    expect(cli('check-config', f).status).to.equal(0);
    expect(cli('check-config', '--config', f).status).to.equal(0);
    expect(cli('check-config', `--config=${f}`).status).to.equal(0);
  });

  it('check-config and run take the connection string from --environment-file, as the service does', function () {
    this.timeout(30_000);
    const f = file(ORIGINAL);
    const env = join(tempDir('ad-cli-'), 'anomaly_detector.env');
    writeFileSync(env, '# as installed\nMONGODB_URI=mongodb://watcher:S3cr3t-pw@db-a:27017,db-b:27017/?authSource=admin&replicaSet=rs0\n');
    const r = cli('check-config', f, '--environment-file', env);
    expect(r.status, r.stderr).to.equal(0);
    expect(r.stdout).to.include('MongoDB connection from environment MONGODB_URI');
    expect(r.stdout).to.include('db-a:27017,db-b:27017').and.not.include('S3cr3t-pw');
    // Without it the YAML's MG_HOST/MG_PORT are used: what confused operators running it by hand.
    expect(cli('check-config', f).stdout).to.include('MongoDB connection from MG_HOST/MG_PORT');
    const missing = cli('run', '--config', f, '--environment-file', '/nonexistent/anomaly_detector.env');
    expect(missing.status).to.equal(78);
    expect(missing.stderr).to.match(/--environment-file: cannot read \/nonexistent\/anomaly_detector\.env: ENOENT/);
  });

  it('check-config reads an environment file handed over on standard input, even by root to another user', function () {
    this.timeout(30_000);
    const dir = tempDir('ad-cli-');
    chmodSync(dir, 0o755);
    const f = join(dir, 'multihost.yaml');
    writeFileSync(f, ORIGINAL, { mode: 0o644 });
    const envFile = join(dir, 'anomaly_detector.env');
    writeFileSync(envFile, 'MONGODB_URI=mongodb://db-from-stdin:27017/\n', { mode: 0o600 });
    const piped = cliWith({ input: readFileSync(envFile) }, 'check-config', f, '--environment-file', '/dev/stdin');
    expect(piped.status, piped.stderr).to.equal(0);
    expect(piped.stdout).to.include('db-from-stdin:27017');
    // install.sh checks a root-only environment file (systemd reads it as root) as the service
    // user this way. Opening /dev/stdin anew re-checked the permissions of root's pipe: EACCES.
    // Only where it can run.
    if (!nobodyCanRun()) return;
    const asNobody = spawnSync('sh', ['-c', `cat "$1" | runuser -u nobody -- "$2" "$3" check-config "$4" --environment-file /dev/stdin`, 'sh', envFile, process.execPath, CLI, f], {
      encoding: 'utf8',
      env: cliEnv(),
      timeout: 30_000,
    });
    expect(asNobody.status, asNobody.stdout + asNobody.stderr).to.equal(0);
    expect(asNobody.stdout).to.include('db-from-stdin:27017');
  });

  it('run exits 78 for a missing file and 2 for bad usage', () => {
    expect(cli('run', '--config', '/nonexistent/multihost.yaml').status).to.equal(78);
    expect(cli('run').status).to.equal(2);
    expect(cli('frobnicate').status).to.equal(2);
  });
});

describe('credentials in logs', function () {
  this.timeout(60_000);
  it('never logs the password of the connection string, also while MongoDB is unreachable', async () => {
    const { freePort } = await import('../support/mongo-server.js');
    const { DaemonProcess } = await import('../support/daemon-process.js');
    const port = await freePort(); // nothing listens there
    const f = file(ORIGINAL.replace('MG_HOST: "172.17.18.83"', `MONGODB_URI: "mongodb://watcher:S3cr3t-pw@127.0.0.1:${port}/?authSource=admin"`));
    const d = new DaemonProcess(f);
    try {
      await d.waitForLog((l) => l.msg.startsWith('mongodb unreachable'), 30_000, 'unreachable');
      const all = JSON.stringify(d.logs) + d.stderr;
      expect(all).to.include('watcher:***@');
      expect(all).not.to.include('S3cr3t-pw');
    } finally {
      await d.stop('SIGKILL');
    }
  });
});
