// Reads V8 .cpuprofile files (node --cpu-prof) and says where the time went: functions by self
// time and by total (inclusive) time, and self time by file. Compiled locations are mapped back
// to the TypeScript source through the .js.map files next to them.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface Entry {
  name: string;
  ms: number;
  share: number;
}

export interface ProfileSummary {
  label: string;
  /** Sampled time not spent idle, ms. */
  busyMs: number;
  idleMs: number;
  self: Entry[];
  total: Entry[];
  files: Entry[];
}

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

// ---- source maps: generated (line, column) -> original file:line --------------------------------

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

function decodeVlq(s: string): number[] {
  const out: number[] = [];
  let value = 0;
  let shift = 0;
  for (const ch of s) {
    const d = B64.indexOf(ch);
    value += (d & 31) << shift;
    if (d & 32) shift += 5;
    else {
      out.push(value & 1 ? -(value >>> 1) : value >>> 1);
      value = 0;
      shift = 0;
    }
  }
  return out;
}

/** Per generated line: [generated column, source index, original line] segments. */
type LineMap = Array<Array<[number, number, number]>>;
const maps = new Map<string, { sources: string[]; lines: LineMap } | null>();

function sourceMap(jsFile: string): { sources: string[]; lines: LineMap } | null {
  if (maps.has(jsFile)) return maps.get(jsFile)!;
  let result: { sources: string[]; lines: LineMap } | null = null;
  const mapFile = `${jsFile}.map`;
  if (existsSync(mapFile)) {
    const raw = JSON.parse(readFileSync(mapFile, 'utf8')) as { sources: string[]; mappings: string };
    const lines: LineMap = [];
    let src = 0;
    let origLine = 0;
    for (const lineText of raw.mappings.split(';')) {
      const segs: Array<[number, number, number]> = [];
      let col = 0;
      for (const seg of lineText.split(',')) {
        if (seg === '') continue;
        const v = decodeVlq(seg);
        col += v[0]!;
        if (v.length >= 4) {
          src += v[1]!;
          origLine += v[2]!;
          segs.push([col, src, origLine]);
        }
      }
      lines.push(segs);
    }
    result = { sources: raw.sources.map((s) => resolve(dirname(jsFile), s)), lines };
  }
  maps.set(jsFile, result);
  return result;
}

/** "src/model/mask.ts:123" for a frame in our compiled code; otherwise a short library location. */
function location(frame: CallFrame): string {
  const url = frame.url;
  if (url === '') return '';
  if (url.startsWith('node:')) return url;
  const file = url.startsWith('file://') ? fileURLToPath(url) : url;
  const nm = file.lastIndexOf('node_modules/');
  if (nm >= 0) return `${file.slice(nm + 13).split('/').slice(0, 1).join('/')}/…/${basename(file)}`;
  const map = file.startsWith(REPO_ROOT) ? sourceMap(file) : null;
  const segs = map?.lines[frame.lineNumber];
  if (map && segs && segs.length > 0) {
    let best = segs[0]!;
    for (const s of segs) if (s[0] <= frame.columnNumber) best = s;
    return `${map.sources[best[1]]!.slice(REPO_ROOT.length + 1)}:${best[2] + 1}`;
  }
  return `${file.startsWith(REPO_ROOT) ? file.slice(REPO_ROOT.length + 1) : file}:${frame.lineNumber + 1}`;
}

function fileOf(loc: string): string {
  const i = loc.lastIndexOf(':');
  return i > 0 && /^\d+$/.test(loc.slice(i + 1)) ? loc.slice(0, i) : loc;
}

// ---- aggregation --------------------------------------------------------------------------------

export function summarize(files: string[], label: string, top = 12): ProfileSummary {
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  const byFile = new Map<string, number>();
  let busy = 0;
  let idle = 0;
  for (const f of files) {
    const prof = JSON.parse(readFileSync(f, 'utf8')) as CpuProfile;
    const nodes = new Map<number, ProfileNode>();
    const parent = new Map<number, number>();
    for (const n of prof.nodes) {
      nodes.set(n.id, n);
      for (const c of n.children ?? []) parent.set(c, n.id);
    }
    const keyCache = new Map<number, { key: string; file: string }>();
    const keyOf = (id: number): { key: string; file: string } => {
      let k = keyCache.get(id);
      if (!k) {
        const cf = nodes.get(id)!.callFrame;
        const loc = location(cf);
        k = { key: `${cf.functionName || '(anonymous)'}${loc ? ` ${loc}` : ''}`, file: loc ? fileOf(loc) : cf.functionName };
        keyCache.set(id, k);
      }
      return k;
    };
    // Samples inside the bench's own profiler start/stop calls (inspector dispatch) are not the workload.
    const excludedCache = new Map<number, boolean>();
    const excluded = (id: number): boolean => {
      let v = excludedCache.get(id);
      if (v === undefined) {
        const k = keyOf(id).key;
        const p = parent.get(id);
        v = /^(dispatch|startProfile|stopProfile)( |$)/.test(k) || (p !== undefined && excluded(p));
        excludedCache.set(id, v);
      }
      return v;
    };
    for (let i = 0; i < prof.samples.length; i++) {
      // timeDeltas[i] is the time since the previous sample; charge it to this sample's stack.
      const dt = (prof.timeDeltas[i] ?? 0) / 1000;
      const id = prof.samples[i]!;
      if (excluded(id)) continue;
      const leaf = keyOf(id);
      // piscina's workers wait for tasks in Atomics.wait: idle, not work.
      if (leaf.key === '(idle)' || leaf.key.startsWith('atomicsWaitLoop ')) {
        idle += dt;
        continue;
      }
      busy += dt;
      self.set(leaf.key, (self.get(leaf.key) ?? 0) + dt);
      byFile.set(leaf.file, (byFile.get(leaf.file) ?? 0) + dt);
      const seen = new Set<string>();
      for (let n: number | undefined = id; n !== undefined; n = parent.get(n)) {
        const k = keyOf(n).key;
        if (k === '(root)' || seen.has(k)) continue;
        seen.add(k);
        total.set(k, (total.get(k) ?? 0) + dt);
      }
    }
  }
  const rank = (m: Map<string, number>, filter: (k: string) => boolean = () => true): Entry[] =>
    [...m]
      .filter(([k]) => filter(k))
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, ms]) => ({ name, ms, share: busy > 0 ? ms / busy : 0 }));
  return {
    label,
    busyMs: busy,
    idleMs: idle,
    self: rank(self),
    // Inclusive time is only informative for our own functions (runtime frames include everything).
    total: rank(total, (k) => / (src|bench|test)\//.test(k)),
    files: rank(byFile),
  };
}

/** Files written by node --cpu-prof in `dir` (main thread: thread id 0 in the name; workers: others). */
export function profileFiles(dir: string): { main: string[]; workers: string[] } {
  const all = existsSync(dir) ? readdirSync(dir).filter((f) => f.startsWith('CPU.') && f.endsWith('.cpuprofile')) : [];
  const main: string[] = [];
  const workers: string[] = [];
  for (const f of all) {
    // CPU.<date>.<time>.<pid>.<thread id>.<seq>.cpuprofile
    const parts = f.split('.');
    (parts[4] === '0' ? main : workers).push(join(dir, f));
  }
  return { main, workers };
}

function pct(x: number): string {
  return `${(x * 100).toFixed(1)}%`;
}

export function formatSummary(s: ProfileSummary): string {
  const lines = [`  profile: ${s.label} — ${(s.busyMs / 1000).toFixed(2)} s busy, ${(s.idleMs / 1000).toFixed(2)} s idle (shares are of busy time)`];
  lines.push('    self time:');
  for (const e of s.self) lines.push(`      ${pct(e.share).padStart(6)}  ${e.name}`);
  if (s.total.length > 0) {
    lines.push('    total time (our functions, including callees):');
    for (const e of s.total) lines.push(`      ${pct(e.share).padStart(6)}  ${e.name}`);
  }
  lines.push('    self time by file:');
  for (const e of s.files.slice(0, 8)) lines.push(`      ${pct(e.share).padStart(6)}  ${e.name}`);
  return lines.join('\n');
}

/** Splits a daemon's worker-thread profiles by what they ran: training tasks or scoring tasks. */
export function splitDaemonWorkers(files: string[]): { train: string[]; score: string[]; other: string[] } {
  const out = { train: [] as string[], score: [] as string[], other: [] as string[] };
  for (const f of files) {
    const names = new Set((JSON.parse(readFileSync(f, 'utf8')) as CpuProfile).nodes.map((n) => n.callFrame.functionName));
    (names.has('trainHost') ? out.train : names.has('scoreBatch') ? out.score : out.other).push(f);
  }
  return out;
}

/** Summaries of a daemon's profiles: scoring threads, training threads, main thread. */
export function formatDaemonProfiles(dir: string, label: string): string {
  const files = profileFiles(dir);
  const w = splitDaemonWorkers(files.workers);
  const parts: string[] = [];
  if (w.score.length > 0) parts.push(formatSummary(summarize(w.score, `${label}: scoring threads (${w.score.length})`)));
  if (w.train.length > 0) parts.push(formatSummary(summarize(w.train, `${label}: training threads (${w.train.length})`)));
  if (w.other.length > 0) parts.push(formatSummary(summarize(w.other, `${label}: other worker threads (${w.other.length})`)));
  parts.push(formatSummary(summarize(files.main, `${label}: main thread (supervisor)`)));
  return parts.join('\n');
}
