#!/usr/bin/env bash
# Installs, upgrades or removes the anomaly_detector daemon (systemd service).
# Works from a source checkout (after `npm ci && npm run build`) and from an unpacked
# release tarball, without network access. Run `./install.sh --help` for details.
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
set -euo pipefail

readonly PROG=${0##*/}
readonly SERVICE=anomaly_detector
readonly SVC_USER=anomaly_detector
readonly SVC_GROUP=anomaly_detector
readonly MIN_NODE_MAJOR=20
readonly RELEASE_MARKER=.anomaly_detector-release
readonly WRAPPER_MARKER='# anomaly-detector command wrapper (installed by anomaly_detector install.sh)'

# Final locations on the target system (DESTDIR is prepended when staging).
readonly APP_DIR=/opt/anomaly_detector
readonly BIN=/usr/local/bin/anomaly-detector
readonly CONF_DIR=/etc/anomaly_detector
readonly CONF=$CONF_DIR/multihost.yaml
readonly EXAMPLE=$CONF_DIR/multihost.yaml.example
readonly ENV_FILE=$CONF_DIR/anomaly_detector.env
readonly STATE_DIR=/var/lib/anomaly_detector
readonly MODELS_DIR=$STATE_DIR/models
readonly UNIT=/etc/systemd/system/$SERVICE.service

SRC_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
readonly SRC_DIR

usage() {
  cat <<EOF
Usage: $PROG [--no-start]              install or upgrade (as root)
       $PROG --uninstall [--purge]     remove the program, the command and the unit
       $PROG --build-tarball OUT.tar.gz  build a release tarball (from a source checkout)
       $PROG --help

Installs the anomaly_detector log anomaly detector as a systemd service:
  $APP_DIR/releases/<version>_<time>/ and $APP_DIR/current
      the application (dist/, package.json, package-lock.json, production node_modules), one
      directory per installed version; \`current\` points to the newest. An older version is
      removed by the first install that finds no process running it (a daemon not yet
      restarted keeps its own).
  $BIN
      the command (runs node on dist/src/cli.js of the release \`current\` points to)
  $CONF
      the configuration (written only if missing, never overwritten)
  $EXAMPLE
      the shipped example configuration (always refreshed)
  $ENV_FILE
      environment and credentials, e.g. MONGODB_URI=... (written only if missing, mode 0640)
  $STATE_DIR/ and $MODELS_DIR/
      state and models (owner $SVC_USER, mode 0750)
  $UNIT
and the system user and group $SVC_USER (no login shell, no home directory).
Then runs \`systemctl daemon-reload\`, enables the service, checks the configuration with
\`anomaly-detector check-config\` as the service user, and starts it, or restarts it when the
program or the unit changed. While the configuration is the example (a first install, or one
run again before it was edited) the service is neither enabled nor started: edit it, then
\`systemctl enable --now $SERVICE\`. Running it again changes nothing ("unchanged"). An existing
configuration is never overwritten.

Options:
  --no-start       enable the service but do not start or restart it
  --uninstall      stop and disable the service, remove $APP_DIR, the command and the unit;
                   keeps the configuration, the data and the user
  --purge          with --uninstall (implies it): also remove $CONF_DIR, $STATE_DIR,
                   the unit's drop-ins ($UNIT.d, from systemctl edit) and the user and
                   group $SVC_USER
  --build-tarball OUT.tar.gz
                   from a source checkout: write a release tarball containing dist/, package.json,
                   package-lock.json, production node_modules, install.sh, the unit and the example
                   configuration. Unpack it on the target and run ./install.sh (no network needed).
  -h, --help       show this help

Environment:
  DESTDIR=DIR      stage every file under DIR instead of / (for packaging and tests): no user
                   creation, no chown, no systemctl; root is not required.

Requirements: Node.js $MIN_NODE_MAJOR or newer (\`node\` in PATH); from a source checkout also npm
and a prior \`npm ci && npm run build\`.
EOF
}

die() {
  printf '%s: error: %s\n' "$PROG" "$*" >&2
  exit 1
}
# A wrong command line: exit 2, as the anomaly-detector commands do.
usage_error() {
  printf '%s: %s\n\n' "$PROG" "$*" >&2
  usage >&2
  exit 2
}
warn() { printf '%s: warning: %s\n' "$PROG" "$*" >&2; }
# report STATUS PATH [DETAIL]
report() { printf '  %-10s %s%s\n' "$1" "$2" "${3:+ ($3)}"; }

# ---------------------------------------------------------------------------------------------
# Options

MODE=install
NO_START=0
PURGE=0
TARBALL=
# A second mode is refused, not taken over the first (the last one won: `--uninstall
# --build-tarball x` built a tarball), and --no-start means nothing but to an install.
set_mode() {
  [[ $MODE == install || $MODE == "$1" ]] || usage_error "$2 cannot be combined with --$([[ $MODE == tarball ]] && echo build-tarball || echo uninstall/--purge)"
  MODE=$1
}
while (($# > 0)); do
  case $1 in
    -h | --help) usage; exit 0 ;;
    --no-start) NO_START=1 ;;
    --uninstall) set_mode uninstall "$1" ;;
    --purge) set_mode uninstall "$1"; PURGE=1 ;;
    --build-tarball) set_mode tarball "$1"; TARBALL=${2-}; (($# < 2)) || shift ;;
    --build-tarball=*) set_mode tarball "${1%%=*}"; TARBALL=${1#*=} ;;
    *) usage_error "unknown argument: $1" ;;
  esac
  shift
done
((NO_START == 0)) || [[ $MODE == install ]] || usage_error "--no-start applies to an install only"

# A missing, empty (`--build-tarball=`) or option-like value is no file name (an empty one failed after the whole build).
[[ $MODE != tarball || ( -n $TARBALL && $TARBALL != -* ) ]] ||
  usage_error "--build-tarball needs an output file name, e.g. --build-tarball anomaly-detector.tar.gz"

DESTDIR=${DESTDIR:-}
if [[ -n $DESTDIR ]]; then
  mkdir -p -- "$DESTDIR"
  DESTDIR=$(cd -- "$DESTDIR" && pwd)
  [[ $DESTDIR == / ]] && DESTDIR=
fi
readonly DESTDIR
# REAL=1: operate on this machine (users, ownership, systemctl); REAL=0: staging under DESTDIR.
if [[ -n $DESTDIR ]]; then REAL=0; else REAL=1; fi
readonly REAL

WORK=
TMPD=
# A `current` link being switched (see install_app); removed if the switch did not happen.
NEXT_LINK=
cleanup() {
  # A second signal must not cut the cleanup short (a double Ctrl-C left the staging directory).
  trap '' HUP INT TERM
  [[ -n $WORK && -d $WORK ]] && rm -rf -- "$WORK"
  [[ -n $NEXT_LINK && -L $NEXT_LINK ]] && rm -f -- "$NEXT_LINK"
  [[ -n $TMPD && -d $TMPD ]] && rm -rf -- "$TMPD"
  return 0
}
trap cleanup EXIT
# A signal waits for the command running (bash runs its trap after it), then exits through the
# cleanup. Without these, a SIGTERM to the script alone ran the cleanup while its `cp` of the
# application went on writing into the staging directory, which was left behind in $TMPDIR.
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

# ---------------------------------------------------------------------------------------------
# Checks

NODE_BIN=
check_node() {
  local how="Install Node.js $MIN_NODE_MAJOR or newer system-wide, then run $PROG again, e.g.:
  - Debian/Ubuntu: the NodeSource APT repository for Node.js 20 or 22 (package \"nodejs\");
    note that Debian 12's own nodejs package is Node.js 18, which is too old;
  - any Linux: the official Linux binary tarball from the Node.js website, unpacked under
    /usr/local (so that /usr/local/bin/node exists).
  Do not install it only under a home directory (nvm): the service runs as user $SVC_USER
  with ProtectHome=yes and could not run it."
  NODE_BIN=$(command -v node 2>/dev/null) ||
    die "Node.js was not found (no \`node\` in PATH=$PATH).
$how"
  local version major
  version=$("$NODE_BIN" --version 2>/dev/null) || die "\`$NODE_BIN --version\` failed.
$how"
  major=${version#v}
  major=${major%%.*}
  if ! [[ $major =~ ^[0-9]+$ ]] || ((major < MIN_NODE_MAJOR)); then
    die "Node.js $MIN_NODE_MAJOR or newer is required, but $NODE_BIN is ${version:-of unknown version}.
$how"
  fi
  if ((REAL)); then
    case $(readlink -f -- "$NODE_BIN") in
      /root/* | /home/* | /run/user/*)
        warn "node ($NODE_BIN) lives under a home directory; the service (user $SVC_USER, ProtectHome=yes) cannot run it. Install Node.js system-wide (e.g. /usr/local/bin/node or /usr/bin/node)." ;;
    esac
  fi
}

# Source layout: a release tarball carries $RELEASE_MARKER and production node_modules.
IS_RELEASE=0
[[ -f $SRC_DIR/$RELEASE_MARKER ]] && IS_RELEASE=1
readonly IS_RELEASE

check_source() {
  local f
  for f in anomaly_detector.service multihost.yaml package.json; do
    [[ -f $SRC_DIR/$f ]] || die "$SRC_DIR/$f is missing: run $PROG from a source checkout or an unpacked release tarball."
  done
  if ((IS_RELEASE)); then
    [[ -f $SRC_DIR/dist/src/cli.js && -d $SRC_DIR/node_modules ]] ||
      die "this release tarball is incomplete (dist/src/cli.js or node_modules/ missing); unpack it again."
  else
    [[ -f $SRC_DIR/dist/src/cli.js ]] ||
      die "the application is not built ($SRC_DIR/dist/src/cli.js is missing). In $SRC_DIR run first:
  npm ci && npm run build"
    [[ -d $SRC_DIR/node_modules && -f $SRC_DIR/package-lock.json ]] ||
      die "$SRC_DIR/node_modules (or package-lock.json) is missing. In $SRC_DIR run first:
  npm ci && npm run build"
    command -v npm >/dev/null 2>&1 ||
      die "npm is needed to install from a source checkout (to leave out dev dependencies). Install npm, or install from a release tarball (see --build-tarball)."
  fi
}

# ---------------------------------------------------------------------------------------------
# Staging the application

# stage_app DIR: fills DIR with what goes to $APP_DIR, modes normalized.
stage_app() {
  local dir=$1 f
  mkdir -p -- "$dir/dist"
  # Only the application code: dist/test and dist/bench stay out.
  cp -R --preserve=mode,timestamps -- "$SRC_DIR/dist/src" "$dir/dist/src"
  for f in package.json package-lock.json README.md LICENSE; do
    [[ -f $SRC_DIR/$f ]] && cp --preserve=mode,timestamps -- "$SRC_DIR/$f" "$dir/$f"
  done
  # Production dependencies, without network. npm ci --omit=dev --offline would need every
  # package's registry metadata in the local cache (often absent: it fails with ENOTCACHED), so
  # we copy the checkout's node_modules (installed by `npm ci` from the same lockfile) and
  # remove the dev dependencies with an offline prune.
  cp -R --preserve=mode,timestamps,links -- "$SRC_DIR/node_modules" "$dir/node_modules"
  rm -rf -- "$dir/node_modules/.cache"
  if ((!IS_RELEASE)); then
    local log
    if ! log=$(cd -- "$dir" && npm prune --omit=dev --offline --ignore-scripts --no-audit --no-fund \
      --no-update-notifier --loglevel=error 2>&1); then
      printf '%s\n' "$log" >&2
      die "\`npm prune --omit=dev --offline\` failed in the staging directory (see above). Run \`npm ci\` in $SRC_DIR and try again."
    fi
    # npm may rewrite the lockfile's formatting; ship the checkout's own.
    cp --preserve=mode,timestamps -- "$SRC_DIR/package-lock.json" "$dir/package-lock.json"
  fi
  chmod -R u+rwX,go+rX,go-w -- "$dir"
}

# manifest DIR: type, mode, path and symlink target of everything, sorted.
manifest() { (cd -- "$1" && find . -printf '%y %m %p %l\n' | LC_ALL=C sort); }

same_tree() {
  [[ -d $2 ]] || return 1
  [[ "$(manifest "$1")" == "$(manifest "$2")" ]] || return 1
  diff -rq --no-dereference -- "$1" "$2" >/dev/null 2>&1
}

# ---------------------------------------------------------------------------------------------
# Idempotent file helpers. CHANGED_PROGRAM=1 when something the running service uses changed.

CHANGED_ANY=0
CHANGED_PROGRAM=0

# set_attrs PATH MODE [OWNER:GROUP] -> prints what was fixed, if anything
set_attrs() {
  local path=$1 mode=$2 owner=${3:-} fixed=
  if [[ $(stat -c %a -- "$path") != "${mode#0}" ]]; then chmod -- "$mode" "$path"; fixed="mode $mode"; fi
  if ((REAL)) && [[ -n $owner && $(stat -c %U:%G -- "$path") != "$owner" ]]; then
    chown -- "$owner" "$path"; fixed="${fixed:+$fixed, }owner $owner"
  fi
  printf '%s' "$fixed"
}

# install_file SRC DEST MODE [OWNER:GROUP] [program]: copy unless identical.
install_file() {
  local src=$1 dest=$DESTDIR$2 mode=$3 owner=${4:-} kind=${5:-} fixed
  if [[ -f $dest ]] && cmp -s -- "$src" "$dest"; then
    fixed=$(set_attrs "$dest" "$mode" "$owner")
    if [[ -n $fixed ]]; then report fixed "$2" "$fixed"; CHANGED_ANY=1; else report unchanged "$2"; fi
    return 0
  fi
  local status=installed
  [[ -e $dest ]] && status=updated
  mkdir -p -- "$(dirname -- "$dest")"
  local tmp
  tmp=$(mktemp -- "$dest.XXXXXX")
  cat -- "$src" >"$tmp"
  chmod -- "$mode" "$tmp"
  if ((REAL)) && [[ -n $owner ]]; then chown -- "$owner" "$tmp"; fi
  mv -f -- "$tmp" "$dest"
  report "$status" "$2"
  CHANGED_ANY=1
  [[ $kind == program ]] && CHANGED_PROGRAM=1
  return 0
}

# ensure_dir DIR MODE [OWNER:GROUP]
ensure_dir() {
  local dir=$DESTDIR$1 fixed
  if [[ -d $dir ]]; then
    fixed=$(set_attrs "$dir" "$2" "${3:-}")
    if [[ -n $fixed ]]; then report fixed "$1/" "$fixed"; CHANGED_ANY=1; else report unchanged "$1/"; fi
  else
    mkdir -p -- "$dir"
    set_attrs "$dir" "$2" "${3:-}" >/dev/null
    report created "$1/"
    CHANGED_ANY=1
  fi
}

# ---------------------------------------------------------------------------------------------
# Install

systemd_running() { [[ -d /run/systemd/system ]] && command -v systemctl >/dev/null 2>&1; }

ensure_user() {
  if ((!REAL)); then
    report skipped "user $SVC_USER" "DESTDIR: create it on the target"
    return 0
  fi
  if ! getent group "$SVC_GROUP" >/dev/null; then
    groupadd --system "$SVC_GROUP"
    report created "group $SVC_GROUP"; CHANGED_ANY=1
  fi
  if ! getent passwd "$SVC_USER" >/dev/null; then
    local nologin=/usr/sbin/nologin
    [[ -x $nologin ]] || nologin=/sbin/nologin
    [[ -x $nologin ]] || nologin=/bin/false
    useradd --system --gid "$SVC_GROUP" --no-create-home --home-dir /nonexistent \
      --shell "$nologin" --comment "anomaly_detector daemon" "$SVC_USER"
    report created "user $SVC_USER"; CHANGED_ANY=1
  else
    report unchanged "user $SVC_USER"
  fi
}

write_wrapper() {
  cat >"$1" <<EOF
#!/bin/sh
$WRAPPER_MARKER
# Runs the anomaly detector with Node.js. ANOMALY_DETECTOR_HOME overrides the application
# directory, ANOMALY_DETECTOR_NODE the node binary (default: the one found at install time,
# else \`node\` in PATH).
APP_DIR="\${ANOMALY_DETECTOR_HOME:-$APP_DIR}"
NODE_BIN="\${ANOMALY_DETECTOR_NODE:-$NODE_BIN}"
if [ ! -x "\$NODE_BIN" ]; then
  NODE_BIN=\$(command -v node 2>/dev/null) || {
    echo "anomaly-detector: Node.js $MIN_NODE_MAJOR or newer is required but \\\`node\\\` was not found in PATH" >&2
    exit 127
  }
fi
# An installed tree keeps every version in releases/ and points \`current\` at the newest. The
# command runs the version current now under its own name: a later install that moves \`current\`
# then changes nothing a running daemon loads (worker threads start from files), and can see from
# the command line that the version is still in use.
if [ -L "\$APP_DIR/current" ]; then
  APP_DIR=\$(readlink -f -- "\$APP_DIR/current") || exit 1
fi
exec "\$NODE_BIN" "\$APP_DIR/dist/src/cli.js" "\$@"
EOF
}

write_env_template() {
  cat >"$1" <<'EOF'
# Environment of anomaly_detector.service (systemd EnvironmentFile: KEY=value lines, # comments).
# Keep credentials here, not in multihost.yaml. This file is mode 0640, owner root:anomaly_detector.
# After a change: systemctl restart anomaly_detector
#
# Full MongoDB connection string; takes precedence over MONGODB_URI / MG_HOST / MG_PORT in
# multihost.yaml:
#MONGODB_URI=mongodb://user:password@db-host:27017/?authSource=admin
#
# Or the name of a file holding the connection string:
# (the daemon reads that file itself: owner root:anomaly_detector, mode 0640)
#MONGODB_URI_FILE=/etc/anomaly_detector/mongodb_uri
#
# Extra Node.js options, e.g. a larger heap for big training windows:
#NODE_OPTIONS=--max-old-space-size=4096
EOF
}

# Application layout under $APP_DIR: releases/<id>/ per installed version and `current`, a relative
# symlink to one of them (relative, so that a DESTDIR tree works where it is unpacked too).
release_id() {
  local version
  version=$(cd -- "$SRC_DIR" && "$NODE_BIN" -p 'require("./package.json").version' 2>/dev/null) || version=unknown
  printf '%s_%s' "$version" "$(date -u +%Y%m%dT%H%M%SZ)"
}

# Files of the layout before releases/ (everything was directly in $APP_DIR).
readonly LEGACY_ENTRIES=(dist node_modules package.json package-lock.json README.md LICENSE)

install_app() {
  local dest=$DESTDIR$APP_DIR
  local current=$dest/current
  # Stage outside the destination (a no-op run leaves even directory mtimes alone), compare with the
  # current version, and only when different move it in as a new release and switch `current`.
  local stage=$TMPD/app
  stage_app "$stage"
  chmod 0755 -- "$stage"
  if [[ -L $current ]] && same_tree "$stage" "$(readlink -f -- "$current")"; then
    rm -rf -- "$stage"
    if ((REAL)) && [[ -n $(find "$dest" \( ! -user root -o ! -group root \) -print -quit) ]]; then
      chown -R root:root -- "$dest"
      report fixed "$APP_DIR/" "owner root:root"
      CHANGED_ANY=1
    else
      report unchanged "$APP_DIR/"
    fi
    return 0
  fi
  local status=installed
  [[ -L $current || -e $dest/dist ]] && status=updated
  if ((REAL)); then chown -R root:root -- "$stage"; fi
  mkdir -p -- "$dest/releases"
  chmod 0755 -- "$dest" "$dest/releases"
  local id
  id=$(release_id)
  while [[ -e $dest/releases/$id ]]; do id=${id}_$$; done
  # Only the move itself is undone by an interruption (across file systems it copies). Once the
  # release is complete, an interruption leaves it unreferenced: the next install's prune removes
  # it. Removing it here could race the link switch below and leave `current` pointing at nothing.
  WORK=$dest/releases/$id
  mv -T -- "$stage" "$dest/releases/$id"
  WORK=
  # rename(2) over the old link: `current` is never missing, not even for an instant.
  NEXT_LINK=$dest/current.new.$$
  ln -sfn -- "releases/$id" "$NEXT_LINK"
  mv -fT -- "$NEXT_LINK" "$current"
  NEXT_LINK=
  report "$status" "$APP_DIR/" "release $id"
  CHANGED_ANY=1
  CHANGED_PROGRAM=1
}

# users_of PATH...: prints the pid of a process that uses something under one of the PATHs: its
# command line names it (the command runs node on its release's own path), or its working
# directory is in it. Prints `?` when the processes cannot be searched: callers then keep the files.
# Each PATH is looked for as given and as resolved (/opt may be a symlink; the kernel and the
# wrapper name resolved paths). The patterns come from a file: as an argument they would be in
# grep's own command line.
users_of() {
  local pattern=$TMPD/users.pattern hits=$TMPD/users.hits p rc=0 pid
  : >"$pattern"
  # Resolved: the directory holding PATH, not PATH itself, so that `current` stays the link (a
  # process running the current release names the release, not current/).
  for p in "$@"; do
    printf '%s/\n' "$p" >>"$pattern"
    p=$(readlink -m -- "$(dirname -- "$p")")/${p##*/} && printf '%s/\n' "$p" >>"$pattern"
  done
  if [[ ! -r /proc/self/cmdline ]]; then printf '?'; return 0; fi
  # xargs, not a glob as grep's arguments: tens of thousands of pids exceed the argument size.
  # Status 123 is grep's "no match" (or a process that ended meanwhile); 124-127: grep did not run.
  printf '%s\0' /proc/[0-9]*/cmdline | xargs -0 grep -lsaF -f "$pattern" >"$hits" 2>/dev/null || rc=$?
  if ((rc > 123)); then printf '?'; return 0; fi
  pid=$(head -n 1 -- "$hits")
  if [[ -z $pid ]]; then
    pid=$(find /proc -mindepth 2 -maxdepth 2 -name cwd -type l -printf '%l/\t%h\n' 2>/dev/null |
      awk -F '\t' 'NR == FNR { p[++n] = $0; next } { for (i = 1; i <= n; i++) if (index($1, p[i]) == 1) { print $2; exit } }' "$pattern" -) || true
  fi
  [[ -n $pid ]] || return 1
  pid=${pid#/proc/}
  printf '%s' "${pid%/cmdline}"
}

readonly UNSEARCHABLE='the running processes could not be searched (grep or /proc missing), so it is kept in case one uses it'

# lock_app: one install or uninstall at a time. Two at once would each remove the other's new
# release as unused, and could leave `current` pointing at nothing. The lock is on the application
# directory itself (flock(1) on a directory descriptor), so nothing is left behind.
lock_app() {
  local dir=$DESTDIR$APP_DIR
  [[ -d $dir ]] || return 0
  if ! command -v flock >/dev/null 2>&1; then
    warn "flock(1) was not found: nothing prevents another $PROG from running at the same time"
    return 0
  fi
  exec 9<"$dir"
  if ! flock -n 9; then
    echo "Waiting for another $PROG to finish (it holds $APP_DIR)..."
    flock -w 600 9 || die "another $PROG has held $APP_DIR for 10 minutes; try again once it has finished"
  fi
}

# Removes the releases other than the current one, and the files of the layout before releases/,
# unless a process still uses them (a daemon that was not restarted): those are kept for the next
# install to remove. A process started through `current/` itself runs whichever release was current
# then; while one runs, every release is kept.
prune_releases() {
  local dest=$DESTDIR$APP_DIR current_dir dir name pid= link
  [[ -L $dest/current ]] || return 0
  for link in "$dest"/current.new.*; do
    [[ -L $link ]] && rm -f -- "$link"
  done
  current_dir=$(readlink -f -- "$dest/current")
  local through_current=
  through_current=$(users_of "$dest/current") || true
  for dir in "$dest"/releases/*; do
    [[ -d $dir && $(readlink -f -- "$dir") != "$current_dir" ]] || continue
    name=${dir#"$DESTDIR"}
    pid=
    if [[ $through_current == '?' ]] || { [[ -z $through_current ]] && pid=$(users_of "$dir") && [[ $pid == '?' ]]; }; then
      report kept "$name/" "$UNSEARCHABLE"
    elif [[ -n $through_current ]]; then
      report kept "$name/" "process $through_current runs the program through $APP_DIR/current/, so which release it uses is unknown"
    elif [[ -n $pid ]]; then
      report kept "$name/" "in use by process $pid; removed by the next install after it ends"
    else
      rm -rf -- "$dir"
      report removed "$name/"
      CHANGED_ANY=1
    fi
  done
  [[ -e $dest/dist ]] || return 0
  if pid=$(users_of "$dest/dist" "$dest/node_modules"); then
    if [[ $pid == '?' ]]; then
      report kept "$APP_DIR/dist/" "previous layout; $UNSEARCHABLE"
    else
      report kept "$APP_DIR/dist/" "previous layout, in use by process $pid; removed by the next install after it ends"
    fi
    return 0
  fi
  for name in "${LEGACY_ENTRIES[@]}"; do rm -rf -- "${dest:?}/$name"; done
  report removed "$APP_DIR/dist/" "and the rest of the previous layout"
  CHANGED_ANY=1
}

do_install() {
  if ((REAL)) && ((EUID != 0)); then
    die "installing needs root: sudo $0 (or DESTDIR=/some/dir $0 to stage the files)"
  fi
  check_node
  check_source
  mkdir -p -- "$DESTDIR$APP_DIR"
  lock_app
  echo "Installing anomaly_detector${DESTDIR:+ into DESTDIR=$DESTDIR} from $SRC_DIR"
  TMPD=$(mktemp -d)
  local tmpd=$TMPD

  ensure_user
  install_app

  write_wrapper "$tmpd/wrapper"
  install_file "$tmpd/wrapper" "$BIN" 0755 root:root program

  ensure_dir "$CONF_DIR" 0750 "root:$SVC_GROUP"
  # Still the example (just created, or never edited since; this release's example or the one
  # installed before it, which a configuration copied from an older release matches): a service
  # started on it would only retry the example's server, and enabled it would do so from the next
  # boot on.
  local config_example=0
  if [[ -e $DESTDIR$CONF && -e $DESTDIR$EXAMPLE ]] && cmp -s -- "$DESTDIR$EXAMPLE" "$DESTDIR$CONF"; then
    config_example=1
  fi
  install_file "$SRC_DIR/multihost.yaml" "$EXAMPLE" 0644 root:root
  if [[ -e $DESTDIR$CONF ]]; then
    if cmp -s -- "$SRC_DIR/multihost.yaml" "$DESTDIR$CONF"; then
      report unchanged "$CONF" "same as the example"
      config_example=1
    elif ((config_example)); then
      report kept "$CONF" "the example of the release installed before, not edited"
    else
      report kept "$CONF" "existing configuration, not overwritten"
    fi
  else
    install_file "$SRC_DIR/multihost.yaml" "$CONF" 0640 "root:$SVC_GROUP"
    config_example=1
  fi
  write_env_template "$tmpd/env"
  if [[ -e $DESTDIR$ENV_FILE ]]; then
    if cmp -s -- "$tmpd/env" "$DESTDIR$ENV_FILE"; then
      report unchanged "$ENV_FILE" "the template"
    else
      report kept "$ENV_FILE" "existing, not overwritten"
    fi
    local m
    m=$(stat -c %a -- "$DESTDIR$ENV_FILE")
    if [[ ${m: -1} != 0 ]]; then
      warn "$ENV_FILE is readable by every user (mode $m) and may hold credentials: chmod 0640 $ENV_FILE"
    fi
  else
    install_file "$tmpd/env" "$ENV_FILE" 0640 "root:$SVC_GROUP"
  fi

  ensure_dir "$STATE_DIR" 0750 "$SVC_USER:$SVC_GROUP"
  ensure_dir "$MODELS_DIR" 0750 "$SVC_USER:$SVC_GROUP"
  install_file "$SRC_DIR/anomaly_detector.service" "$UNIT" 0644 root:root program

  if ((REAL)); then
    start_service "$config_example"
  else
    report skipped "systemctl" "DESTDIR"
  fi
  # After the restart: the daemon has left the previous release by now, unless it was not restarted.
  prune_releases
  if ((CHANGED_ANY)); then echo "Done."; else echo "Done: nothing changed."; fi
  if ((config_example)); then
    echo "Next: edit $CONF (and credentials in $ENV_FILE), check it with"
    echo "  sudo anomaly-detector check-config $CONF --environment-file $ENV_FILE"
    ((REAL)) && echo "then: sudo systemctl enable --now $SERVICE"
  fi
  return 0
}

# check_config: 0 = fine or could not tell; 1 = the configuration is invalid (exit 78).
check_config() {
  local rc=0 run=()
  # As the service user when possible, so that file permissions are checked too.
  if getent passwd "$SVC_USER" >/dev/null && command -v runuser >/dev/null 2>&1; then
    run=(runuser -u "$SVC_USER" --)
  fi
  # With the service's environment file, as the service will run: its MONGODB_URI counts. systemd
  # reads that file as root (it may well be 0600 root:root), so root reads it here too and hands it
  # over on a pipe; the service user still has to read the configuration and a MONGODB_URI_FILE.
  local out=$TMPD/check-config.out
  if [[ -e $ENV_FILE ]]; then
    cat -- "$ENV_FILE" | "${run[@]}" "$BIN" check-config "$CONF" --environment-file /dev/stdin >"$out" 2>&1 || rc=$?
    sed -i "s#/dev/stdin#$ENV_FILE#g" -- "$out"
  else
    "${run[@]}" "$BIN" check-config "$CONF" >"$out" 2>&1 || rc=$?
  fi
  if ((rc == 78)); then
    cat -- "$out" >&2
    return 1
  fi
  ((rc == 0)) || warn "\`anomaly-detector check-config $CONF\` exited with $rc: $(head -c 500 -- "$out")"
  return 0
}

# Whether the running service's main process runs the current release (its command line names it;
# see the wrapper). A daemon left running by --no-start or a failed check runs an older one, and a
# later install that changes nothing else must still restart it. Unknown counts as current.
service_runs_current() {
  local pid cmd real
  pid=$(systemctl show --property MainPID --value "$SERVICE" 2>/dev/null) || return 0
  [[ $pid =~ ^[1-9][0-9]*$ && -r /proc/$pid/cmdline ]] || return 0
  real=$(readlink -f -- "$APP_DIR/current") || return 0
  cmd=$(tr '\0' ' ' <"/proc/$pid/cmdline") || return 0
  [[ $cmd == *"$real/"* ]]
}

start_service() {
  if ! systemd_running; then
    warn "systemd is not running on this machine (not PID 1): the unit is installed but was not enabled or started."
    return 0
  fi
  systemctl daemon-reload
  # A service started on the example configuration would only retry its example server; enabled,
  # it would do so from the next boot on. One already enabled or running on it was meant to (the
  # example is the original deployment's file): it is upgraded as any other.
  if (($1)) && ! systemctl is-enabled --quiet "$SERVICE" 2>/dev/null && ! systemctl is-active --quiet "$SERVICE"; then
    report skipped "enable and start" "the configuration is the example: edit it, then systemctl enable --now $SERVICE"
    return 0
  fi
  if systemctl is-enabled --quiet "$SERVICE" 2>/dev/null; then
    report unchanged "systemctl enable $SERVICE"
  else
    systemctl enable --quiet "$SERVICE"
    report enabled "$SERVICE"; CHANGED_ANY=1
  fi
  if ((NO_START)); then
    report skipped "start" "--no-start"
    if systemctl is-active --quiet "$SERVICE" && { ((CHANGED_PROGRAM)) || ! service_runs_current; }; then
      warn "the running service still uses the previous version: systemctl restart $SERVICE"
    fi
    return 0
  fi
  if ! check_config; then
    warn "$CONF is invalid (problems listed above): the service was not (re)started. Fix it, then: systemctl restart $SERVICE"
    return 0
  fi
  if systemctl is-active --quiet "$SERVICE"; then
    if ((CHANGED_PROGRAM)); then
      systemctl restart "$SERVICE"
      report restarted "$SERVICE"
    elif ! service_runs_current; then
      systemctl restart "$SERVICE"
      report restarted "$SERVICE" "it was running an older release"
      CHANGED_ANY=1
    else
      report unchanged "$SERVICE" "running"
    fi
  else
    systemctl start "$SERVICE"
    report started "$SERVICE"; CHANGED_ANY=1
  fi
}

# ---------------------------------------------------------------------------------------------
# Uninstall

remove_path() {
  local path=$DESTDIR$1
  if [[ -e $path || -L $path ]]; then
    rm -rf -- "$path"
    report removed "$1"
  else
    report absent "$1"
  fi
}

do_uninstall() {
  if ((REAL)) && ((EUID != 0)); then die "uninstalling needs root: sudo $0 --uninstall"; fi
  lock_app
  echo "Uninstalling anomaly_detector${DESTDIR:+ from DESTDIR=$DESTDIR}"
  if ((REAL)) && systemd_running; then
    systemctl disable --now --quiet "$SERVICE" 2>/dev/null || true
    report stopped "$SERVICE" "and disabled"
  fi
  remove_path "$UNIT"
  if ((REAL)) && systemd_running; then
    systemctl daemon-reload
    systemctl reset-failed "$SERVICE" 2>/dev/null || true
  fi
  remove_path "$APP_DIR"
  local bin=$DESTDIR$BIN
  if [[ -e $bin || -L $bin ]] && ! grep -qF -- "$WRAPPER_MARKER" "$bin" 2>/dev/null &&
    [[ $(readlink -- "$bin" 2>/dev/null) != "$APP_DIR"/* ]]; then
    warn "$BIN was not installed by $PROG: left in place"
  else
    remove_path "$BIN"
  fi
  # Drop-ins (`systemctl edit`) belong to the operator: kept, except by --purge.
  if ((PURGE)); then
    remove_path "$UNIT.d"
    ((REAL)) && systemd_running && systemctl daemon-reload
    remove_path "$CONF_DIR"
    remove_path "$STATE_DIR"
    if ((REAL)); then
      if getent passwd "$SVC_USER" >/dev/null; then userdel "$SVC_USER" && report removed "user $SVC_USER"; fi
      if getent group "$SVC_GROUP" >/dev/null; then groupdel "$SVC_GROUP" && report removed "group $SVC_GROUP"; fi
    fi
  else
    report kept "$CONF_DIR/" "configuration; --purge removes it"
    report kept "$STATE_DIR/" "models and state; --purge removes it"
    ((REAL)) && report kept "user $SVC_USER" "--purge removes it"
  fi
  echo "Done."
}

# ---------------------------------------------------------------------------------------------
# Release tarball

do_tarball() {
  ((IS_RELEASE)) && die "--build-tarball works from a source checkout, not from a release tarball."
  check_node
  check_source
  local out=$TARBALL
  [[ $out == /* ]] || out=$PWD/$out
  local version
  version=$(cd -- "$SRC_DIR" && "$NODE_BIN" -p 'require("./package.json").version')
  local name=anomaly-detector-$version
  WORK=$(mktemp -d)
  local root=$WORK/$name
  mkdir -p -- "$root"
  stage_app "$root"
  cp -- "$SRC_DIR/install.sh" "$SRC_DIR/anomaly_detector.service" "$SRC_DIR/multihost.yaml" "$root/"
  chmod 0755 "$root/install.sh"
  chmod 0644 "$root/anomaly_detector.service" "$root/multihost.yaml"
  printf 'anomaly-detector %s\nbuilt with node %s on %s\n' "$version" "$("$NODE_BIN" --version)" \
    "$(uname -m)" >"$root/$RELEASE_MARKER"
  chmod 0644 "$root/$RELEASE_MARKER"
  mkdir -p -- "$(dirname -- "$out")"
  tar --sort=name --owner=0 --group=0 --numeric-owner -C "$WORK" -czf "$out.tmp" "$name"
  mv -f -- "$out.tmp" "$out"
  echo "Wrote $out ($(du -h -- "$out" | cut -f1)). On the target machine (Node.js >= $MIN_NODE_MAJOR, no network needed):"
  echo "  tar xzf ${out##*/} && cd $name && sudo ./install.sh"
}

case $MODE in
  install) do_install ;;
  uninstall) do_uninstall ;;
  tarball) do_tarball ;;
esac
