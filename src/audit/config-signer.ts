import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { LoadedConfig } from '../config/load.js';
import { createAuditSigner, generateAuditKeyPair, type AuditSigner } from './signing.js';

/**
 * The audit signing key of a configuration: from the environment variable `audit.signing_key_env`. On a development
 * machine without one, a key is generated once into the data directory beside the SQLite file (mode 0600), with a
 * warning, so `npm start` works and `audit verify` keeps verifying across restarts. Set the variable in production.
 * Used by the gateway and by the CLI commands that write audit events (`keys create|revoke`).
 *
 * @example const signer = auditSignerForConfig(cfg, process.env, warnings);
 */
export function auditSignerForConfig(config: LoadedConfig, env: NodeJS.ProcessEnv, warnings: string[]): AuditSigner {
  const fromEnv = env[config.audit.signing_key_env];
  if (fromEnv) return createAuditSigner(fromEnv);
  const file = devAuditKeyFile(config);
  if (!existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, generateAuditKeyPair().privateKey + '\n', { mode: 0o600 });
  }
  warnings.push(`${config.audit.signing_key_env} is not set: audit checkpoints are signed with the development key in ${file}`);
  return createAuditSigner(readFileSync(file, 'utf8').trim());
}

/** Where a development gateway keeps its generated audit signing key: beside the SQLite file (or ./data). */
export function devAuditKeyFile(config: LoadedConfig): string {
  const dir = config.store.driver === 'sqlite' ? dirname(resolve(config.baseDir, config.store.path)) : resolve(config.baseDir, 'data');
  return resolve(dir, 'audit-signing.key');
}
