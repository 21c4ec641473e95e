import { configName, loadConfig } from '../config/load.js';
import { configAsYaml } from '../config/describe.js';
import { ConfigError } from '../config/schema.js';
import { visible } from '../config/names.js';
import { modelDirCheck } from '../store/model-files.js';
import { commandArgs } from './args.js';
import { EXIT_CONFIG } from './usage.js';

interface Io {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

export async function runCheckConfig(args: string[], io: Io): Promise<number> {
  const usage =
    'usage: anomaly-detector check-config FILE | --config FILE [--environment-file ENV_FILE]\n' +
    '  validates FILE (- for standard input) and prints the resolved configuration (secrets redacted); exit 0, or 78 listing every problem\n' +
    "  --environment-file ENV_FILE   KEY=value lines (the service's EnvironmentFile) added to the environment\n";
  const parsed = commandArgs('check-config', usage, args, { config: true, 'environment-file': true }, io);
  if (typeof parsed === 'number') return parsed;
  // `check-config FILE`, or `--config FILE` as `run` and `status` take it.
  const files = [...parsed.positional, ...(parsed.options.get('config') ?? [])];
  if (files.length !== 1) return parsed.fail('exactly one FILE is required');
  if (files[0] === '') return parsed.fail('FILE is empty: name the configuration file');
  try {
    const config = loadConfig(files[0]!, parsed.options.get('environment-file'));
    const name = configName(files[0]!);
    // What `run` finds only when it creates the directory, found here without creating it.
    const dir = modelDirCheck(config.modelDir);
    if (dir.problem !== undefined) throw new ConfigError(name, [{ path: 'MODEL_DIR', message: `${config.modelDir} cannot be used as the model directory: ${dir.problem}` }]);
    const lines = [`${name}: configuration is valid`, '', 'Watched:'];
    for (const s of config.sources) {
      lines.push(
        `  ${config.inputDb}.${s.name} -> ${config.targetDb}.${s.targetCollection} (threshold ${s.threshold}${s.extraMasks.length ? `, ${s.extraMasks.length} extra masks` : ''}${s.ignore.length ? `, ${s.ignore.length} ignore patterns` : ''})`,
      );
      for (const h of s.hostnames) lines.push(`    host ${visible(h)}`);
    }
    lines.push('', `MongoDB connection from ${config.mongoUriOrigin}`, '', 'Resolved configuration (the file\'s keys; "# default" marks default values):', '');
    lines.push(configAsYaml(config));
    if (dir.note !== undefined) lines.push('', `Note: MODEL_DIR ${config.modelDir}: ${dir.note}`, '');
    io.stdout.write(lines.join('\n'));
    return 0;
  } catch (err) {
    if (err instanceof ConfigError) {
      io.stderr.write(`${err.message}\n`);
      return EXIT_CONFIG;
    }
    throw err;
  }
}
