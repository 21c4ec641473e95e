import { closeSync, openSync, readSync } from 'node:fs';

/** Far above any configuration or environment file; `check-config /dev/zero` must not fill memory. */
const MAX_BYTES = 1 << 20;

/**
 * Reads a file of the installation (the configuration, the environment file, a connection string
 * file). A failure's message is the file system's code; the installed files are readable by root
 * and the service's group only, so a permission error says what to do instead of reading as a bad
 * file. Read in pieces up to MAX_BYTES, so that pipes (`<(...)`) work and a device does not hang;
 * text that is not UTF-8 is refused rather than read with replacement characters (a host name
 * `caf\uFFFD` would silently match nothing).
 */
export function readInstalledFile(path: string): string {
  // `/dev/stdin` is read from the descriptor the process was given: opening it again opens the
  // pipe anew, with a permission check a pipe made by root fails for the service user (install.sh
  // hands a root-only environment file to check-config run as that user this way).
  const stdin = path === '/dev/stdin';
  let fd: number;
  try {
    fd = stdin ? 0 : openSync(path, 'r');
  } catch (err) {
    throw new Error(explain(err));
  }
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for (;;) {
      const buf = Buffer.allocUnsafe(64 * 1024);
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      chunks.push(buf.subarray(0, n));
      size += n;
      if (size > MAX_BYTES) throw new Error(`larger than ${MAX_BYTES / (1 << 20)} MiB: not a configuration file`);
    }
  } catch (err) {
    throw new Error(explain(err));
  } finally {
    if (!stdin) closeSync(fd);
  }
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(Buffer.concat(chunks));
  } catch {
    throw new Error('not UTF-8 text: save it as UTF-8');
  }
}

const HINTS: Record<string, string> = {
  EACCES: "permission denied: run as root (e.g. with sudo) or as a user who may read it (the service's user reads it through its group: chgrp anomaly_detector and chmod 0640)",
  ENOENT: 'no such file',
  EISDIR: 'a directory, not a file',
};

/** The file system's code, with what it means for the common ones. */
function explain(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === undefined) return (err as Error).message;
  return HINTS[code] !== undefined ? `${code} (${HINTS[code]})` : code;
}
