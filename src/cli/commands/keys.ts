import { hostname, userInfo } from 'node:os';
import { Option, type Command } from 'commander';
import { systemClock, type Clock } from '../../core/clock.js';
import { CountersignError, asCountersignError, isCountersignError } from '../../core/errors.js';
import { samePrincipalId, type Principal } from '../../core/identity.js';
import { createApiKey, listApiKeys, revokeApiKey, type ApiKeyInfo } from '../../identity/api-keys.js';
import type { AuditEventInput } from '../../audit/types.js';
import type { KeyStore } from '../../store/types.js';

/** Where `keys create` / `keys revoke` record `key.created` / `key.revoked`: the gateway's audit log. */
export interface KeysAudit {
  append(event: AuditEventInput): Promise<unknown>;
  /** Flush and sign a checkpoint; does not close the store. */
  close(): Promise<void>;
}

/**
 * What the keys commands need of a store: its keys, a way to let go of it, and the audit log key changes are
 * recorded in (src/cli/main.ts always gives one; without it nothing is recorded, for unit tests of the output).
 */
export type KeysCommandStore = KeyStore & {
  close(): Promise<void>;
  audit?: KeysAudit;
  /** Cancel the pending approval requests made with this key (recorded as approval.cancelled by `by`); their ids. */
  cancelPendingForKey?(key: { id: string; principalId: string }, by: string): Promise<string[]>;
  /** Principal ids the config's static tokens stand for: a key must not take one (it would share its masking tokens). */
  staticPrincipalIds?: string[];
};

/** Who ran the command, as far as the machine can tell: the OS user and host. Recorded as the actor of key events. */
export function cliOperator(): { id: string; type: 'operator'; host: string } {
  let user: string;
  try {
    user = userInfo().username;
  } catch {
    user = process.env.USER ?? process.env.USERNAME ?? 'unknown';
  }
  return { id: `os:${user}`, type: 'operator', host: hostname() };
}

const keyRef = (p: Principal) => ({ id: p.id, type: p.type, groups: p.groups, ...(p.onBehalfOf !== undefined ? { onBehalfOf: p.onBehalfOf } : {}) });

/** Where the commands write; tests capture it, the real CLI uses the process's streams. */
export interface KeysCommandIo {
  out(text: string): void;
  err(text: string): void;
  setExitCode(code: number): void;
  clock: Clock;
  /** The actor recorded on key events; default: the OS user and host (cliOperator). */
  operator: () => { id: string; type: string; host?: string };
}

const defaultIo: KeysCommandIo = {
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
  setExitCode: (c) => {
    process.exitCode = c;
  },
  clock: systemClock,
  operator: cliOperator,
};

const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$/;

const collect = (value: string, previous: string[]): string[] => [...previous, value];
const iso = (ms: number | undefined): string => (ms === undefined ? '-' : new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z'));

function table(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join('  ')).join('\n') + '\n';
}

function publicView(k: ApiKeyInfo): Record<string, unknown> {
  return {
    id: k.id,
    principal: k.principal.id,
    type: k.principal.type,
    ...(k.principal.name !== undefined ? { name: k.principal.name } : {}),
    groups: k.principal.groups,
    ...(k.principal.onBehalfOf !== undefined ? { onBehalfOf: k.principal.onBehalfOf } : {}),
    createdAt: iso(k.createdAt),
    ...(k.lastUsedAt !== undefined ? { lastUsedAt: iso(k.lastUsedAt) } : {}),
    ...(k.revokedAt !== undefined ? { revokedAt: iso(k.revokedAt) } : {}),
    status: k.revokedAt === undefined ? 'active' : 'revoked',
  };
}

/**
 * Add `keys create`, `keys list` and `keys revoke` to a commander program (called by src/cli/main.ts). Each command
 * opens the store with `openStore`, and closes it when done.
 *
 * @example
 * const program = new Command('countersign');
 * registerKeysCommands(program, async () => openStoreFromConfig(await loadConfig(path)));
 * await program.parseAsync(process.argv);
 */
export function registerKeysCommands(program: Command, openStore: (opts?: { create?: boolean }) => Promise<KeysCommandStore>, io: Partial<KeysCommandIo> = {}): void {
  const { out, err, setExitCode, clock, operator } = { ...defaultIo, ...io };

  async function withStore(f: (store: KeysCommandStore) => Promise<void>, opts: { create?: boolean } = {}): Promise<void> {
    let store: KeysCommandStore | undefined;
    try {
      store = await openStore(opts);
      await f(store);
    } catch (e) {
      err(isCountersignError(e) ? `error: ${e.code}: ${e.message}\n` : `error: ${(e as Error)?.message ?? String(e)}\n`);
      setExitCode(1);
    } finally {
      await store?.audit?.close().catch(() => undefined);
      await store?.close().catch(() => undefined);
    }
  }

  /** Record a key event, the operator as its actor; never the key or its hash. */
  async function recordKeyEvent(store: KeysCommandStore, type: 'key.created' | 'key.revoked', info: { id: string; principal: Principal }): Promise<void> {
    if (!store.audit) return;
    const who = operator();
    await store.audit.append({
      type,
      principal: { id: who.id, type: who.type },
      resource: `key:${info.id}`,
      summary: `API key ${info.id} ${type === 'key.created' ? 'created for' : 'revoked for'} ${info.principal.id}`,
      data: { keyId: info.id, key: keyRef(info.principal), via: 'cli', ...(who.host ? { host: who.host } : {}) },
    });
  }

  const keys = program
    .command('keys')
    .description('Manage API keys for agents and services (only a hash of each key is stored)');

  keys
    .command('create')
    .description('Create an API key and print it once, on stdout')
    .requiredOption('--name <name>', 'agent or service name; the principal id becomes <type>:<name>')
    .addOption(new Option('--type <type>', 'kind of principal').choices(['agent', 'service']).makeOptionMandatory())
    .option('--group <group>', 'group the key belongs to (repeatable)', collect, [])
    .option('--on-behalf-of <user>', 'the person the agent acts for (their id, e.g. email); they cannot approve its requests')
    .option('--id <id>', 'public key id (default: random); 3-64 letters, digits or "-"')
    .option('--json', 'print { id, key, principal } as JSON instead of the bare key')
    .option('--init-store', 'create the store if there is none yet (a fresh install, before the first `countersign serve` or `countersign mcp`)')
    .addHelpText(
      'after',
      [
        '',
        'The key (cs_<id>_<secret>) is printed once, to stdout; it cannot be shown again. Keep it in a secret store.',
        '',
        'Example:',
        '  countersign keys create --name deploy-bot --type agent --group deployers --on-behalf-of alice@example.com',
      ].join('\n'),
    )
    .action(async (opts: { name: string; type: 'agent' | 'service'; group: string[]; onBehalfOf?: string; id?: string; json?: boolean; initStore?: boolean }) => {
      if (!NAME_RE.test(opts.name)) {
        err('error: --name is 1-64 letters, digits, "_", ".", "@" or "-", starting with a letter or digit\n');
        setExitCode(1);
        return;
      }
      await withStore(async (store) => {
        // One principal id, one identity: a key under a static token's id would see (and could ask to unmask) the
        // masking tokens made for that identity, and approvers could not tell the two apart.
        const id = `${opts.type}:${opts.name}`;
        if (store.staticPrincipalIds?.some((p) => samePrincipalId(p, id))) {
          throw new CountersignError('PRINCIPAL_TAKEN', `${id} is the principal of a static token in identity.static_tokens: give the key another --name (or remove the static token first)`);
        }
        const { key, stored } = await createApiKey(
          store,
          {
            principalId: `${opts.type}:${opts.name}`,
            type: opts.type,
            name: opts.name,
            groups: opts.group,
            ...(opts.id !== undefined ? { id: opts.id } : {}),
            ...(opts.onBehalfOf !== undefined ? { onBehalfOf: opts.onBehalfOf } : {}),
          },
          clock,
        );
        try {
          await recordKeyEvent(store, 'key.created', stored);
        } catch (e) {
          // A key whose creation is not on record is not handed out: revoke it at once (fail closed).
          await revokeApiKey(store, stored.id, clock).catch(() => undefined);
          const cause = asCountersignError(e);
          throw new CountersignError(cause.code === 'INTERNAL' ? 'AUDIT_UNAVAILABLE' : cause.code, `the key could not be recorded in the audit log, so it was revoked and not shown: ${cause.message}`);
        }
        out(opts.json ? `${JSON.stringify({ id: stored.id, key, principal: stored.principal })}\n` : `${key}\n`);
        const groups = stored.principal.groups.length ? stored.principal.groups.join(', ') : 'none';
        err(`Created API key ${stored.id} for ${stored.principal.id} (groups: ${groups}${stored.principal.onBehalfOf ? `; on behalf of ${stored.principal.onBehalfOf}` : ''}).\n`);
        err('Store this key now: it is shown only once and cannot be recovered.\n');
      }, { create: opts.initStore });
    });

  keys
    .command('list')
    .description('List API keys: id, principal, groups, dates and status (never the key or its hash)')
    .option('--json', 'print a JSON array')
    .option('--active', 'only keys that are not revoked')
    .action(async (opts: { json?: boolean; active?: boolean }) => {
      await withStore(async (store) => {
        const all = (await listApiKeys(store)).filter((k) => !opts.active || k.revokedAt === undefined);
        if (opts.json) {
          out(`${JSON.stringify(all.map(publicView), null, 2)}\n`);
          return;
        }
        if (all.length === 0) {
          out('No API keys.\n');
          return;
        }
        const rows = [['ID', 'PRINCIPAL', 'TYPE', 'GROUPS', 'ON BEHALF OF', 'CREATED', 'LAST USED', 'STATUS']];
        for (const k of all) {
          rows.push([k.id, k.principal.id, k.principal.type, k.principal.groups.join(',') || '-', k.principal.onBehalfOf ?? '-', iso(k.createdAt), iso(k.lastUsedAt), k.revokedAt === undefined ? 'active' : `revoked ${iso(k.revokedAt)}`]);
        }
        out(table(rows));
      });
    });

  keys
    .command('revoke')
    .description('Revoke an API key by its id; it is refused from now on. Revocation is final.')
    .argument('<id>', 'key id (the part after cs_ and before the next _; see `keys list`)')
    .action(async (id: string) => {
      await withStore(async (store) => {
        const wasActive = (await store.getKey(id))?.revokedAt === undefined;
        const info = await revokeApiKey(store, id, clock);
        out(wasActive ? `Revoked API key ${info.id} (${info.principal.id}) at ${iso(info.revokedAt)}.\n` : `API key ${info.id} (${info.principal.id}) was already revoked, at ${iso(info.revokedAt)}; nothing changed.\n`);
        // Revoked first, recorded after: a failing audit log must not keep a leaked key alive.
        if (wasActive) await recordKeyEvent(store, 'key.revoked', info);
        // Its held actions would be refused anyway (the pipeline re-checks the key before running one); cancelling
        // them tells approvers not to bother and ends the agent's wait now.
        const cancelled = (await store.cancelPendingForKey?.({ id: info.id, principalId: info.principal.id }, operator().id)) ?? [];
        if (cancelled.length > 0) err(`Cancelled ${cancelled.length} pending approval request(s) made with this key: ${cancelled.join(', ')}.\n`);
      });
    });
}
