import { existsSync, readFileSync } from 'node:fs';
import { InvalidArgumentError, type Command } from 'commander';
import { CountersignError, isCountersignError } from '../../core/errors.js';
import type { AuditCheckpoint, Store } from '../../store/types.js';
import { checkpointLine, exportAudit } from '../../audit/export.js';
import { parseDuration } from '../../config/duration.js';
import { createAuditSigner, generateAuditKeyPair, parseAuditPublicKey, verifyCheckpointSignature } from '../../audit/signing.js';
import { verifyAudit } from '../../audit/verify.js';

/** Exit codes of `countersign audit verify`. */
export const AUDIT_VERIFY_EXIT = { intact: 0, tampered: 1, error: 2, unchecked: 3 } as const;

function printError(e: unknown): void {
  if (isCountersignError(e)) console.error(`error: ${e.code}: ${e.message}`);
  else console.error(`error: ${(e as Error)?.message ?? String(e)}`);
}

/** --public-key: a base64url key, a PEM, or a file holding either. */
function readKeyArg(arg: string): string {
  return !arg.includes('-----BEGIN') && existsSync(arg) ? readFileSync(arg, 'utf8') : arg;
}

/** A bad --since/--until is a usage error (commander prints `error: option … is invalid …`), exit 2 like the others. */
function seqOption(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) {
    const e = new InvalidArgumentError(`not a sequence number (a whole number, 0 or more): ${v}`);
    e.exitCode = 2;
    throw e;
  }
  return n;
}

/** --from/--to: an ISO 8601 time, or a duration ago (`24h`, `7d`); a usage error (exit 2) otherwise. */
function timeOption(v: string): number {
  const ago = parseDuration(v);
  if (ago !== undefined && ago > 0) return Date.now() - ago * 1000;
  const t = /^\d{4}-\d{2}-\d{2}/.test(v) ? Date.parse(v) : NaN;
  if (Number.isNaN(t)) {
    const e = new InvalidArgumentError(`not a time: ${v} (an ISO 8601 time such as 2026-11-21T00:00:00Z, or a duration ago such as 24h or 7d)`);
    e.exitCode = 2;
    throw e;
  }
  return t;
}

/** --anchor: a file of checkpoints `audit export --checkpoints` wrote. */
function readAnchors(file: string): AuditCheckpoint[] {
  const out: AuditCheckpoint[] = [];
  readFileSync(file, 'utf8').split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    let c: { checkpoint?: unknown; hash?: unknown; at?: unknown; keyId?: unknown; signature?: unknown };
    try {
      c = JSON.parse(line) as typeof c;
    } catch {
      throw new CountersignError('BAD_REQUEST', `${file}:${i + 1}: not a JSON line`);
    }
    if (typeof c.checkpoint !== 'number' || typeof c.hash !== 'string' || typeof c.at !== 'number' || typeof c.keyId !== 'string' || typeof c.signature !== 'string') {
      throw new CountersignError('BAD_REQUEST', `${file}:${i + 1}: not a checkpoint line of \`audit export --checkpoints\``);
    }
    out.push({ seq: c.checkpoint, hash: c.hash, at: c.at, keyId: c.keyId, signature: c.signature });
  });
  // An empty file (an export that failed, the wrong file) must not pass for a check that was made.
  if (out.length === 0) throw new CountersignError('BAD_REQUEST', `${file}: no checkpoints in it (write one with \`countersign audit export --checkpoints\`)`);
  return out;
}

/**
 * stdout as export writes it. `write` resolves false once the reader has gone (`audit export | head` closes the pipe:
 * EPIPE), so the export stops quietly instead of dying on an unhandled 'error' event; `failure` is any other error.
 */
function stdoutSink() {
  const out = process.stdout;
  let failure: NodeJS.ErrnoException | undefined;
  out.on('error', (e: NodeJS.ErrnoException) => (failure ??= e));
  const gone = () => failure !== undefined || out.destroyed;
  return {
    failure: () => (failure?.code === 'EPIPE' ? undefined : failure),
    async write(chunk: string): Promise<boolean> {
      if (gone()) return false;
      if (!out.write(chunk)) {
        await new Promise<void>((resolve) => {
          const done = () => {
            for (const ev of ['drain', 'error', 'close']) out.off(ev, done);
            resolve();
          };
          for (const ev of ['drain', 'error', 'close']) out.on(ev, done);
        });
      }
      return !gone();
    },
  };
}

/**
 * Add `audit verify`, `audit export` and `audit keygen` to a commander program (called by src/cli/main.ts, which
 * provides `openStore` from the config). Commands set process.exitCode; they never call process.exit.
 *
 * @example
 *   registerAuditCommands(program, () => openStore(config.store, dirname(configPath)), undefined, async () => config.audit.signing_key_env);
 */
export function registerAuditCommands(
  program: Command,
  openStore: () => Promise<Store>,
  /** The development signing key the gateway generated for this config, when no key is in the environment. */
  devKey: () => Promise<{ file: string; privateKey: string } | undefined> = async () => undefined,
  /** The env var the config names for the audit signing key (`audit.signing_key_env`): verify's default --key-env. */
  signingKeyEnv: () => Promise<string> = async () => 'COUNTERSIGN_AUDIT_KEY',
  /** The config's `audit.checkpoint_every`: verify checks the unsigned tail against it (VerifyOptions.checkpointEvery). */
  checkpointEvery: () => Promise<number | undefined> = async () => undefined,
): void {
  const audit = program.command('audit').description('Verify, export and sign the tamper-evident audit log');

  audit
    .command('verify')
    .description('Check every event hash, link and signed checkpoint; exit 0 if intact, 1 naming the first bad event, 2 if it could not run (no log there included), 3 if intact but its checkpoints could not be checked (no key)')
    .option('--public-key <key>', 'checkpoint public key: base64url, SPKI PEM, or a file holding one (printed by `audit keygen`)')
    .option('--key-env <name>', "derive the public key from the signing key in this env var when --public-key is not given (default: the config's audit.signing_key_env, COUNTERSIGN_AUDIT_KEY unless set)")
    .option('--chain-only', 'accept a log whose checkpoints cannot be checked for want of a key: exit 0 instead of 3')
    .option('--anchor <file>', 'checkpoints kept off the host (`audit export --checkpoints`): the log must still hold each one\'s event, unchanged')
    .option('--quiet', 'no progress on stderr')
    .addHelpText('after', '\nExit codes: 0 intact, 1 tampered (edited, deleted, inserted, reordered or bad checkpoint), 2 error, including AUDIT_NOT_FOUND\n(no store file, or a log without events), 3 chain intact but checkpoints exist and no key was there to check their\nsignatures (--chain-only: 0). Read-only: it never creates or changes the store.')
    .action(async (opts: { publicKey?: string; keyEnv?: string; chainOnly?: boolean; quiet?: boolean; anchor?: string }) => {
      let store: Store | undefined;
      try {
        let publicKey;
        const keyEnv = opts.publicKey ? '' : (opts.keyEnv ?? (await signingKeyEnv()));
        if (opts.publicKey) publicKey = parseAuditPublicKey(readKeyArg(opts.publicKey));
        else if (process.env[keyEnv]) publicKey = createAuditSigner(process.env[keyEnv]!).publicKey;
        else {
          const dev = await devKey();
          if (dev) {
            publicKey = createAuditSigner(dev.privateKey).publicKey;
            if (!opts.quiet) process.stderr.write(`${keyEnv} is not set: checking signatures with the development key in ${dev.file}\n`);
          }
        }
        store = await openStore();
        let lastReport = Date.now();
        const every = await checkpointEvery();
        const anchors = opts.anchor !== undefined ? readAnchors(opts.anchor) : undefined;
        // The anchors are checked themselves first: a file that is not what `export --checkpoints` of this log's key
        // wrote is the auditor's problem (exit 2), not the log's.
        if (anchors && publicKey) {
          const bad = anchors.find((a) => !verifyCheckpointSignature(a, publicKey));
          if (bad) throw new CountersignError('BAD_REQUEST', `${opts.anchor}: the anchor for event ${bad.seq} does not verify under the public key (key id ${bad.keyId}): not a checkpoint of this log's key`);
        }
        const r = await verifyAudit(store, {
          publicKey,
          ...(every !== undefined ? { checkpointEvery: every } : {}),
          ...(anchors ? { anchors } : {}),
          onProgress: (checked, total) => {
            if (opts.quiet || Date.now() - lastReport < 1000) return;
            lastReport = Date.now();
            process.stderr.write(`verified ${checked.toLocaleString('en')} of ${total.toLocaleString('en')} events\n`);
          },
        });
        const sigs =
          r.checkpoints === 0
            ? 'none signed yet: a gateway signs one every audit.checkpoint_every events, every audit.checkpoint_interval and on shutdown'
            : r.signaturesChecked
              ? 'signatures verified'
              : `signatures NOT checked: no public key (set ${keyEnv || 'the signing key env'} or pass --public-key)`;
        if (r.ok && r.checked === 0) {
          // A log every gateway writes to (gateway.started, ...) is never empty: this is a wrong path or a recreated file.
          throw new CountersignError('AUDIT_NOT_FOUND', 'the audit log has no events: nothing was verified (a wrong --config or store.path, or a log that was deleted and recreated?)');
        }
        if (r.ok) {
          const anchored = anchors ? `; ${anchors.length} anchor${anchors.length === 1 ? '' : 's'} kept off the host matched` : '';
          console.log(`audit log intact: ${r.checked} events, ${r.checkpoints} checkpoints (${sigs}); ${r.unsignedTail} events after the last checkpoint${anchored}`);
          // Forged checkpoints over a rewritten chain pass an unkeyed check: a script testing $? must not take that as
          // verified unless it asked for the chain only.
          const unchecked = r.checkpoints > 0 && !r.signaturesChecked && !opts.chainOnly;
          process.exitCode = unchecked ? AUDIT_VERIFY_EXIT.unchecked : AUDIT_VERIFY_EXIT.intact;
        } else {
          const b = r.firstBad!;
          console.log(`audit log TAMPERED: first bad event seq ${b.seq}: ${b.problem} (${b.detail}); ${r.checked} events checked before it`);
          process.exitCode = AUDIT_VERIFY_EXIT.tampered;
        }
      } catch (e) {
        printError(e);
        process.exitCode = AUDIT_VERIFY_EXIT.error;
      } finally {
        await store?.close().catch(() => undefined);
      }
    });

  audit
    .command('export')
    .description('Write audit events to stdout, one JSON object per line, in seq order')
    .option('--format <format>', 'output format (jsonl)', 'jsonl')
    .option('--since <seq>', 'only events after this seq (resume from the last seq you exported)', seqOption)
    .option('--until <seq>', 'only events up to and including this seq', seqOption)
    .option('--from <time>', 'only events at or after this time: ISO 8601 (2026-11-21T00:00:00Z) or a duration ago (24h, 7d)', timeOption)
    .option('--to <time>', 'only events before this time (same forms as --from)', timeOption)
    .option('--checkpoints', 'write the signed checkpoints instead of the events: keep them off the host, and check the log against them later with `audit verify --anchor`')
    .addHelpText(
      'after',
      '\nEach line: {seq, at, code, severity, type, body, prevHash, hash}. Bodies are masked when written.\nWith --checkpoints: {checkpoint, hash, at, keyId, signature} per signed checkpoint (--since/--until by seq, --from/--to by its time).',
    )
    .action(async (opts: { format: string; since?: number; until?: number; from?: number; to?: number; checkpoints?: boolean }) => {
      let store: Store | undefined;
      try {
        if (opts.format !== 'jsonl') throw new Error(`unsupported format ${JSON.stringify(opts.format)} (supported: jsonl)`);
        store = await openStore();
        const out = stdoutSink();
        if (opts.checkpoints) {
          for (const c of await store.checkpoints()) {
            if (c.seq <= (opts.since ?? 0) || (opts.until !== undefined && c.seq > opts.until)) continue;
            if ((opts.from !== undefined && c.at < opts.from) || (opts.to !== undefined && c.at >= opts.to)) continue;
            if (!(await out.write(checkpointLine(c)))) break;
          }
        } else {
          const range = { from: (opts.since ?? 0) + 1, to: opts.until, ...(opts.from !== undefined ? { fromTime: opts.from } : {}), ...(opts.to !== undefined ? { toTime: opts.to } : {}) };
          for await (const line of exportAudit(store, range)) if (!(await out.write(line))) break;
        }
        const failure = out.failure();
        if (failure) throw failure;
      } catch (e) {
        printError(e);
        process.exitCode = 2;
      } finally {
        await store?.close().catch(() => undefined);
      }
    });

  audit
    .command('keygen')
    .description('Print a new Ed25519 checkpoint signing key for the env var, and its public key')
    .option('--env <name>', 'env var name to print', 'COUNTERSIGN_AUDIT_KEY')
    .addHelpText('after', '\nKeep the private line secret (a secret manager, not the config file). Give the public key to auditors.')
    .action((opts: { env: string }) => {
      const k = generateAuditKeyPair();
      console.log(`${opts.env}=${k.privateKey}`);
      console.log(`# public key (audit verify --public-key): ${k.publicKey}`);
      console.log(`# key id: ${k.keyId}`);
    });
}
