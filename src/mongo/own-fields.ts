/**
 * Top-level fields of an anomaly document that the daemon writes itself (anomaly-writer.ts); the
 * configured input fields, copied under their own names, must not use them (config/schema.ts).
 */
export const OWN_FIELDS: readonly string[] = [
  'source',
  'input_id',
  'anomaly_score',
  'reasons',
  'template',
  'template_id',
  'model_version',
  'threshold',
  'detected_at',
  'message_truncated',
  'message_length',
  'timestamp_omitted',
  'timestamp_size',
];
