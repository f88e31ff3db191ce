import { fstatSync } from 'node:fs';
import type { Command } from 'commander';
import { configOption } from '../options.js';
import { CountersignError, isCountersignError } from '../../core/errors.js';
import type { MaskingConfig, MaskingEngine } from '../../masking/index.js';
// The engine and the config loader are imported when a command runs: `countersign --help` and the other commands
// do not pay for loading them.

interface Opts {
  config?: string;
  profile?: string;
  field?: string;
}

async function masking(opts: Opts): Promise<MaskingConfig> {
  const file = opts.config ?? process.env.COUNTERSIGN_CONFIG;
  const { maskingConfigSchema } = await import('../../masking/index.js');
  if (!file) return maskingConfigSchema.parse({});
  const { loadConfig } = await import('../../config/load.js');
  const cfg = await loadConfig(file);
  return cfg.masking;
}

/** stdin as strings, decoded as UTF-8 across chunk boundaries (a character split between reads stays whole). */
async function* stdinText(): AsyncGenerator<string> {
  // Node reads a directory on stdin as empty input (its EISDIR is swallowed): say so instead of succeeding silently.
  let dir = false;
  try {
    dir = fstatSync(0).isDirectory();
  } catch {
    // no stdin to look at (closed): read it as it is
  }
  if (dir) throw new CountersignError('BAD_REQUEST', 'stdin is a directory: give a file or a stream (countersign mask < file)');
  // ignoreBOM: a byte-order mark is input like any other bytes, and `mask` keeps every byte it does not mask.
  const dec = new TextDecoder('utf-8', { ignoreBOM: true });
  for await (const b of process.stdin) {
    const s = dec.decode(b as Buffer, { stream: true });
    if (s) yield s;
  }
  const tail = dec.decode();
  if (tail) yield tail;
}

/** Write to stdout, waiting for it to drain when it is full; each wait removes both its listeners when it ends. */
function write(s: string): Promise<void> {
  return new Promise((resolve, reject) => {
    if (process.stdout.write(s)) return resolve();
    const drained = () => {
      process.stdout.off('error', failed);
      resolve();
    };
    const failed = (e: Error) => {
      process.stdout.off('drain', drained);
      reject(e);
    };
    process.stdout.once('drain', drained).once('error', failed);
  });
}

function fail(e: unknown): never {
  if (isCountersignError(e)) console.error(`error: ${e.code}: ${e.message}`);
  else console.error(`error: ${(e as Error)?.message ?? String(e)}`);
  process.exit(1);
}

async function engineFor(opts: Opts, forMasking: boolean): Promise<MaskingEngine> {
  const { createMasker } = await import('../../masking/index.js');
  const config = await masking(opts);
  const known = Object.keys(config.profiles);
  if (opts.profile && !known.includes(opts.profile) && opts.profile !== 'default') {
    throw new Error(`unknown masking profile "${opts.profile}" (known: ${[...new Set(['default', ...known])].join(', ')})`);
  }
  // Reversible tokens live in the gateway's token store, where only an approved unmask reveals them: this command
  // opens no store, so it says so up front instead of failing on the first value.
  const name = opts.profile ?? config.default_profile;
  if (forMasking && Object.values(config.profiles[name]?.transforms ?? {}).includes('token')) {
    const { CountersignError } = await import('../../core/errors.js');
    throw new CountersignError('BAD_REQUEST', `masking profile "${name}" issues reversible tokens, which only a gateway keeps (in its token store, for an approved unmask): countersign mask cannot use it; pick a redact, partial or hash profile here, or mask through the gateway`);
  }
  // Only the profile used here is built: another profile's hash key, missing on this machine, is no reason to refuse.
  const only = config.profiles[name];
  return createMasker({ ...config, default_profile: name, profiles: only ? { [name]: only } : {} });
}

/**
 * Add `mask` and `scan` to a commander program (called by src/cli/main.ts).
 *
 * @example
 * const program = new Command('countersign');
 * registerMaskCommands(program);
 * await program.parseAsync(['node', 'countersign', 'mask']); // stdin → masked stdout
 */
export function registerMaskCommands(program: Command): void {
  program
    .command('mask')
    .description('Mask sensitive data in the text on stdin and write it to stdout; everything else is kept byte for byte')
    .option('-c, --config <path>', 'configuration file with a masking section (default: $COUNTERSIGN_CONFIG, else built-in defaults)')
    .option('-p, --profile <name>', 'masking profile (default: the configuration\'s default_profile)')
    .option('-f, --field <name>', 'field or column name the whole input came from, used as context (e.g. email)')
    .addHelpText(
      'after',
      [
        '',
        'Reads any text (logs, JSON, CSV, .env, tickets) as a stream and masks it chunk by chunk, so large input',
        'stays in bounded memory. JSON (a document, JSON Lines) and tables with a header row (CSV, TSV, psql, Markdown)',
        'are masked value by value with their keys or column names as context, every other byte kept.',
        'Profiles with reversible tokens need the gateway\'s token store and cannot run here;',
        'hash transforms need the key named by masking.key_env. On any masking error the output stops (nothing unmasked',
        'is written), the error goes to stderr and the exit code is 1.',
        '',
        'Example: countersign mask < ticket.txt > ticket.masked.txt',
      ].join('\n'),
    )
    .action(async (opts: Opts, cmd: Command) => {
      try {
        const engine = await engineFor({ ...opts, config: configOption(cmd) }, true);
        const ctx = { profile: opts.profile, field: opts.field };
        // Masked output is written piece by piece; a failure stops the stream (nothing unmasked is written).
        for await (const piece of engine.maskStream(stdinText(), ctx)) await write(piece);
      } catch (e) {
        fail(e);
      }
    });

  program
    .command('scan')
    .description('Print the sensitive values found in stdin as JSON lines: type, start, end, confidence, detector (never the value)')
    .option('-c, --config <path>', 'configuration file with a masking section (default: $COUNTERSIGN_CONFIG, else built-in defaults)')
    .option('-p, --profile <name>', 'masking profile whose confidence threshold and detectors apply')
    .option('-f, --field <name>', 'field or column name the whole input came from, used as context')
    .addHelpText('after', '\nOffsets are UTF-16 code units from the start of the input, as JavaScript strings count them.\n\nExample: countersign scan < app.log | jq .type | sort | uniq -c')
    .action(async (opts: Opts, cmd: Command) => {
      try {
        const engine = await engineFor({ ...opts, config: configOption(cmd) }, false);
        const ctx = { profile: opts.profile, field: opts.field };
        let base = 0;
        const { maskChunks } = await import('../../masking/stream.js');
        for await (const piece of maskChunks(stdinText(), (t) => engine.scanSync(t, ctx))) {
          let out = '';
          for (const f of piece.findings) {
            out += JSON.stringify({ type: f.type, start: base + f.start, end: base + f.end, confidence: f.confidence, detector: f.detector }) + '\n';
          }
          base += piece.text.length;
          if (out) await write(out);
        }
      } catch (e) {
        fail(e);
      }
    });
}
