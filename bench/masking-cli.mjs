#!/usr/bin/env node
// Runs `countersign mask` / `countersign scan` from the sources until src/cli/main.ts wires them:
//   node --import tsx bench/masking-cli.mjs mask < in.txt > out.txt
import { Command } from 'commander';
import { registerMaskCommands } from '../src/cli/commands/mask.ts';

const program = new Command('countersign').exitOverride((e) => process.exit(e.exitCode));
registerMaskCommands(program);
await program.parseAsync(process.argv);
