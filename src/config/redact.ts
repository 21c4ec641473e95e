// Connection strings carry credentials: everything that prints a config goes through here.
import type { DaemonConfig } from './schema.js';

/** Replaces the password (and any credentials-like query parameter) of a MongoDB connection string. */
export function redactUri(uri: string): string {
  let out = uri.replace(/^(mongodb(?:\+srv)?:\/\/)([^@/]*)@/, (_m, scheme: string, cred: string) => {
    const user = cred.split(':')[0];
    return `${scheme}${user}${cred.includes(':') ? ':***' : ''}@`;
  });
  out = out.replace(/([?&](?:password|authMechanismProperties|tlsCertificateKeyFilePassword)=)[^&]*/gi, '$1***');
  return out;
}

/** The configuration as printed by check-config: secrets redacted, everything else resolved. */
export function printableConfig(config: DaemonConfig): Record<string, unknown> {
  return { ...config, mongoUri: redactUri(config.mongoUri) };
}
