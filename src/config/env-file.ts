// The service's environment file (/etc/anomaly_detector/anomaly_detector.env, read by systemd's
// EnvironmentFile=), for commands run by hand: `--environment-file FILE` makes `check-config`,
// `status` and `run` see the same MONGODB_URI as the service, instead of the YAML's
// MG_HOST/MG_PORT. (Not `--env-file`: Node 20 takes that for itself wherever it stands in argv.)
import { readInstalledFile } from './read-file.js';

/**
 * Parses systemd's EnvironmentFile format, the part of it such files use: `KEY=value` lines,
 * blank lines and `#` or `;` comments; a value in double quotes (with \" \\ escapes) or single
 * quotes is taken without them. The value is taken as is otherwise (`&`, `?` and `$` included:
 * nothing is expanded, as systemd does not expand them either).
 */
export function parseEnvFile(text: string): { vars: Record<string, string>; bad: number[] } {
  const vars: Record<string, string> = {};
  const bad: number[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const m = /^([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
    if (m === null) {
      bad.push(i + 1);
      continue;
    }
    vars[m[1]!] = unquote(m[2]!);
  }
  return { vars, bad };
}

function unquote(v: string): string {
  if (v.length >= 2 && v.startsWith("'") && v.endsWith("'")) return v.slice(1, -1);
  if (v.length >= 2 && v.startsWith('"') && v.endsWith('"')) return v.slice(1, -1).replace(/\\(["\\])/g, '$1');
  return v;
}

/**
 * The environment a command runs with: the process's, with the variables of `files` on top, in
 * order, as the service gets them. Throws an Error naming the file (and line) it cannot use.
 */
export function environmentWith(files: readonly string[], env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  let out = env;
  for (const file of files) {
    let text: string;
    try {
      text = readInstalledFile(file);
    } catch (err) {
      throw new Error(`cannot read ${file}: ${(err as Error).message}`);
    }
    const { vars, bad } = parseEnvFile(text);
    if (bad.length > 0) throw new Error(`${file}: line ${bad.join(', ')} is not KEY=value`);
    out = { ...out, ...vars };
  }
  return out;
}
