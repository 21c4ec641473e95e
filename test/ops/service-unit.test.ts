// anomaly_detector.service: required directives (parsed), and systemd's own checks where available.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const UNIT_PATH = join(REPO, 'anomaly_detector.service');
const UNIT_NAME = 'anomaly_detector.service';
/** Highest acceptable `systemd-analyze security` exposure (0 = fully locked down, 10 = unprotected). */
const MAX_EXPOSURE = 2.0;

type Unit = Map<string, Map<string, string[]>>;

/** Parses a systemd unit file: section -> key -> every value (keys may repeat), in order. */
function parseUnit(text: string): Unit {
  const unit: Unit = new Map();
  let section: Map<string, string[]> | undefined;
  const lines = text.replace(/\\\n/g, ' ').split('\n');
  for (const raw of lines) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header) {
      section = unit.get(header[1]) ?? new Map<string, string[]>();
      unit.set(header[1], section);
      continue;
    }
    const eq = line.indexOf('=');
    if (!section || eq < 0) throw new Error(`unparsable unit line: ${raw}`);
    const key = line.slice(0, eq).trim();
    const value = line.slice(eq + 1).trim();
    section.set(key, [...(section.get(key) ?? []), value]);
  }
  return unit;
}

function findExecutable(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter).concat(['/usr/bin', '/bin'])) {
    try {
      const p = join(dir, name);
      if (statSync(p).isFile()) return p;
    } catch {
      // not here
    }
  }
  return undefined;
}

describe('anomaly_detector.service', function () {
  const text = readFileSync(UNIT_PATH, 'utf8');
  const unit = parseUnit(text);
  const service = unit.get('Service') ?? new Map<string, string[]>();
  /** The effective value of a key (the last assignment wins in systemd). */
  const last = (key: string): string | undefined => service.get(key)?.at(-1);

  it('has [Unit], [Service] and [Install] sections and is wanted by multi-user.target', function () {
    expect([...unit.keys()]).to.include.members(['Unit', 'Service', 'Install']);
    expect(unit.get('Install')?.get('WantedBy')).to.deep.equal(['multi-user.target']);
    expect(unit.get('Unit')?.get('After')?.join(' ')).to.include('network-online.target');
    expect(unit.get('Unit')?.get('Wants')?.join(' ')).to.include('network-online.target');
  });

  it('runs the daemon as the service user with the installed config and env file', function () {
    expect(['simple', 'exec']).to.include(last('Type'));
    expect(last('User')).to.equal('anomaly_detector');
    expect(last('Group')).to.equal('anomaly_detector');
    expect(last('ExecStart')).to.equal('/usr/local/bin/anomaly-detector run --config /etc/anomaly_detector/multihost.yaml');
    expect(service.get('EnvironmentFile')).to.deep.equal(['-/etc/anomaly_detector/anomaly_detector.env']);
    expect(last('ExecReload')).to.equal('/bin/kill -HUP $MAINPID');
  });

  it('agrees with install.sh on the command and configuration paths', function () {
    const installer = readFileSync(join(REPO, 'install.sh'), 'utf8');
    expect(installer).to.include('readonly BIN=/usr/local/bin/anomaly-detector');
    expect(installer).to.include('readonly CONF_DIR=/etc/anomaly_detector');
    expect(installer).to.include('readonly CONF=$CONF_DIR/multihost.yaml');
    expect(installer).to.include('readonly ENV_FILE=$CONF_DIR/anomaly_detector.env');
    expect(installer).to.include('readonly STATE_DIR=/var/lib/anomaly_detector');
  });

  it('restarts on failure but not on a configuration error (exit 78), and stops within 15 s', function () {
    expect(last('Restart')).to.equal('on-failure');
    expect(last('RestartSec')).to.equal('5');
    expect(last('RestartPreventExitStatus')?.split(/\s+/)).to.include('78');
    expect(last('TimeoutStopSec')).to.equal('15');
  });

  it('keeps its state in /var/lib/anomaly_detector with a private umask', function () {
    expect(last('StateDirectory')).to.equal('anomaly_detector');
    expect(last('StateDirectoryMode')).to.equal('0750');
    expect(last('UMask')).to.equal('0027');
    expect(service.get('ReadWritePaths')?.join(' ').split(/\s+/)).to.include('/var/lib/anomaly_detector');
  });

  it('is hardened with every sandboxing option Node.js tolerates', function () {
    const expected: Record<string, string> = {
      NoNewPrivileges: 'yes',
      ProtectSystem: 'strict',
      ProtectHome: 'yes',
      PrivateTmp: 'yes',
      PrivateDevices: 'yes',
      ProtectKernelTunables: 'yes',
      ProtectKernelModules: 'yes',
      ProtectKernelLogs: 'yes',
      ProtectControlGroups: 'yes',
      ProtectClock: 'yes',
      ProtectHostname: 'yes',
      RestrictAddressFamilies: 'AF_INET AF_INET6 AF_UNIX',
      RestrictNamespaces: 'yes',
      RestrictRealtime: 'yes',
      RestrictSUIDSGID: 'yes',
      LockPersonality: 'yes',
      CapabilityBoundingSet: '',
      AmbientCapabilities: '',
      SystemCallArchitectures: 'native',
    };
    for (const [key, value] of Object.entries(expected)) {
      expect(last(key), key).to.equal(value);
    }
    expect(service.get('SystemCallFilter')?.[0]).to.equal('@system-service');
  });

  it('does not set MemoryDenyWriteExecute (the V8 JIT needs W+X memory)', function () {
    expect(service.has('MemoryDenyWriteExecute')).to.equal(false);
  });

  describe('checked by systemd (needs systemd-analyze; skipped only when it is not installed)', function () {
    const analyze = findExecutable('systemd-analyze');
    let tmp: string;
    let copy: string;

    before(function () {
      if (!analyze) {
        console.log('    (skipped: systemd-analyze not found; Debian: apt-get install systemd)');
        this.skip();
      }
      // `verify` checks that ExecStart's program exists: point a copy of the unit (same file
      // name) at an executable stand-in for /usr/local/bin/anomaly-detector.
      tmp = mkdtempSync(join(tmpdir(), 'ad-unit-'));
      const standIn = join(tmp, 'anomaly-detector');
      writeFileSync(standIn, '#!/bin/sh\nexit 0\n');
      chmodSync(standIn, 0o755);
      copy = join(tmp, UNIT_NAME);
      const replaced = text.replace(/^ExecStart=\/usr\/local\/bin\/anomaly-detector /m, `ExecStart=${standIn} `);
      expect(replaced).to.not.equal(text);
      writeFileSync(copy, replaced);
    });

    after(function () {
      if (tmp) rmSync(tmp, { recursive: true, force: true });
    });

    it('systemd-analyze verify accepts the unit without warnings about it', function () {
      const r = spawnSync(analyze as string, ['verify', copy], { encoding: 'utf8', timeout: 60_000 });
      const output = `${r.stdout}${r.stderr}`;
      const aboutUs = output.split('\n').filter((l) => l.includes('anomaly_detector'));
      expect(aboutUs, output).to.deep.equal([]);
      expect(r.status, output).to.equal(0);
    });

    it(`systemd-analyze security --offline=true rates the exposure at most ${MAX_EXPOSURE}`, function () {
      const r = spawnSync(analyze as string, ['security', '--offline=true', '--no-pager', copy], {
        encoding: 'utf8',
        timeout: 60_000,
      });
      if (r.status !== 0 && /unrecognized option|unknown option/i.test(r.stderr)) {
        console.log('    (skipped: this systemd-analyze has no --offline; systemd >= 250 needed)');
        this.skip();
      }
      const m = /Overall exposure level for \S+: (\d+(?:\.\d+)?)/.exec(r.stdout);
      expect(m, `${r.stdout}\n${r.stderr}`).to.not.equal(null);
      const exposure = Number(m?.[1]);
      expect(exposure).to.be.at.most(MAX_EXPOSURE);
    });
  });
});
