// What both familiarity daemon tests run on: one host with routine history, small batches so
// that a new message spans many of them, and the message a deployment adds after training.
import { Rng } from './log-lines.js';
import { seedHistory } from './seed.js';
import { useTestBed, type TestBed } from './test-bed.js';

export const FAMILIAR_CONFIG = `POLL_INTERVAL_SECONDS: 0.2
MIN_TRAINING_LINES: 50
BATCH_SIZE: 25
LOG_SOURCES:
  "syslog":
    HOSTNAMES: ["web1"]
    MG_TARGET_COL: "syslog_anomaly"
`;

/** A bed whose host web1 has 400 lines of routine history in source "syslog". */
export function useFamiliarBed(prefix: string): TestBed {
  return useTestBed(prefix, async (b) => {
    await seedHistory(b.input, 'syslog', ['web1'], 400, new Rng(3));
  });
}

/** The i-th line of a message the history never held (no failure words, values vary). */
export function deployedLine(i: number): string {
  return `indexer[${3000 + i}]: rebuilt search shard ${i % 7} with ${1200 + i} documents`;
}
