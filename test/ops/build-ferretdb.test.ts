// .ci/build-ferretdb.sh, run on a copy of the script with a stand-in `go` and `ferretdb`: no network,
// no real build. The stand-in ferretdb prints its version, pauses, then prints more, like a slow
// binary on a loaded CI machine: a reader that stops after the first line (head -1, grep -q) makes
// the writer die of SIGPIPE, which `set -o pipefail` turned into CI failing with exit 141.
import { expect } from 'chai';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SCRIPT = fileURLToPath(new URL('../../../.ci/build-ferretdb.sh', import.meta.url));

const SLOW_FERRETDB = `#!/usr/bin/env bash
echo "version: v1.24.0"
echo "commit: 0123456789"
sleep 0.5
for i in $(seq 1 2000); do echo "build detail $i"; done
`;

// Answers the three go commands the script runs: mod init, mod download -json, build -o BIN.
const FAKE_GO = `#!/usr/bin/env bash
case "$1 $2" in
  "mod init") exit 0 ;;
  "mod download") printf '{\\n\\t"Path": "github.com/FerretDB/FerretDB",\\n\\t"Dir": "%s",\\n}\\n' "$FAKE_MODULE" ;;
  "build -o") cp "$FAKE_FERRETDB" "$3" && chmod 755 "$3" ;;
  *) echo "fake go: unexpected $*" >&2; exit 3 ;;
esac
`;

function writeExecutable(path: string, text: string): void {
  writeFileSync(path, text);
  chmodSync(path, 0o755);
}

describe('.ci/build-ferretdb.sh', function () {
  let root: string;
  let checkout: string;
  let fakeBin: string;
  let env: Record<string, string | undefined>;

  beforeEach(function () {
    root = mkdtempSync(join(tmpdir(), 'ad-build-ferretdb-'));
    checkout = join(root, 'checkout');
    mkdirSync(join(checkout, '.ci'), { recursive: true });
    copyFileSync(SCRIPT, join(checkout, '.ci', 'build-ferretdb.sh'));
    fakeBin = join(root, 'fake-bin');
    mkdirSync(fakeBin);
    writeExecutable(join(fakeBin, 'go'), FAKE_GO);
    writeExecutable(join(root, 'slow-ferretdb'), SLOW_FERRETDB);
    mkdirSync(join(root, 'module', 'build', 'version'), { recursive: true });
    env = {
      ...process.env,
      MONGODB_URI: undefined,
      PATH: `${fakeBin}${delimiter}${process.env.PATH ?? '/usr/bin:/bin'}`,
      FAKE_MODULE: join(root, 'module'),
      FAKE_FERRETDB: join(root, 'slow-ferretdb'),
    };
  });

  afterEach(function () {
    rmSync(root, { recursive: true, force: true });
  });

  const run = (): SpawnSyncReturns<string> => {
    const r = spawnSync('bash', [join(checkout, '.ci', 'build-ferretdb.sh')], { env, encoding: 'utf8', timeout: 60_000 });
    if (r.error) throw r.error;
    return r;
  };

  it('builds, then prints the first line of the version of a binary that keeps writing', function () {
    const r = run();
    expect(r.status, r.stdout + r.stderr).to.equal(0);
    expect(r.stdout.trim().split('\n').at(-1)).to.equal('version: v1.24.0');
  });

  it('recognises an already built binary that keeps writing after its version', function () {
    mkdirSync(join(checkout, '.cache', 'bin'), { recursive: true });
    writeExecutable(join(checkout, '.cache', 'bin', 'ferretdb'), SLOW_FERRETDB);
    writeExecutable(join(fakeBin, 'go'), '#!/usr/bin/env bash\necho "go must not run for a built binary" >&2\nexit 3\n');
    const r = run();
    expect(r.status, r.stdout + r.stderr).to.equal(0);
    expect(r.stdout).to.contain('already built');
  });

  it('fails with a message when the built binary reports another version', function () {
    writeExecutable(join(root, 'slow-ferretdb'), '#!/usr/bin/env bash\necho "version: v0.9.0"\n');
    const r = run();
    expect(r.status).to.equal(1);
    expect(r.stderr).to.contain('does not report v1.24.0');
  });
});
