// The contract between the pure model core and everything that uses it
// (daemon workers, the offline scorer, benchmarks). Nothing here does I/O.

/** Why a line scored as it did. Machine-readable; stored with every anomaly. */
export type Reason =
  | 'new_template' // no template learned in training matches the line
  | 'new_fields' // a known record with fields of names never seen in training on this host
  | 'rare_template' // matches a template seen only rarely in training
  | 'unseen_tokens' // constant words never seen in training on this host
  | 'error_terms' // failure vocabulary (error, fatal, refused, timeout...)
  | 'unusual_value' // a variable slot holds a value unlike those seen in training
  | 'burst'; // a known failure message written in a run of lines far longer than any in training

/**
 * Longest line text given to the model, by the daemon and the offline commands alike (so a line
 * scores the same both ways); a longer line is judged on its first part.
 */
export const MAX_LINE_CHARS = 64 * 1024;

/** An extra masking rule from configuration: a regular expression whose matches become a variable. */
export interface MaskRuleConfig {
  /** Regular expression source (JavaScript syntax, applied with the global flag). */
  pattern: string;
  /** Name shown in templates, e.g. "ticket" gives `<ticket>`; default: `*`. */
  name?: string;
}

/** Tunables of the model. Every field is optional; defaults live in the model core. */
export interface ModelOptions {
  /** Extra masking rules applied before the built-in ones. Default: none. */
  extraMasks?: MaskRuleConfig[];
  /** Most templates kept per host; the least used are evicted beyond it. Default: 5000. */
  maxTemplates?: number;
  /** Seed for everything random in training (k-means init). Default: 42. */
  seed?: number;
}

/** The result of scoring one line. */
export interface ScoredLine {
  /** Calibrated anomaly score in [0, 1]; see README "What the score means". */
  score: number;
  /** Template text with variables as `<*>` (or named masks); the nearest known one for new lines. */
  template: string;
  /** Stable id of the template within this model (for counting per template). */
  templateId: string;
  /** Machine-readable reasons; empty for an ordinary line. Shared by the lines of a template: read-only (frozen). */
  reasons: readonly Reason[];
}

/** Summary of a trained model, logged after training and shown by `status`. */
export interface ModelSummary {
  /** Format version of the serialized model (bumped on incompatible changes). */
  formatVersion: number;
  /** Number of training lines the model saw. */
  trainedLines: number;
  /** Number of templates kept. */
  templates: number;
}
