import type { Command } from 'commander';

/**
 * `--config` wherever it was given. `countersign` itself has a `-c, --config` and commander hands an option that both
 * the program and a subcommand define to the program, so a subcommand reading only its own options would miss
 * `countersign policy check --config x.yaml`.
 *
 * @example .action(async (opts, cmd: Command) => loadConfig(configOption(cmd) ?? 'countersign.yaml'))
 */
export function configOption(cmd: Command): string | undefined {
  return cmd.optsWithGlobals<{ config?: string }>().config;
}
