// Per source and host: model, checkpoint, lag, anomalies of the last 24 hours. Read-only.
import { BSON } from 'mongodb';
import { loadConfig } from '../config/load.js';
import { ConfigError } from '../config/schema.js';
import { newClient } from '../mongo/client.js';
import { loadCheckpoint } from '../mongo/checkpoints.js';
import { ModelFileError, modelFilePath, readModelHeader } from '../store/model-files.js';
import { MODEL_FORMAT_VERSION } from '../model/snapshot.js';
import { hostLag } from '../supervisor/lag.js';
import { commandArgs } from './args.js';
import { EXIT_CONFIG } from './usage.js';

interface Io {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

export interface HostStatus {
  source: string;
  host: string;
  model: { version: string; trainedAt: string; ageHours: number; lines: number; templates: number } | null;
  modelProblem?: string;
  /** The host's model file (names are encoded: model-files.ts). */
  modelFile: string;
  /** The last scored line's id in relaxed Extended JSON (`{"$oid": "..."}` for an ObjectId), or null before the first. */
  checkpoint: unknown;
  linesScored: number;
  lag: number | null;
  anomalies24h: number | null;
}

export async function runStatus(args: string[], io: Io): Promise<number> {
  const usage = 'usage: anomaly-detector status --config FILE [--environment-file ENV_FILE] [--json]\n';
  const parsed = commandArgs('status', usage, args, { config: true, 'environment-file': true, json: false }, io);
  if (typeof parsed === 'number') return parsed;
  const file = parsed.options.get('config');
  if (file?.length !== 1 || parsed.positional.length > 0) return parsed.fail('exactly one --config FILE is required');
  let config;
  try {
    config = loadConfig(file[0]!, parsed.options.get('environment-file'));
  } catch (err) {
    if (err instanceof ConfigError) {
      io.stderr.write(`${err.message}\n`);
      return EXIT_CONFIG;
    }
    throw err;
  }
  const client = newClient(config.mongoUri);
  const rows: HostStatus[] = [];
  try {
    const since = new Date(Date.now() - 86_400_000);
    for (const source of config.sources) {
      for (const host of source.hostnames) {
        const modelFile = modelFilePath(config.modelDir, source.name, host);
        const row: HostStatus = { source: source.name, host, model: null, modelFile, checkpoint: null, linesScored: 0, lag: null, anomalies24h: null };
        try {
          const h = await readModelHeader(modelFile);
          // The daemon retrains a model of another format at start: shown as trained, it was not used.
          if (h && h.format !== MODEL_FORMAT_VERSION) row.modelProblem = `${modelFile}: model format ${h.format} is not ${MODEL_FORMAT_VERSION}: the daemon retrains it`;
          else if (h) {
            const ageHours = (Date.now() - Date.parse(h.trainedAt)) / 3_600_000;
            row.model = { version: h.version, trainedAt: h.trainedAt, ageHours: Math.round(ageHours * 10) / 10, lines: h.lines, templates: h.templates };
          }
        } catch (err) {
          row.modelProblem = err instanceof ModelFileError ? err.message : (err as Error).message;
        }
        const cp = await loadCheckpoint(client, { db: config.targetDb, collection: config.stateCollection }, source.name, host);
        if (cp) {
          // A value, not a JSON string inside the JSON output.
          row.checkpoint = cp.last_id === null || cp.last_id === undefined ? null : BSON.EJSON.serialize({ id: cp.last_id }).id;
          row.linesScored = cp.lines_scored ?? 0;
          row.lag = await hostLag(client, config, source.name, host, cp.last_id == null ? null : BSON.EJSON.stringify(cp.last_id, { relaxed: false }));
        }
        row.anomalies24h = await client
          .db(config.targetDb)
          .collection(source.targetCollection)
          .countDocuments({ source: source.name, [config.fields.hostname]: host, detected_at: { $gte: since } });
        rows.push(row);
      }
    }
  } catch (err) {
    io.stderr.write(`status: cannot read from MongoDB: ${(err as Error).message}\n`);
    return 1;
  } finally {
    await client.close().catch(() => undefined);
  }
  io.stdout.write(parsed.options.has('json') ? `${JSON.stringify(rows, null, 2)}\n` : formatTable(rows));
  return 0;
}

function formatTable(rows: HostStatus[]): string {
  const header = ['SOURCE', 'HOST', 'MODEL TRAINED', 'AGE(h)', 'TRAIN LINES', 'TEMPLATES', 'SCORED', 'LAG', 'ANOMALIES 24h', 'CHECKPOINT'];
  const body = rows.map((r) => [
    r.source,
    r.host,
    r.model ? r.model.trainedAt : r.modelProblem ? 'unusable' : 'none',
    r.model ? String(r.model.ageHours) : '-',
    r.model ? String(r.model.lines) : '-',
    r.model ? String(r.model.templates) : '-',
    String(r.linesScored),
    r.lag === null ? '-' : String(r.lag),
    r.anomalies24h === null ? '-' : String(r.anomalies24h),
    r.checkpoint === null ? '(start)' : JSON.stringify(r.checkpoint),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const fmt = (cols: string[]): string => cols.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  // Why a model is unusable (an unreadable directory when not run as root, a damaged file).
  const notes = rows.filter((r) => r.modelProblem !== undefined).map((r) => `${r.source} ${r.host}: model unusable: ${r.modelProblem}`);
  return `${[fmt(header), ...body.map(fmt)].join('\n')}\n${notes.length > 0 ? `\n${notes.join('\n')}\n` : ''}`;
}
