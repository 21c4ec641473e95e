// The resolved configuration as check-config prints it: in the configuration
// file's own keys, as YAML, so that an operator reads the names the README and
// multihost.yaml use (POLL_INTERVAL_SECONDS, not pollIntervalMs) and can copy a
// line back into the file. Keys at their default value say so.
import { Document, isMap, isScalar, Scalar, stringify } from 'yaml';
import { redactUri } from './redact.js';
import { DEFAULTS, type DaemonConfig } from './schema.js';

/**
 * One `KEY: value` line; the value quoted where YAML needs it, and on this line: a block scalar
 * (`|-` and lines below) would be written unindented after `KEY: ` and not read back.
 */
function entry(key: string, value: unknown, note?: string): string {
  const text = stringify(value, { lineWidth: 0, blockQuote: false }).trimEnd();
  return note === undefined ? `${key}: ${text}` : `${key}: ${text}  # ${note}`;
}

/** `# default` where the value is the key's default, whether the file set it or not. */
function keyed(key: keyof typeof DEFAULTS, value: string | number | boolean): string {
  return entry(key, value, value === DEFAULTS[key] ? 'default' : undefined);
}

function listen(l: DaemonConfig['httpListen']): string {
  if (l === null) return '';
  return `${l.host.includes(':') ? `[${l.host}]` : l.host}:${l.port}`;
}

/**
 * The configuration as a YAML document in the file's keys. Read back as a configuration file it
 * resolves to the same configuration (secrets aside: the connection string's password is shown
 * as ***), with two forms of its own: the global EXTRA_MASKS and IGNORE are shown merged into
 * every source (as they apply), and an unset WORKERS is a comment (it follows the host count).
 */
export function configAsYaml(config: DaemonConfig): string {
  const lines = [
    entry('MONGODB_URI', redactUri(config.mongoUri), `from ${config.mongoUriOrigin}`),
    entry('MG_INPUT_DB', config.inputDb),
    entry('MG_TARGET_DB', config.targetDb),
    keyed('STATE_COLLECTION', config.stateCollection),
    keyed('MESSAGE_FIELD', config.fields.message),
    keyed('HOSTNAME_FIELD', config.fields.hostname),
    keyed('TIMESTAMP_FIELD', config.fields.timestamp),
    keyed('LEVEL_FIELD', config.fields.level ?? ''),
    keyed('TRAINING_WINDOW_DAYS', config.trainingWindowDays),
    keyed('MAX_TRAINING_LINES', config.maxTrainingLines),
    keyed('MIN_TRAINING_LINES', config.minTrainingLines),
    keyed('UNTRAINED_RETRY_SECONDS', config.untrainedRetrySeconds),
    keyed('RETRAIN_CRON', config.retrainCron),
    keyed('MODEL_DIR', config.modelDir),
    keyed('MAX_TEMPLATES', config.maxTemplates),
    keyed('POLL_INTERVAL_SECONDS', config.pollIntervalMs / 1000),
    keyed('BATCH_SIZE', config.batchSize),
    keyed('SETTLE_SECONDS', config.settleSeconds),
    keyed('THRESHOLD', config.threshold),
    keyed('LOG_LEVEL', config.logLevel),
    config.workersFromHosts
      ? `# WORKERS: ${config.workers}  # not set: one per watched host, at most one per core`
      : entry('WORKERS', config.workers),
    keyed('HTTP_LISTEN', listen(config.httpListen)),
    keyed('CREATE_INPUT_INDEXES', config.createInputIndexes),
    '# Every source with its hosts; the global EXTRA_MASKS and IGNORE are included in each.',
  ];
  // A Map: a source named `__proto__` is a key like any other (on an object it set the prototype).
  const sources = new Map<string, unknown>();
  for (const s of config.sources) {
    sources.set(s.name, {
      HOSTNAMES: s.hostnames,
      MG_TARGET_COL: s.targetCollection,
      THRESHOLD: s.threshold,
      ...(s.extraMasks.length > 0 ? { EXTRA_MASKS: s.extraMasks } : {}),
      ...(s.ignore.length > 0 ? { IGNORE: s.ignore } : {}),
    });
  }
  // The global masks are one object in every source: written out each time, not as YAML anchors.
  const doc = new Document({ LOG_SOURCES: sources }, { aliasDuplicateObjects: false });
  // A source named `<<` must stay quoted: plain, the configuration reader takes it for a merge key.
  const listed = doc.get('LOG_SOURCES', true);
  if (isMap(listed)) {
    for (const pair of listed.items) if (isScalar(pair.key) && pair.key.value === '<<') pair.key.type = Scalar.QUOTE_DOUBLE;
  }
  lines.push(doc.toString({ lineWidth: 0, blockQuote: false }).trimEnd());
  return lines.join('\n') + '\n';
}
