// Model files: one per (source, host), written atomically (temp file, fsync, rename), so a crash
// leaves either the old model or the new one, never half of one.
import { createHash } from 'node:crypto';
import { accessSync, constants, statSync } from 'node:fs';
import { access, mkdir, open, readdir, readFile, rename, unlink, type FileHandle } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { MaskRuleConfig } from '../model/types.js';
import { processAlive } from '../process-alive.js';

/** Bumped when the file layout (not the model inside) changes. */
const FILE_KIND = 'anomaly-detector-model';

export interface ModelFileHeader {
  kind: typeof FILE_KIND;
  /** Model core format version (MODEL_FORMAT_VERSION of the detector that wrote it). */
  format: number;
  /** Identifies this training run; stored with every anomaly the model flags. */
  version: string;
  source: string;
  host: string;
  trainedAt: string;
  lines: number;
  templates: number;
  /** The EXTRA_MASKS rules it was trained with (absent in files written before they were kept). */
  extraMasks?: MaskRuleConfig[];
  /** The LEVEL_FIELD it was trained with, '' for none (absent in files written before it was kept: none). */
  levelField?: string;
}

export function modelFilePath(modelDir: string, source: string, host: string): string {
  // Host names and collection names may contain '/', ':' or '..': encode them into one path segment each.
  return join(modelDir, encodeName(source), `${encodeName(host)}.model`);
}

/**
 * Encoded names longer than this are cut and completed by a hash of the whole name: a file name
 * has at most 255 bytes, percent-encoding makes a CJK character 9, and `.model.tmp-<pid>-<random>`
 * (at most 29 bytes) follows the host's name. Names up to this length keep the file name they
 * always had.
 */
const MAX_ENCODED = 224;

function encodeName(name: string): string {
  const encoded = encodeURIComponent(name).replace(/\./g, '%2E');
  if (encoded.length <= MAX_ENCODED) return encoded;
  const digest = createHash('sha256').update(name).digest('hex').slice(0, 24);
  // Not in the middle of a %XX escape.
  return `${encoded.slice(0, MAX_ENCODED - 25).replace(/%[0-9A-F]?$/, '')}~${digest}`;
}

/** A temporary file of writeModelFile: `<host>.model.tmp-<pid>-<random>`. */
const TEMP_FILE = /\.model\.tmp-(\d+)-[a-z0-9]*$/;

/**
 * Makes sure MODEL_DIR is a writable directory (creating it) and removes the temporary files of
 * model writes cut short by a kill or a crash, whose process is gone. Throws the file system's
 * error for a directory the daemon cannot use: a configuration problem, not one to retry.
 */
export async function prepareModelDir(modelDir: string): Promise<{ removed: number }> {
  await mkdir(modelDir, { recursive: true });
  await access(modelDir, constants.W_OK | constants.X_OK);
  let removed = 0;
  for (const entry of await readdir(modelDir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const dir = join(modelDir, entry.name);
    for (const name of await readdir(dir).catch(() => [] as string[])) {
      const pid = TEMP_FILE.exec(name)?.[1];
      if (pid === undefined || processAlive(Number(pid))) continue;
      await unlink(join(dir, name)).then(() => removed++, () => undefined);
    }
  }
  return { removed };
}

/** Why a MODEL_DIR cannot be a directory (mkdir's own words, "EEXIST: file already exists", hide it). */
export const MODEL_DIR_IS_FILE = 'it is a file, not a directory';
export const MODEL_DIR_UNDER_FILE = 'part of its path is a file, not a directory';

/**
 * What `check-config` can tell about MODEL_DIR without creating it: `problem` when it can never be
 * the model directory (it, or part of its path, is a file), `note` when the user running the
 * check cannot write it (the service's user may: check-config is often run as another user). A
 * directory that does not exist yet is fine: the daemon creates it.
 */
export function modelDirCheck(modelDir: string): { problem?: string; note?: string } {
  const dir = resolve(modelDir);
  for (let path = dir; ; path = dirname(path)) {
    let isDir: boolean;
    try {
      isDir = statSync(path).isDirectory();
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOTDIR') return { problem: MODEL_DIR_UNDER_FILE };
      // EACCES: a parent this user may not look into; the service's user may.
      if (code !== 'ENOENT' || dirname(path) === path) return {};
      continue;
    }
    if (!isDir) return { problem: path === dir ? MODEL_DIR_IS_FILE : MODEL_DIR_UNDER_FILE };
    if (writableDir(path)) return {};
    const what = path === dir ? 'it is not writable' : `it does not exist, and ${path} is not writable`;
    return { note: `${what} by this user (${userInfo().username}): the service's user must be able to write it` };
  }
}

export async function writeModelFile(file: string, header: ModelFileHeader, body: string): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}-${Math.random().toString(36).slice(2, 12)}`;
  const fh = await open(tmp, 'w', 0o640);
  try {
    try {
      await fh.writeFile(`${JSON.stringify(header)}\n${body}`);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, file);
  } catch (err) {
    // A full disk fails the write itself: a retried training must not leave a file per attempt.
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
  // fsync the directory so the rename itself survives a power loss.
  const dir = await open(dirname(file), 'r');
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}

export class ModelFileError extends Error {}

/** Reads header and body; throws ModelFileError for a file that is not a model file. */
export async function readModelFile(file: string): Promise<{ header: ModelFileHeader; body: string }> {
  const text = await readFile(file, 'utf8');
  const nl = text.indexOf('\n');
  const header = parseHeader(nl < 0 ? text : text.slice(0, nl), file);
  return { header, body: nl < 0 ? '' : text.slice(nl + 1) };
}

/** Only the header line, for status and for deciding at start whether a model is usable. */
export async function readModelHeader(file: string): Promise<ModelFileHeader | null> {
  let fh: FileHandle | null = null;
  try {
    fh = await open(file, 'r');
    return await readHeaderLine(fh, file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? '';
    if (code === 'ENOENT') return null;
    // A file the service's user may not read (left by a run as root) is an unreadable model: the
    // host retrains and the new file replaces it. Thrown as is, it failed every poll, for good.
    // Only when a new model can take its place: with the directory itself out of reach, the host
    // would train again and again; a failed poll says so at little cost.
    if (UNREADABLE.has(code) && writableDir(dirname(file))) throw new ModelFileError(`${file}: cannot be read (${code}): ${(err as Error).message}`);
    throw err;
  } finally {
    await fh?.close();
  }
}

function writableDir(dir: string): boolean {
  try {
    accessSync(dir, constants.W_OK | constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Errors of a model file that reading it again will not cure, and a new model written in its place
 * will. Not EISDIR: a directory at its path is not replaced by a rename, so the host would train
 * again and again; a failed poll, retried with its backoff, says what is wrong at little cost.
 */
const UNREADABLE = new Set(['EACCES', 'EPERM']);

/**
 * Reads up to the end of the first line. It holds the source's masks: a configuration with many
 * EXTRA_MASKS has a header over 4 KiB, and one cut there read as a corrupt file, so that host
 * retrained at every start (found by two reviews).
 */
async function readHeaderLine(fh: FileHandle, file: string): Promise<ModelFileHeader> {
  const chunks: Buffer[] = [];
  let total = 0;
  for (;;) {
    const buf = Buffer.alloc(Math.min(MAX_HEADER_BYTES + 1 - total, Math.max(4096, total)));
    const { bytesRead } = await fh.read(buf, 0, buf.length, total);
    const nl = buf.subarray(0, bytesRead).indexOf(10);
    chunks.push(buf.subarray(0, nl < 0 ? bytesRead : nl));
    total += bytesRead;
    if (nl >= 0 || bytesRead === 0) break;
    if (total > MAX_HEADER_BYTES) throw new ModelFileError(`${file}: not a model file (no header line in its first ${MAX_HEADER_BYTES} bytes)`);
  }
  return parseHeader(Buffer.concat(chunks).toString('utf8'), file);
}

/** Longest header line read: a configuration file is at most 1 MiB, and so are its masks. */
const MAX_HEADER_BYTES = 8 << 20;

function parseHeader(line: string, file: string): ModelFileHeader {
  let h: Partial<ModelFileHeader>;
  try {
    h = JSON.parse(line) as Partial<ModelFileHeader>;
  } catch {
    throw new ModelFileError(`${file}: not a model file (bad header)`);
  }
  if (h.kind !== FILE_KIND || typeof h.format !== 'number' || typeof h.version !== 'string') {
    throw new ModelFileError(`${file}: not a model file (missing kind/format/version)`);
  }
  return h as ModelFileHeader;
}
