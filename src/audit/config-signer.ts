import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { LoadedConfig } from '../config/load.js';
import { CountersignError } from '../core/errors.js';
import { createAuditSigner, generateAuditKeyPair, type AuditSigner } from './signing.js';

/**
 * The audit signing key of a configuration: from the environment variable `audit.signing_key_env`. On a development
 * machine without one, a key is generated once into the data directory beside the SQLite file (mode 0600), with a
 * warning, so `npm start` works and `audit verify` keeps verifying across restarts. Set the variable in production;
 * with a PostgreSQL store (shared by gateways) it is required: SECRET_MISSING without it.
 * Used by the gateway and by the CLI commands that write audit events (`keys create|revoke`).
 *
 * @example const signer = auditSignerForConfig(cfg, process.env, warnings);
 */
export function auditSignerForConfig(config: LoadedConfig, env: NodeJS.ProcessEnv, warnings: string[]): AuditSigner {
  const fromEnv = env[config.audit.signing_key_env];
  if (fromEnv) return createAuditSigner(fromEnv);
  // A PostgreSQL store is there to be shared: gateways that each made a key of their own would sign one log with
  // several keys, and it would no longer verify (nor would one gateway take another's outcome tickets).
  if (config.store.driver === 'postgres') {
    throw new CountersignError('SECRET_MISSING', `${config.audit.signing_key_env} is not set: gateways sharing a PostgreSQL store must sign its audit log with one key; create one with \`countersign audit keygen\` and give it to every gateway`);
  }
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
