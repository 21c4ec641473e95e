import { readFileSync } from 'node:fs';

/**
 * Reads a file of the installation (the configuration, the environment file). A failure's message
 * is the file system's code; the installed files are readable by root and the service's group only,
 * so a permission error says what to do instead of reading as a bad file.
 */
export function readInstalledFile(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const hint = code === 'EACCES' ? ' (permission denied: run as root or as the service user, e.g. with sudo)' : '';
    throw new Error(`${code ?? (err as Error).message}${hint}`);
  }
}
