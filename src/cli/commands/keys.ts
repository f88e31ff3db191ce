import { Option, type Command } from 'commander';
import { systemClock, type Clock } from '../../core/clock.js';
import { isCountersignError } from '../../core/errors.js';
import { createApiKey, listApiKeys, revokeApiKey, type ApiKeyInfo } from '../../identity/api-keys.js';
import type { KeyStore } from '../../store/types.js';

/** What the keys commands need of a store: its keys, and a way to let go of it. A full `Store` qualifies. */
export type KeysCommandStore = KeyStore & { close(): Promise<void> };

/** Where the commands write; tests capture it, the real CLI uses the process's streams. */
export interface KeysCommandIo {
  out(text: string): void;
  err(text: string): void;
  setExitCode(code: number): void;
  clock: Clock;
}

const defaultIo: KeysCommandIo = {
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
  setExitCode: (c) => {
    process.exitCode = c;
  },
  clock: systemClock,
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
export function registerKeysCommands(program: Command, openStore: () => Promise<KeysCommandStore>, io: Partial<KeysCommandIo> = {}): void {
  const { out, err, setExitCode, clock } = { ...defaultIo, ...io };

  async function withStore(f: (store: KeysCommandStore) => Promise<void>): Promise<void> {
    let store: KeysCommandStore | undefined;
    try {
      store = await openStore();
      await f(store);
    } catch (e) {
      err(isCountersignError(e) ? `error: ${e.code}: ${e.message}\n` : `error: ${(e as Error)?.message ?? String(e)}\n`);
      setExitCode(1);
    } finally {
      await store?.close().catch(() => undefined);
    }
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
    .action(async (opts: { name: string; type: 'agent' | 'service'; group: string[]; onBehalfOf?: string; id?: string; json?: boolean }) => {
      if (!NAME_RE.test(opts.name)) {
        err('error: --name is 1-64 letters, digits, "_", ".", "@" or "-", starting with a letter or digit\n');
        setExitCode(1);
        return;
      }
      await withStore(async (store) => {
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
        out(opts.json ? `${JSON.stringify({ id: stored.id, key, principal: stored.principal })}\n` : `${key}\n`);
        const groups = stored.principal.groups.length ? stored.principal.groups.join(', ') : 'none';
        err(`Created API key ${stored.id} for ${stored.principal.id} (groups: ${groups}${opts.onBehalfOf ? `; on behalf of ${opts.onBehalfOf}` : ''}).\n`);
        err('Store this key now: it is shown only once and cannot be recovered.\n');
      });
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
        const info = await revokeApiKey(store, id, clock);
        out(`Revoked API key ${info.id} (${info.principal.id}) at ${iso(info.revokedAt)}.\n`);
      });
    });
}
