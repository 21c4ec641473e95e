import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

/** The repository root (tests run from dist/test/...). */
export const REPO_ROOT = resolve(new URL('.', import.meta.url).pathname, '../../..');

export function readFixture(name: string): string {
  return readFileSync(resolve(REPO_ROOT, 'test/fixtures', name), 'utf8');
}

/** The original multihost.yaml of the predecessor, which must stay valid unchanged. */
export const ORIGINAL_CONFIG = readFixture('config/original-multihost.yaml');
