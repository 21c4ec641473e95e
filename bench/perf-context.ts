// What every benchmark part gets from the runner.
import type { BenchDb } from './perf-db.js';

export interface BenchContext {
  /** Smaller sizes and shorter loads; figures are then not comparable with the targets. */
  quick: boolean;
  /** Runs per figure (the median is reported); slow parts may do fewer and say so. */
  runs: number;
  /** Where to write CPU profiles, or null when not profiling. */
  profileDir: string | null;
  /** Private temporary directory, removed at the end. */
  tmp: string;
  log(message: string): void;
  /** The test database (started on first use, stopped at the end). */
  db(): Promise<BenchDb>;
  /** A serialized model trained on `lines` mixed lines (trained once per run of the bench). */
  modelFile(lines: number): Promise<string>;
  /** Remembers a model file trained elsewhere (part 1 saves its 1M-line model). */
  rememberModel(lines: number, file: string): void;
}
