// `npm run demo`: trains one model per host on generated "normal" history, scores a recent
// stream with injected real-world incidents, and prints what was flagged. No database needed.
//
//   node dist/src/demo/run-demo.js [--seed N] [--out DIR] [--threshold X]
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { DEFAULT_THRESHOLD, type HostModel } from '../model/detector.js';
import { ModelTrainer } from '../model/trainer.js';
import { DEFAULT_SEED, formatRecord, generateSampleLogs, type SampleLogs, type SampleOptions } from './sample-logs.js';

export interface DemoOptions extends SampleOptions {
  /** Where the sample files go. Default: .cache/demo in the package directory (else a temp dir). */
  outDir?: string;
  /** Anomaly threshold. Default: the model's DEFAULT_THRESHOLD. */
  threshold?: number;
  /** Output sink; default process.stdout. */
  write?: (text: string) => void;
  /** Table width in characters. Default: the terminal's, at least 100 (160 when not a terminal). */
  width?: number;
}

export interface DemoAnomaly {
  timestamp: Date;
  host: string;
  score: number;
  reasons: string[];
  template: string;
  line: string;
  /** Id of the injected incident the line belongs to; absent for a normal line (a false positive). */
  incident?: string;
}

export interface DemoIncidentResult {
  id: string;
  host: string;
  title: string;
  lines: number;
  /** How many of its lines were flagged. */
  flagged: number;
}

export interface DemoResult {
  seed: number;
  hosts: string[];
  trainingLines: number;
  scoredLines: number;
  /** Recent lines that are not part of an injected incident. */
  normalLines: number;
  threshold: number;
  anomalies: DemoAnomaly[];
  incidents: DemoIncidentResult[];
  /** Normal lines flagged. */
  falsePositives: number;
  outDir: string;
  /** The offline scorer command for one host, as printed. */
  scoreCommand: string;
}

const PACKAGE_DIR = fileURLToPath(new URL('../../../', import.meta.url));

/** Writes the sample logs: per host train/HOST.log and recent/HOST.log (messages, one per line). */
function writeSamples(dir: string, logs: SampleLogs): void {
  mkdirSync(join(dir, 'train'), { recursive: true });
  mkdirSync(join(dir, 'recent'), { recursive: true });
  for (const host of logs.hosts) {
    const train = logs.training.filter((r) => r.host === host).map((r) => `${r.message}\n`);
    const recent = logs.recent.filter((r) => r.host === host).map((r) => `${r.message}\n`);
    writeFileSync(join(dir, 'train', `${host}.log`), train.join(''));
    writeFileSync(join(dir, 'recent', `${host}.log`), recent.join(''));
  }
  // The same lines with time and host, for reading.
  writeFileSync(join(dir, 'training.log'), logs.training.map((r) => `${formatRecord(r)}\n`).join(''));
  writeFileSync(join(dir, 'recent.log'), logs.recent.map((r) => `${formatRecord(r)}\n`).join(''));
  writeFileSync(
    join(dir, 'incidents.json'),
    `${JSON.stringify(
      logs.recent.filter((r) => r.incident).map((r) => ({ incident: r.incident, timestamp: r.timestamp, host: r.host, message: r.message })),
      null,
      2,
    )}\n`,
  );
}

function defaultOutDir(): string {
  const preferred = join(PACKAGE_DIR, '.cache', 'demo');
  try {
    mkdirSync(preferred, { recursive: true });
    return preferred;
  } catch {
    // Read-only install (e.g. /opt/anomaly_detector): use a temporary directory.
    return mkdtempSync(join(tmpdir(), 'anomaly-detector-demo-'));
  }
}

/** A path as the user should type it: relative to the current directory when inside it. */
function displayPath(p: string): string {
  const rel = relative(process.cwd(), p);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : p;
}

function shellQuote(s: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

function truncate(s: string, width: number): string {
  const flat = s.replace(/\t/g, ' ');
  if (width <= 1) return '';
  return flat.length <= width ? flat : `${flat.slice(0, width - 1)}…`;
}

function table(rows: string[][], widths: number[]): string {
  return rows
    .map((cells) =>
      cells
        .map((c, i) => (i === cells.length - 1 ? truncate(c, widths[i]) : truncate(c, widths[i]).padEnd(widths[i])))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** Runs the demo and prints its report; returns what it found (for tests and scripting). */
export async function runDemo(options: DemoOptions = {}): Promise<DemoResult> {
  const write = options.write ?? ((text: string) => void process.stdout.write(text));
  const threshold = options.threshold ?? DEFAULT_THRESHOLD;
  const logs = generateSampleLogs(options);
  const outDir = options.outDir !== undefined ? resolve(options.outDir) : defaultOutDir();
  writeSamples(outDir, logs);

  write(
    `Sample logs: ${logs.training.length} training lines and ${logs.recent.length} recent lines ` +
      `from ${logs.hosts.length} hosts (${logs.hosts.join(', ')}), seed ${logs.seed}\n` +
      `  written to ${displayPath(outDir)}/ (train/HOST.log, recent/HOST.log, training.log, recent.log)\n`,
  );

  // One model per host, as the daemon does.
  const started = performance.now();
  const models = new Map<string, HostModel>();
  for (const host of logs.hosts) {
    const trainer = new ModelTrainer();
    for (const r of logs.training) if (r.host === host) trainer.add(r.message);
    models.set(host, trainer.finish());
  }
  const trainedMs = performance.now() - started;

  const anomalies: DemoAnomaly[] = [];
  for (const r of logs.recent) {
    const model = models.get(r.host);
    if (!model) continue;
    const s = model.score(r.message);
    if (s.score >= threshold) {
      const a: DemoAnomaly = {
        timestamp: r.timestamp,
        host: r.host,
        score: s.score,
        reasons: [...s.reasons],
        template: s.template,
        line: r.message,
      };
      if (r.incident) a.incident = r.incident;
      anomalies.push(a);
    }
  }
  const scoredMs = performance.now() - started - trainedMs;

  const incidents: DemoIncidentResult[] = logs.incidents.map((inc) => ({
    ...inc,
    flagged: anomalies.filter((a) => a.incident === inc.id).length,
  }));
  const normalLines = logs.recent.filter((r) => !r.incident).length;
  const falsePositives = anomalies.filter((a) => !a.incident).length;

  // The anomaly table.
  const width = Math.max(100, options.width ?? (process.stdout.isTTY ? process.stdout.columns ?? 160 : 160));
  const header = ['TIME', 'HOST', 'SCORE', 'REASONS', 'INCIDENT', 'LINE'];
  const rows = anomalies.map((a) => [
    a.timestamp.toISOString().slice(11, 19),
    a.host,
    a.score.toFixed(2),
    a.reasons.join(',') || '-',
    a.incident ?? '(normal)',
    a.line,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (i === header.length - 1 ? 0 : r[i].length))));
  widths[3] = Math.min(widths[3], 40);
  const fixed = widths.slice(0, -1).reduce((s, w) => s + w + 2, 0);
  widths[widths.length - 1] = Math.max(20, width - fixed);
  write(`\nAnomalies (score >= ${threshold.toFixed(2)}), in time order:\n\n`);
  write(`${table([header, ...rows], widths)}\n\n`);

  write('Injected incidents:\n');
  for (const inc of incidents) {
    const mark = inc.flagged > 0 ? 'flagged' : 'MISSED ';
    write(`  ${mark}  ${inc.id.padEnd(16)} ${inc.host.padEnd(11)} ${inc.flagged}/${inc.lines} lines  ${inc.title}\n`);
  }
  const caught = incidents.filter((i) => i.flagged > 0).length;
  write(
    `\nSummary: ${logs.recent.length} lines scored, ${anomalies.length} anomalies flagged ` +
      `(threshold ${threshold.toFixed(2)}); incidents caught ${caught}/${incidents.length}; ` +
      `normal lines flagged ${falsePositives}/${normalLines}. ` +
      `Training ${Math.round(trainedMs)} ms, scoring ${Math.round(scoredMs)} ms.\n`,
  );

  // The offline scorer on the host with the most flagged lines.
  const counts = new Map<string, number>();
  for (const a of anomalies) counts.set(a.host, (counts.get(a.host) ?? 0) + 1);
  const host = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? logs.hosts[0];
  const trainFile = shellQuote(displayPath(join(outDir, 'train', `${host}.log`)));
  const inputFile = shellQuote(displayPath(join(outDir, 'recent', `${host}.log`)));
  const cli = displayPath(join(PACKAGE_DIR, 'dist', 'src', 'cli.js'));
  // The same threshold as the table above, so that the command flags the same lines.
  const thresholdOption = threshold === DEFAULT_THRESHOLD ? '' : ` --threshold ${threshold}`;
  const scoreCommand = `anomaly-detector score --train ${trainFile}${thresholdOption} ${inputFile}`;
  write(
    `\nTry the offline scorer yourself (one host, one JSON object per line):\n` +
      `  node ${shellQuote(cli)} score --train ${trainFile}${thresholdOption} ${inputFile}\n` +
      `  # installed: ${scoreCommand}\n` +
      `  # mined templates: node ${shellQuote(cli)} templates ${trainFile}\n`,
  );

  return {
    seed: logs.seed,
    hosts: logs.hosts,
    trainingLines: logs.training.length,
    scoredLines: logs.recent.length,
    normalLines,
    threshold,
    anomalies,
    incidents,
    falsePositives,
    outDir,
    scoreCommand,
  };
}

function parseCli(argv: string[]): DemoOptions | string {
  const opts: DemoOptions = {};
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s, 2);
    const value = (): string | undefined => inline ?? argv[++i];
    switch (flag) {
      case '--seed': {
        const v = Number(value());
        if (!Number.isInteger(v) || v < 0) return '--seed needs a non-negative integer';
        opts.seed = v;
        break;
      }
      case '--out': {
        const v = value();
        if (!v) return '--out needs a directory';
        opts.outDir = v;
        break;
      }
      case '--threshold': {
        const v = Number(value());
        if (!(v >= 0 && v <= 1)) return '--threshold needs a number from 0 to 1';
        opts.threshold = v;
        break;
      }
      case '-h':
      case '--help':
        return '';
      default:
        return `unknown argument: ${argv[i]}`;
    }
  }
  return opts;
}

const isMain = process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href;
if (isMain) {
  const parsed = parseCli(process.argv.slice(2));
  if (typeof parsed === 'string') {
    const usage = `Usage: node dist/src/demo/run-demo.js [--seed N] [--out DIR] [--threshold X]\n` +
      `  --seed N       sample-log seed (default ${DEFAULT_SEED})\n` +
      `  --out DIR      where to write the sample logs (default .cache/demo)\n` +
      `  --threshold X  anomaly threshold 0..1 (default ${DEFAULT_THRESHOLD})\n`;
    if (parsed === '') {
      process.stdout.write(usage);
    } else {
      process.stderr.write(`${parsed}\n${usage}`);
      process.exitCode = 2;
    }
  } else {
    runDemo(parsed).catch((err: unknown) => {
      // A file system error (an --out that cannot be created) is the user's to fix: its message says
      // which path; anything else is a bug, whose stack helps.
      const known = err instanceof Error && typeof (err as NodeJS.ErrnoException).code === 'string';
      process.stderr.write(`demo failed: ${err instanceof Error ? (known ? err.message : err.stack ?? err.message) : String(err)}\n`);
      process.exitCode = 1;
    });
  }
}
