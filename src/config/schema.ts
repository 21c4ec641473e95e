// The one place where configuration keys, their types and their defaults live.
// Validation collects every problem with its key path instead of stopping at the first.
import { posix } from 'node:path';
import { cronProblem } from './cron.js';
import { codePoint, strayCharacters, visible } from './names.js';
import { isHost, isHostOrAddress } from './host-name.js';
import { cpus } from 'node:os';
import { DEFAULT_THRESHOLD } from '../model/detector.js';
import type { MaskRuleConfig } from '../model/types.js';
import { maskRuleProblem, patternProblem } from '../model/mask.js';
import { OWN_FIELDS } from '../mongo/own-fields.js';

/** One input collection and the hosts watched in it. */
export interface SourceConfig {
  /** Input collection name in MG_INPUT_DB (the key under LOG_SOURCES). */
  name: string;
  hostnames: string[];
  /** Collection in MG_TARGET_DB receiving this source's anomalies. */
  targetCollection: string;
  /** Anomaly threshold for this source (falls back to the global THRESHOLD). */
  threshold: number;
  /** Extra masking rules for this source's lines (added to the global EXTRA_MASKS). */
  extraMasks: MaskRuleConfig[];
  /** Regular expressions (sources); a line whose message matches one is never written as an anomaly. */
  ignore: string[];
}

/** The input documents' fields the daemon reads (and copies into anomaly documents). */
export interface InputFields {
  message: string;
  hostname: string;
  timestamp: string;
  level?: string;
}

/** The resolved, validated configuration the daemon runs with. */
export interface DaemonConfig {
  /** Full connection string; secret: log only through redactUri(). */
  mongoUri: string;
  /** Where the connection string came from, for check-config output. */
  mongoUriOrigin: string;
  inputDb: string;
  targetDb: string;
  stateCollection: string;
  /** `level`: LEVEL_FIELD, absent when not set. */
  fields: InputFields;
  trainingWindowDays: number;
  maxTrainingLines: number;
  minTrainingLines: number;
  untrainedRetrySeconds: number;
  pollIntervalMs: number;
  batchSize: number;
  settleSeconds: number;
  threshold: number;
  retrainCron: string;
  modelDir: string;
  maxTemplates: number;
  logLevel: LogLevel;
  workers: number;
  /** WORKERS was not set: the pool size follows the host count at start (a reload keeps the pool). */
  workersFromHosts: boolean;
  httpListen: { host: string; port: number } | null;
  createInputIndexes: boolean;
  sources: SourceConfig[];
}

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';
const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'];

export { DEFAULT_THRESHOLD };

/** Defaults of every optional top-level key. README's configuration table mirrors this. */
export const DEFAULTS = {
  STORAGE_DATASOURCE: 'mg',
  STORAGE_DATASINK: 'mg',
  MG_HOST: 'localhost',
  MG_PORT: 27017,
  MESSAGE_FIELD: 'Message',
  HOSTNAME_FIELD: 'Hostname',
  TIMESTAMP_FIELD: 'timestamp',
  LEVEL_FIELD: '',
  STATE_COLLECTION: 'anomaly_detector_state',
  TRAINING_WINDOW_DAYS: 30,
  MAX_TRAINING_LINES: 1_000_000,
  MIN_TRAINING_LINES: 100,
  UNTRAINED_RETRY_SECONDS: 300,
  POLL_INTERVAL_SECONDS: 1,
  BATCH_SIZE: 2000,
  SETTLE_SECONDS: 0,
  THRESHOLD: DEFAULT_THRESHOLD,
  RETRAIN_CRON: '0 3 * * 0',
  MODEL_DIR: '/var/lib/anomaly_detector/models',
  MAX_TEMPLATES: 5000,
  LOG_LEVEL: 'info' as LogLevel,
  HTTP_LISTEN: '',
  CREATE_INPUT_INDEXES: false,
} as const;

const TOP_KEYS = new Set([
  ...Object.keys(DEFAULTS),
  'MG_INPUT_DB',
  'MG_TARGET_DB',
  'MONGODB_URI',
  'MONGODB_URI_FILE',
  'WORKERS',
  'EXTRA_MASKS',
  'IGNORE',
  'LOG_SOURCES',
]);
const SOURCE_KEYS = new Set(['HOSTNAMES', 'MG_TARGET_COL', 'THRESHOLD', 'EXTRA_MASKS', 'IGNORE']);

export interface ConfigProblem {
  path: string;
  message: string;
}

/** Thrown for a configuration that cannot run; carries every problem found. */
export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly problems: ConfigProblem[],
  ) {
    super(`${file}: invalid configuration:\n${problems.map((p) => `  ${p.path}: ${p.message}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Inputs that come from outside the YAML file (environment, resolved by config/load.ts). */
export interface ExternalInputs {
  /** Directory of the config file, for resolving relative paths. */
  baseDir: string;
  /** MONGODB_URI from the environment, if set. */
  envUri?: string;
  /** MONGODB_URI_FILE from the environment, if set. */
  envUriFile?: string;
  /** Connection string read from a file named by MONGODB_URI_FILE (env or YAML). */
  readUriFile: (path: string) => string;
  /** What is wrong with this connection string (unparsable, unreadable TLS files); parsed, not connected. */
  uriProblems?: (uri: string) => string[];
  cpuCount?: number;
}

type Dict = Record<string, unknown>;

function isDict(v: unknown): v is Dict {
  // YAML's !!binary is a Uint8Array, !!timestamp a Date, !!set and !!omap a Set and a Map: objects,
  // but no mapping of keys.
  if (typeof v !== 'object' || v === null) return false;
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return v.length === 0 ? 'an empty list' : 'a list';
  if (ArrayBuffer.isView(v)) return 'binary data';
  if (v instanceof Date) return `a date (${Number.isNaN(v.getTime()) ? 'invalid' : v.toISOString()})`;
  if (v instanceof Set) return 'a set (!!set)';
  if (v instanceof Map) return 'an ordered mapping (!!omap or !!pairs): write a plain mapping';
  if (isDict(v)) return Object.keys(v).length === 0 ? 'an empty mapping' : 'a mapping';
  if (typeof v === 'number') return `number ${String(v)}`;
  return `${typeof v} ${JSON.stringify(v)}`;
}

/** `KEY:` with nothing after it is null in YAML: the key counts as not set, at every level. */
function withoutNulls(d: Dict): Dict {
  // No prototype: a key `__proto__` is then a key like any other (reported as unknown), instead of
  // an assignment that makes its mapping the prototype and hides its keys from validation.
  const out: Dict = Object.create(null) as Dict;
  for (const [k, v] of Object.entries(d)) if (v !== null) out[k] = v;
  return out;
}

/** `unknown key`, with the known key it is most likely a typo of (`THRESHHOLD`: THRESHOLD). */
function unknownKey(key: string, known: ReadonlySet<string>): string {
  let best = '';
  let bestDistance = Infinity;
  for (const k of known) {
    const d = editDistance(key.toUpperCase(), k);
    if (d < bestDistance) {
      bestDistance = d;
      best = k;
    }
  }
  // At most a third of the key's letters wrong: `FOO` is not a typo of `LOG_LEVEL`.
  const hint = bestDistance <= Math.max(1, Math.floor(best.length / 3)) ? ` (did you mean ${best}?)` : '';
  // `MG_TARGET_COL ` (a no-break space pasted with it) looks like the key it is suggested.
  const stray = strayCharacters(key);
  return stray === null ? `unknown key${hint}` : `unknown key${hint}: ${stray}`;
}

/** Levenshtein distance. */
function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur.push(Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1)));
    prev = cur;
  }
  return prev[b.length]!;
}

/** Validates the parsed YAML document; throws ConfigError listing every problem. */
export function validateConfig(parsed: unknown, file: string, ext: ExternalInputs): DaemonConfig {
  const problems: ConfigProblem[] = [];
  const fail = (path: string, message: string): void => {
    problems.push({ path, message });
  };
  if (parsed === null || parsed === undefined) {
    throw new ConfigError(file, [{ path: '(root)', message: 'the file is empty (or only comments): it needs at least MG_INPUT_DB, MG_TARGET_DB and LOG_SOURCES' }]);
  }
  if (!isDict(parsed)) {
    throw new ConfigError(file, [{ path: '(root)', message: `must be a mapping of keys, got ${describe(parsed)}` }]);
  }
  const doc = withoutNulls(parsed);
  for (const key of Object.keys(doc)) {
    if (!TOP_KEYS.has(key)) fail(key, unknownKey(key, TOP_KEYS));
  }

  const str = (key: string, fallback?: string): string => {
    const v = doc[key] ?? fallback;
    if (v === undefined) {
      fail(key, 'is required');
      return '';
    }
    if (typeof v !== 'string' || v.trim() === '') {
      fail(key, `must be a non-empty string, got ${describe(v)}`);
      return '';
    }
    return v;
  };
  const num = (key: string, fallback: number, min: number, max: number, integer = true): number => {
    const v = doc[key] ?? fallback;
    if (typeof v !== 'number' || Number.isNaN(v) || (integer && !Number.isInteger(v)) || v < min || v > max) {
      fail(key, `must be ${integer ? 'an integer' : 'a number'} from ${min} to ${max}, got ${describe(v)}`);
      return fallback;
    }
    return v;
  };
  const bool = (key: string, fallback: boolean): boolean => {
    const v = doc[key] ?? fallback;
    if (typeof v !== 'boolean') {
      fail(key, `must be true or false, got ${describe(v)}`);
      return fallback;
    }
    return v;
  };

  for (const key of ['STORAGE_DATASOURCE', 'STORAGE_DATASINK'] as const) {
    const v = str(key, DEFAULTS[key]);
    if (v && v !== 'mg') fail(key, `only "mg" (MongoDB) is supported, got ${JSON.stringify(v)}`);
  }

  const inputDb = checkDbName(str('MG_INPUT_DB'), 'MG_INPUT_DB', fail);
  const targetDb = checkDbName(str('MG_TARGET_DB'), 'MG_TARGET_DB', fail);
  if (inputDb !== targetDb && inputDb.toLowerCase() === targetDb.toLowerCase()) {
    fail('MG_TARGET_DB', `"${targetDb}" differs from MG_INPUT_DB "${inputDb}" only in letter case: MongoDB refuses a second database named so; use the same name or another one`);
  }
  if (SYSTEM_DBS.has(targetDb.toLowerCase())) fail('MG_TARGET_DB', `"${targetDb}" is one of MongoDB's own databases (admin, local, config): use a database of its own`);
  const stateCollection = checkCollectionName(str('STATE_COLLECTION', DEFAULTS.STATE_COLLECTION), 'STATE_COLLECTION', fail);
  const { uri, origin } = resolveUri(doc, ext, fail, str, num);

  const fields: InputFields = {
    message: checkFieldName(str('MESSAGE_FIELD', DEFAULTS.MESSAGE_FIELD), 'MESSAGE_FIELD', fail),
    hostname: checkFieldName(str('HOSTNAME_FIELD', DEFAULTS.HOSTNAME_FIELD), 'HOSTNAME_FIELD', fail),
    timestamp: checkFieldName(str('TIMESTAMP_FIELD', DEFAULTS.TIMESTAMP_FIELD), 'TIMESTAMP_FIELD', fail),
  };
  // Optional: "" (the default) is none.
  const level: unknown = doc.LEVEL_FIELD ?? DEFAULTS.LEVEL_FIELD;
  if (typeof level !== 'string') fail('LEVEL_FIELD', `must be a field name, or "" for none, got ${describe(level)}`);
  else if (level !== '') fields.level = checkFieldName(level, 'LEVEL_FIELD', fail);
  checkDistinctFields(fields, fail);

  const threshold = num('THRESHOLD', DEFAULTS.THRESHOLD, 0, 1, false);
  const retrainCron = str('RETRAIN_CRON', DEFAULTS.RETRAIN_CRON);
  const cronIssue = retrainCron ? cronProblem(retrainCron) : null;
  if (cronIssue) fail('RETRAIN_CRON', `${cronIssue}: ${JSON.stringify(retrainCron)}`);

  const logLevel = str('LOG_LEVEL', DEFAULTS.LOG_LEVEL) as LogLevel;
  if (logLevel && !LOG_LEVELS.includes(logLevel)) fail('LOG_LEVEL', `must be one of ${LOG_LEVELS.join(', ')}, got ${JSON.stringify(logLevel)}`);

  const modelDirRaw = str('MODEL_DIR', DEFAULTS.MODEL_DIR);
  const modelDirStray = strayCharacters(modelDirRaw);
  if (modelDirRaw && modelDirStray !== null) fail('MODEL_DIR', modelDirStray);
  // Only a shell expands `~`: here it would be a directory named ~ beside the configuration file.
  if (/^~(?:\/|$)/.test(modelDirRaw)) fail('MODEL_DIR', `${JSON.stringify(modelDirRaw)} starts with ~, which only a shell expands: give an absolute path such as ${DEFAULTS.MODEL_DIR}`);
  const modelDir = modelDirRaw.startsWith('/') ? modelDirRaw : `${ext.baseDir}/${modelDirRaw}`;
  // Kernel file systems refuse model files or hang on them (`run` hung under /proc); /dev/shm is
  // an ordinary tmpfs.
  const kernelFs = /^\/(proc|sys|dev(?!\/shm(?:\/|$)))(?:\/|$)/.exec(posix.resolve(modelDir));
  if (kernelFs) fail('MODEL_DIR', `is under /${kernelFs[1]}, a kernel file system: choose a directory on disk such as ${DEFAULTS.MODEL_DIR}`);

  const httpRaw = doc.HTTP_LISTEN ?? DEFAULTS.HTTP_LISTEN;
  const httpListen = parseListen(httpRaw, fail);

  const globalMasks = parseMasks(doc.EXTRA_MASKS, 'EXTRA_MASKS', fail);
  const globalIgnore = parseIgnore(doc.IGNORE, 'IGNORE', fail);
  // `LOG_SOURCES:` with its sources not indented under it holds nothing (null), and they read as top-level keys.
  if (parsed.LOG_SOURCES === null) fail('LOG_SOURCES', 'has nothing under it: indent its sources below it (input collection -> { HOSTNAMES, MG_TARGET_COL })');
  const sources = parsed.LOG_SOURCES === null ? [] : parseSources(doc.LOG_SOURCES, threshold, globalMasks, globalIgnore, fail);
  const hostCount = sources.reduce((n, s) => n + s.hostnames.length, 0);
  const cpuCount = ext.cpuCount ?? cpus().length;
  const workers =
    doc.WORKERS === undefined ? Math.max(1, Math.min(hostCount, cpuCount)) : num('WORKERS', 1, 1, 256);

  const config: DaemonConfig = {
    mongoUri: uri,
    mongoUriOrigin: origin,
    inputDb,
    targetDb,
    stateCollection,
    fields,
    trainingWindowDays: num('TRAINING_WINDOW_DAYS', DEFAULTS.TRAINING_WINDOW_DAYS, 1, 3650),
    maxTrainingLines: num('MAX_TRAINING_LINES', DEFAULTS.MAX_TRAINING_LINES, 1, 100_000_000),
    minTrainingLines: num('MIN_TRAINING_LINES', DEFAULTS.MIN_TRAINING_LINES, 1, 10_000_000),
    untrainedRetrySeconds: num('UNTRAINED_RETRY_SECONDS', DEFAULTS.UNTRAINED_RETRY_SECONDS, 1, 86_400),
    pollIntervalMs: Math.round(num('POLL_INTERVAL_SECONDS', DEFAULTS.POLL_INTERVAL_SECONDS, 0.05, 3600, false) * 1000),
    batchSize: num('BATCH_SIZE', DEFAULTS.BATCH_SIZE, 1, 100_000),
    settleSeconds: num('SETTLE_SECONDS', DEFAULTS.SETTLE_SECONDS, 0, 3600),
    threshold,
    retrainCron,
    modelDir,
    maxTemplates: num('MAX_TEMPLATES', DEFAULTS.MAX_TEMPLATES, 10, 1_000_000),
    logLevel,
    workers,
    workersFromHosts: doc.WORKERS === undefined,
    httpListen,
    createInputIndexes: bool('CREATE_INPUT_INDEXES', DEFAULTS.CREATE_INPUT_INDEXES),
    sources,
  };
  checkCollectionRoles(config, fail);
  // Compared only when both were read as written: a bad one is reported already, and a default
  // is named as one (a user who set only MAX_TRAINING_LINES: 50 did not write MIN_TRAINING_LINES).
  if (config.minTrainingLines > config.maxTrainingLines && !problems.some((p) => p.path.endsWith('_TRAINING_LINES'))) {
    if (doc.MIN_TRAINING_LINES === undefined) {
      fail('MAX_TRAINING_LINES', `must be at least MIN_TRAINING_LINES (${config.minTrainingLines}, its default), or set MIN_TRAINING_LINES lower`);
    } else {
      fail('MIN_TRAINING_LINES', `must not exceed MAX_TRAINING_LINES (${config.maxTrainingLines}${doc.MAX_TRAINING_LINES === undefined ? ', its default' : ''})`);
    }
  }
  if (problems.length > 0) throw new ConfigError(file, problems);
  return config;
}

type Fail = (path: string, message: string) => void;

function resolveUri(
  doc: Dict,
  ext: ExternalInputs,
  fail: Fail,
  str: (key: string, fallback?: string) => string,
  num: (key: string, fallback: number, min: number, max: number) => number,
): { uri: string; origin: string } {
  // Precedence: a connection string before a file naming one, the environment before the YAML
  // (systemd's EnvironmentFile keeps secrets out of the YAML): MONGODB_URI from the environment,
  // then from the YAML, then MONGODB_URI_FILE from the environment, then from the YAML. A relative
  // MONGODB_URI_FILE is relative to the config file either way, not to the daemon's working directory.
  let uri: string | undefined;
  let origin = '';
  /** The file the connection string was read from, which its problems name: the key's value is the file's path. */
  let uriFile: string | null = null;
  const fromFile = (path: string, originName: string): void => {
    const key = problemPath(originName);
    if (path.trim() === '') {
      // The YAML's "" is reported by str() already; the environment's is not.
      if (path !== '' || originName.startsWith('environment')) fail(key, 'must name a file holding the connection string');
      return;
    }
    try {
      uri = ext.readUriFile(path).trim();
      origin = originName;
      uriFile = path;
      if (uri === '') {
        // Reported once: the empty string is not also checked as a connection string.
        fail(key, `${path} is empty: it must hold the connection string`);
        uri = undefined;
      } else if (/[\r\n]/.test(uri)) {
        // Two strings (an old one left above a new one) would be taken as one, whose second line
        // ends up in the database name or an option.
        fail(key, `${path} holds more than one line: it must hold the connection string alone`);
        uri = undefined;
      }
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      fail(key, `cannot read ${path}: ${e.code ?? e.message}`);
    }
  };
  if (ext.envUri) {
    uri = ext.envUri;
    origin = 'environment MONGODB_URI';
  } else if (doc.MONGODB_URI !== undefined) {
    uri = str('MONGODB_URI');
    origin = 'MONGODB_URI';
    // str() said what is wrong with it: one problem, not also "must start with mongodb://".
    if (uri === '') return { uri, origin };
  } else if (ext.envUriFile) {
    fromFile(ext.envUriFile, 'environment MONGODB_URI_FILE');
  } else if (doc.MONGODB_URI_FILE !== undefined) {
    fromFile(str('MONGODB_URI_FILE'), 'MONGODB_URI_FILE');
  }
  if (uri === undefined) {
    // Read only when used: with a connection string, MG_HOST/MG_PORT are ignored (as documented).
    const host = str('MG_HOST', DEFAULTS.MG_HOST);
    const port = num('MG_PORT', DEFAULTS.MG_PORT, 1, 65535);
    // A host the connection string cannot carry as one host ("h/x", "a b", "a,b") would fail on
    // every connection attempt, read as an outage to wait out, or connect somewhere else.
    uri = `mongodb://${host.includes(':') && !host.startsWith('[') ? `[${host}]` : host}:${port}/`;
    origin = 'MG_HOST/MG_PORT';
    // An empty MG_HOST is reported by str(); the string made of it is not checked again.
    if (host === '') return { uri, origin };
    if (!isHostOrAddress(host)) {
      fail('MG_HOST', `must be a host name or an IP address, got ${JSON.stringify(host)}`);
      return { uri, origin };
    }
  }
  const path = problemPath(origin);
  const bad = (message: string): void => fail(path, uriFile === null ? message : `the connection string in ${uriFile}: ${message}`);
  // An environment file (systemd's as well as --environment-file) takes `# comment` only on a line
  // of its own: `MONGODB_URI=mongodb://db1/?authSource=admin  # production` is all the value, and the
  // driver would read authSource "admin  " and never authenticate. A connection string has no blank
  // and no raw '#' (the start of a URL fragment): both are percent-encoded in a password.
  const blank = /\s/.exec(uri);
  if (blank !== null || uri.includes('#')) {
    const what = blank === null ? "a '#'" : blank[0] === ' ' ? 'a space' : `a blank (${codePoint(blank[0])})`;
    bad(
      `holds ${what}, which a connection string cannot: a host name has none, a password has it percent-encoded (${blank === null ? '%23' : '%20'}), and a # comment after the value in an environment file is part of the value (comments go on lines of their own)`,
    );
  } else if (!/^mongodb(\+srv)?:\/\/[^/]/.test(uri)) {
    bad('must start with mongodb:// or mongodb+srv:// followed by a host');
  } else if ((uri.split('?')[0]!.match(/@/g) ?? []).length > 1) {
    // The driver would take what follows the first `@` for a host: part of the password would end
    // up in host names, DNS errors and logs.
    bad("has more than one '@' before the host: percent-encode '@' in the user name or password as %40");
  } else {
    // A string the driver cannot parse (port 99999, authMechanism=BOGUS) fails the same way on
    // every connection attempt: a bad configuration, not an outage to wait out.
    for (const m of ext.uriProblems?.(uri) ?? []) bad(m);
  }
  return { uri, origin };
}

/** Where a connection string came from, as a problem's path: `MONGODB_URI (environment)`. */
function problemPath(origin: string): string {
  return origin.startsWith('environment ') ? `${origin.slice('environment '.length)} (environment)` : origin;
}

function parseListen(raw: unknown, fail: Fail): DaemonConfig['httpListen'] {
  if (raw === '' || raw === false || raw === null) return null;
  if (typeof raw !== 'string') {
    fail('HTTP_LISTEN', `must be "" (off) or "HOST:PORT", got ${describe(raw)}`);
    return null;
  }
  const m = /^(.*):(\d{1,5})$/.exec(raw);
  const port = m ? Number(m[2]) : NaN;
  // A malformed host only fails when the listener starts, and the daemon then runs without
  // /healthz and /metrics: refused here instead. Port 0 takes any free port (the log says which).
  if (!m || !(port >= 0 && port <= 65535) || !(m[1] === '' || isHost(m[1]!))) {
    fail('HTTP_LISTEN', `must be "HOST:PORT" such as "127.0.0.1:9464" or "[::1]:9464", got ${JSON.stringify(raw)}`);
    return null;
  }
  return { host: m[1] === '' ? '127.0.0.1' : m[1].replace(/^\[|\]$/g, ''), port };
}

function parseSources(raw: unknown, threshold: number, globalMasks: MaskRuleConfig[], globalIgnore: string[], fail: Fail): SourceConfig[] {
  if (raw === undefined) {
    fail('LOG_SOURCES', 'is required: a mapping of input collection -> { HOSTNAMES, MG_TARGET_COL }');
    return [];
  }
  if (!isDict(raw) || Object.keys(raw).length === 0) {
    fail('LOG_SOURCES', `must be a non-empty mapping of input collection names, got ${describe(raw)}`);
    return [];
  }
  const sources: SourceConfig[] = [];
  for (const [name, rawBody] of Object.entries(raw)) {
    const path = `LOG_SOURCES.${name}`;
    checkCollectionName(name, path, fail);
    if (!isDict(rawBody)) {
      fail(path, `must be a mapping with HOSTNAMES and MG_TARGET_COL, got ${describe(rawBody)}`);
      continue;
    }
    const body = withoutNulls(rawBody);
    for (const key of Object.keys(body)) if (!SOURCE_KEYS.has(key)) fail(`${path}.${key}`, unknownKey(key, SOURCE_KEYS));
    const hostnames: string[] = [];
    const hostsRaw = body.HOSTNAMES;
    if (hostsRaw === undefined) {
      fail(`${path}.HOSTNAMES`, 'is required: a list of host names');
    } else if (!Array.isArray(hostsRaw) || hostsRaw.length === 0) {
      fail(`${path}.HOSTNAMES`, `must be a non-empty list of host names, got ${describe(hostsRaw)}`);
    } else {
      hostsRaw.forEach((h, i) => {
        // Only plain strings ever reach a query: a mapping such as {"$ne": null} would match every host.
        const stray = typeof h === 'string' ? strayCharacters(h) : null;
        if (typeof h !== 'string' || h.trim() === '') {
          fail(`${path}.HOSTNAMES[${i}]`, `must be a non-empty string (quote it in YAML), got ${describe(h)}`);
        } else if (stray !== null) {
          fail(`${path}.HOSTNAMES[${i}]`, stray);
        } else if (hostnames.includes(h)) {
          fail(`${path}.HOSTNAMES[${i}]`, `duplicate host name ${JSON.stringify(h)}`);
        } else {
          hostnames.push(h);
        }
      });
    }
    const target = body.MG_TARGET_COL;
    let targetCollection = '';
    if (target === undefined) fail(`${path}.MG_TARGET_COL`, 'is required: the collection that receives the anomalies');
    else if (typeof target !== 'string') fail(`${path}.MG_TARGET_COL`, `must be a collection name (string), got ${describe(target)}`);
    else targetCollection = checkCollectionName(target, `${path}.MG_TARGET_COL`, fail);
    let sourceThreshold = threshold;
    if (body.THRESHOLD !== undefined) {
      const t = body.THRESHOLD;
      if (typeof t !== 'number' || !(t >= 0 && t <= 1)) fail(`${path}.THRESHOLD`, `must be a number from 0 to 1, got ${describe(t)}`);
      else sourceThreshold = t;
    }
    const masks = [...globalMasks, ...parseMasks(body.EXTRA_MASKS, `${path}.EXTRA_MASKS`, fail)];
    const ignore = [...globalIgnore, ...parseIgnore(body.IGNORE, `${path}.IGNORE`, fail)];
    sources.push({ name, hostnames, targetCollection, threshold: sourceThreshold, extraMasks: masks, ignore });
  }
  return sources;
}

/**
 * Unrelated lines, one character long among them: an IGNORE pattern matching all of them (`.*`,
 * `.+`, `\S`, `\w`) matches any line a log holds. The empty line is left out: `.+` hides every
 * anomaly as surely as `.*` does.
 */
const MATCH_ALL_PROBES = ['0', 'x', 'kernel: Out of memory: Killed process 4242 (java)', 'Ünïcödé 日本', 'GET /a.html 404'];

/**
 * IGNORE: messages an operator has judged benign, as regular expressions (JavaScript syntax,
 * searched anywhere in the message, case-sensitive). Patterns rather than exact strings: the
 * variable parts of a benign message differ on every line.
 */
function parseIgnore(raw: unknown, path: string, fail: Fail): string[] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) {
    fail(path, `must be a list of regular expressions, got ${describe(raw)}`);
    return [];
  }
  const out: string[] = [];
  raw.forEach((item, i) => {
    const p = `${path}[${i}]`;
    if (typeof item !== 'string' || item === '') {
      fail(p, `must be a non-empty regular expression string (quote it in YAML), got ${describe(item)}`);
      return;
    }
    const problem = patternProblem(item);
    if (problem !== null) {
      fail(p, problem);
      return;
    }
    const re = new RegExp(item);
    if (MATCH_ALL_PROBES.every((line) => re.test(line))) {
      fail(p, `${JSON.stringify(item)} matches every line (it is searched anywhere in the message, so it matches any message with a character in it): it would hide every anomaly`);
      return;
    }
    out.push(item);
  });
  return out;
}

function parseMasks(raw: unknown, path: string, fail: Fail): MaskRuleConfig[] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) {
    fail(path, `must be a list of regular expressions or {pattern, name} mappings, got ${describe(raw)}`);
    return [];
  }
  const out: MaskRuleConfig[] = [];
  raw.forEach((item, i) => {
    const p = `${path}[${i}]`;
    const rule: MaskRuleConfig | null =
      typeof item === 'string'
        ? { pattern: item }
        : isDict(item) && typeof item.pattern === 'string'
          ? { pattern: item.pattern, ...(item.name !== undefined && item.name !== null ? { name: item.name as string } : {}) }
          : null;
    if (!rule || rule.pattern === '') {
      fail(p, `must be a regular expression string or {pattern, name}, got ${describe(item)}`);
      return;
    }
    if (isDict(item)) for (const k of Object.keys(item)) if (k !== 'pattern' && k !== 'name') fail(`${p}.${k}`, 'unknown key');
    const problem = maskRuleProblem(rule);
    if (problem !== null) {
      fail(p, problem);
      return;
    }
    out.push(rule);
  });
  return out;
}

const SYSTEM_DBS = new Set(['admin', 'local', 'config']);

function checkDbName(name: string, path: string, fail: Fail): string {
  const stray = name ? strayCharacters(name) : null;
  if (stray !== null) fail(path, stray);
  // MongoDB counts the limit in bytes: 63 of them, a CJK character is 3.
  else if (name && (/[/\\. "$*<>:|?\0]/.test(name) || Buffer.byteLength(name) > 63)) {
    fail(path, `is not a valid MongoDB database name: ${visible(name)}`);
  }
  return name;
}

function checkCollectionName(name: string, path: string, fail: Fail): string {
  const stray = strayCharacters(name);
  if (name.trim() === '') fail(path, 'collection name must be a non-empty string');
  else if (stray !== null) fail(path, stray);
  // MongoDB refuses a name that starts with a dot ("..b" would name collection ".b" of database "a.").
  else if (name.includes('$') || name.includes('\0') || name.startsWith('system.') || name.startsWith('.') || Buffer.byteLength(name) > 200) {
    fail(path, `is not a valid MongoDB collection name: ${visible(name)}`);
  }
  return name;
}

/**
 * The collection-role problems of the configuration a reload would run: the new file's sources
 * with the running databases and STATE_COLLECTION, which a reload keeps until a restart (a file
 * valid on its own may pair a new target with the running state collection).
 */
export function collectionRoleProblems(config: Pick<DaemonConfig, 'inputDb' | 'targetDb' | 'stateCollection' | 'sources'>): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  checkCollectionRoles(config, (path, message) => problems.push({ path, message: `${message} (in the running configuration: the databases and STATE_COLLECTION change only with a restart)` }));
  return problems;
}

/**
 * Input, target and state collections must stay apart: with one database for input and targets,
 * a target that is also an input has its anomaly documents read back as log lines of the same
 * host, scored, written again, forever; the state collection's documents are neither.
 */
function checkCollectionRoles(config: Pick<DaemonConfig, 'inputDb' | 'targetDb' | 'stateCollection' | 'sources'>, fail: Fail): void {
  const sameDb = config.inputDb === config.targetDb;
  const inputs = new Set(config.sources.map((s) => s.name));
  for (const s of config.sources) {
    if (sameDb && inputs.has(s.targetCollection)) {
      fail(
        `LOG_SOURCES.${s.name}.MG_TARGET_COL`,
        `"${s.targetCollection}" is also an input collection in the same database (MG_INPUT_DB = MG_TARGET_DB): anomalies would be read back as log lines`,
      );
    }
    if (s.targetCollection === config.stateCollection) {
      fail(`LOG_SOURCES.${s.name}.MG_TARGET_COL`, `"${s.targetCollection}" is the STATE_COLLECTION, which holds the checkpoints`);
    }
  }
  if (sameDb && inputs.has(config.stateCollection)) {
    fail('STATE_COLLECTION', `"${config.stateCollection}" is also an input collection in the same database (MG_INPUT_DB = MG_TARGET_DB)`);
  }
}

/** A field name or dotted path (`log.message`) as MongoDB accepts it in a document. */
function checkFieldName(name: string, path: string, fail: Fail): string {
  if (!name) return name;
  const parts = name.split('.');
  const stray = strayCharacters(name);
  if (stray !== null) fail(path, stray);
  else if (name.includes('\0') || parts.some((p) => p === '' || p.startsWith('$'))) {
    fail(path, `is not a valid field name or dotted path: ${JSON.stringify(name)}`);
  } else if (parts[0] === '_id') {
    // The checkpoint and the anomaly documents' input_id are the document's _id; it is no log field.
    fail(path, "_id is the document's own identity, which the daemon reads for its checkpoint: name the field holding the log line's value");
  } else if (OWN_FIELDS.includes(parts[0]!)) {
    fail(path, `${JSON.stringify(parts[0])} is a field the daemon writes into every anomaly document; the input field cannot be copied under that name`);
  }
  return name;
}

/** The input fields are copied into anomaly documents: none may be, or contain, another. */
function checkDistinctFields(fields: InputFields, fail: Fail): void {
  const keys = { message: 'MESSAGE_FIELD', hostname: 'HOSTNAME_FIELD', timestamp: 'TIMESTAMP_FIELD', level: 'LEVEL_FIELD' } as const;
  const names = Object.keys(keys) as Array<keyof typeof keys>;
  for (let i = 0; i < names.length; i++) {
    for (let j = i + 1; j < names.length; j++) {
      const a = fields[names[i]!];
      const b = fields[names[j]!];
      if (a && b && (a === b || a.startsWith(`${b}.`) || b.startsWith(`${a}.`))) {
        fail(keys[names[j]!], `${JSON.stringify(b)} overlaps ${keys[names[i]!]} ${JSON.stringify(a)}: each must name its own field`);
      }
    }
  }
}
