// Process measurements for the benchmark (Linux /proc) and running a bench child process that
// prints its result as one JSON line.
import { execFileSync, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

let clockTicks: number | null = null;

function ticksPerSecond(): number {
  if (clockTicks === null) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

/** CPU seconds (user + system, all threads) a live process has used; NaN when unreadable. */
export function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // After "pid (comm) ": state is field 0, utime field 11, stime field 12.
    return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond();
  } catch {
    return NaN;
  }
}

/** A field of /proc/PID/status in bytes (VmRSS, VmHWM...); NaN when unreadable. */
export function statusBytes(pid: number | 'self', field: 'VmRSS' | 'VmHWM'): number {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : NaN;
  } catch {
    return NaN;
  }
}

/** The pid of the process whose command line contains `needle` (e.g. FerretDB's listen address). */
export function findPid(needle: string): number | null {
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const cmd = readFileSync(`/proc/${name}/cmdline`, 'utf8').replace(/\0/g, ' ');
      if (cmd.includes(needle)) return Number(name);
    } catch {
      // gone meanwhile
    }
  }
  return null;
}

export function cpuModel(): string {
  try {
    const m = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    return m ? m[1]!.trim() : 'unknown';
  } catch {
    return 'unknown';
  }
}

export const CHILD = new URL('./perf-child.js', import.meta.url).pathname;

/**
 * Runs `node [nodeArgs] perf-child.js args...` and returns the JSON object it prints on its last
 * stdout line. Children keep each measurement's memory figures free of the parent's heap.
 */
export function runChild<T>(args: string[], nodeArgs: string[] = [], timeoutMs = 600_000): Promise<T> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, [...nodeArgs, CHILD, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-4000)));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      const last = out.trim().split('\n').pop() ?? '';
      if (code !== 0) {
        reject(new Error(`bench child ${args[0]} exited with ${code ?? signal}: ${err.trim() || last}`));
        return;
      }
      try {
        resolveRun(JSON.parse(last) as T);
      } catch {
        reject(new Error(`bench child ${args[0]} printed no result: ${out.slice(-500)} ${err}`));
      }
    });
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((res) => setTimeout(res, ms));
}

/**
 * The speed of the machine's threads, for comparing figures measured on different machines:
 * `oneThreadMs`, the time one thread takes for a fixed loop (3e8 steps), and `speedup`, how much
 * faster two such threads finish twice the work (2.0 = two real cores). Virtual machines may
 * report two CPUs that deliver far less than that, or CPUs several times slower than their name
 * suggests: the loop shows both.
 */
export async function threadSpeed(): Promise<{ oneThreadMs: number; speedup: number }> {
  const { Worker } = await import('node:worker_threads');
  const code = `const { parentPort } = require('node:worker_threads');
    let s = 0; for (let i = 0; i < 3e8; i++) s += i % 7; parentPort.postMessage(s);`;
  const spin = (): Promise<void> =>
    new Promise((res, rej) => {
      const w = new Worker(code, { eval: true });
      w.once('message', () => void w.terminate().then(() => res()));
      w.once('error', rej);
    });
  await spin();
  let t = performance.now();
  await spin();
  const one = performance.now() - t;
  t = performance.now();
  await Promise.all([spin(), spin()]);
  const two = performance.now() - t;
  return { oneThreadMs: one, speedup: (2 * one) / two };
}

/** Machine-wide CPU seconds from /proc/stat: all, busy (not idle or iowait), and stolen by the hypervisor. */
export function machineCpu(): { total: number; busy: number; steal: number } {
  try {
    const v = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal (guest time is already inside user)
    const total = v.slice(0, 8).reduce((a, b) => a + b, 0);
    const hz = ticksPerSecond();
    return { total: total / hz, busy: (total - v[3]! - v[4]! - v[7]!) / hz, steal: v[7]! / hz };
  } catch {
    return { total: NaN, busy: NaN, steal: NaN };
  }
}

/**
 * CPU seconds used by this process and all its descendants (live ones, and those already reaped,
 * which the kernel adds to the parent's cutime/cstime).
 */
export function treeCpuSeconds(): number {
  const procs = new Map<number, { ppid: number; cpu: number }>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      procs.set(Number(name), { ppid: Number(f[1]), cpu: Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]) });
    } catch {
      // gone meanwhile
    }
  }
  let sum = 0;
  const todo = [process.pid];
  while (todo.length > 0) {
    const pid = todo.pop()!;
    sum += procs.get(pid)?.cpu ?? 0;
    for (const [child, p] of procs) if (p.ppid === pid) todo.push(child);
  }
  return sum / ticksPerSecond();
}

export interface CpuShare {
  machine: ReturnType<typeof machineCpu>;
  ours: number;
}

export function cpuShareStart(): CpuShare {
  return { machine: machineCpu(), ours: treeCpuSeconds() };
}

/** "bench 40.1 s, other processes 12.0 s, stolen 0.0 s of 120 s (2 CPUs)" since `from`. */
export function cpuShareSince(from: CpuShare): string {
  const m = machineCpu();
  const ours = treeCpuSeconds() - from.ours;
  const busy = m.busy - from.machine.busy;
  const total = m.total - from.machine.total;
  const other = Math.max(0, busy - ours);
  return `CPU meanwhile: bench and its children ${ours.toFixed(1)} s, other processes ${other.toFixed(1)} s, stolen by the hypervisor ${(m.steal - from.machine.steal).toFixed(1)} s, of ${total.toFixed(0)} CPU-s available`;
}

/** Threads of a live process (main thread, worker threads, libuv and V8 helpers); NaN when unreadable. */
export function threadCount(pid: number): number {
  try {
    const m = /^Threads:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : NaN;
  } catch {
    return NaN;
  }
}
