// JSON lines on stdout for journald. Redaction is a safety net: code logs redactUri() values only.
import { pino, type Logger } from 'pino';
import type { LogLevel } from './config/schema.js';

export type { Logger };

export function createLogger(level: LogLevel | 'silent' = 'info'): Logger {
  return pino({
    level,
    base: { app: 'anomaly-detector' },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: ['mongoUri', '*.mongoUri', 'uri', '*.uri', 'password', '*.password'], censor: '***' },
  });
}
