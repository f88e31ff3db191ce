import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { CountersignError } from '../core/errors.js';
import { compileValidatedPolicy, lintRawPolicy } from '../policy/compile.js';
import type { CompiledPolicy } from '../policy/engine.js';
import { parseDuration } from './duration.js';
import { fromZodIssues, type RawIssue } from './issues.js';
import { formatPath, locate } from './locate.js';
import { configSchema, type CountersignConfig } from './schema.js';
import { approvalsConfigSchema } from './sections.js';
import { findSecretLiterals } from './secrets.js';
import { configWarnings } from './warnings.js';
import { profileReferenceIssues } from './references.js';

/** One problem in a config file, as listed in CONFIG_INVALID's `details`. */
export interface ConfigErrorDetail {
  /** Field path, e.g. `policy.rules[2].when`. */
  path: string;
  line: number;
  column: number;
  message: string;
}

/** A loaded, validated configuration: every section with defaults applied, plus what the loader derived. */
export type LoadedConfig = CountersignConfig & {
  /** Absolute path of the file (or the name given to parseConfigText). */
  file: string;
  /** The file's directory: relative paths in the config (store.path, ...) resolve against it. */
  baseDir: string;
  /** The `policy:` section compiled once; evaluate() only matches. */
  compiledPolicy: CompiledPolicy;
  /** Things that are valid but probably wrong (a rule naming no configured resource). */
  warnings: string[];
};

/**
 * Load, validate and compile `countersign.yaml`. Reports every error at once:
 * CountersignError('CONFIG_INVALID', message with one `file:line:column path: message` line per error,
 * details: ConfigErrorDetail[]); CountersignError('CONFIG_NOT_FOUND') when the file does not exist.
 *
 * @example
 * const cfg = await loadConfig('countersign.yaml');
 * cfg.server.port; cfg.compiledPolicy.evaluate(action); resolve(cfg.baseDir, cfg.store.path);
 */
export async function loadConfig(path: string): Promise<LoadedConfig> {
  const file = resolve(path);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new CountersignError('CONFIG_NOT_FOUND', `configuration file not found: ${file}`, { file });
    throw new CountersignError('CONFIG_INVALID', `cannot read configuration file ${file}: ${code ?? (e as Error).message}`, [
      { path: '(file)', line: 1, column: 1, message: `cannot read: ${code ?? (e as Error).message}` },
    ]);
  }
  return parseConfigText(text, file);
}

/**
 * Validate and compile config text; `fileName` is used in messages and for `baseDir`.
 *
 * @example parseConfigText('server:\n  port: 9000\n', 'test.yaml').server.port // 9000
 */
export function parseConfigText(text: string, fileName: string): LoadedConfig {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true });
  const fail = (details: ConfigErrorDetail[]): never => {
    details.sort((a, b) => a.line - b.line || a.column - b.column);
    const list = details.map((d) => `  ${fileName}:${d.line}:${d.column} ${d.path}: ${d.message}`).join('\n');
    const n = details.length;
    throw new CountersignError('CONFIG_INVALID', `invalid configuration ${fileName} (${n} error${n === 1 ? '' : 's'}):\n${list}`, details);
  };

  const yamlIssues = doc.errors.map((e) => ({
    path: '(yaml)',
    line: e.linePos?.[0].line ?? 1,
    column: e.linePos?.[0].col ?? 1,
    message: e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, ''),
  }));
  // A syntax error leaves nothing to check; a key written twice still leaves a document (the last value wins), so the
  // rest of the file is checked too and every problem is reported in one run.
  if (doc.errors.some((e) => e.code !== 'DUPLICATE_KEY')) fail(yamlIssues);
  const raw: unknown = doc.contents === null ? {} : doc.toJS({ maxAliasCount: 100 });
  const at = (i: RawIssue): ConfigErrorDetail => ({ path: formatPath(i.path), ...locate(doc, lines, i.path, i.atKey), message: i.message });

  const issues: RawIssue[] = [];
  const secrets = findSecretLiterals(doc);
  const secretPaths = new Set(secrets.map((s) => formatPath(s.path)));
  issues.push(...secrets);
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    // A secret key is also an unknown field; say it once, as the secret it is.
    issues.push(...fromZodIssues(parsed.error.issues).filter((i) => !secretPaths.has(formatPath(i.path))));
    const policy = (raw as { policy?: unknown } | null)?.policy;
    const rawMaxWait = (raw as { approvals?: { max_wait?: unknown } } | null)?.approvals?.max_wait;
    const maxWaitSeconds = parseDuration(rawMaxWait === undefined ? approvalsConfigSchema.parse({}).max_wait : typeof rawMaxWait === 'string' ? rawMaxWait : '');
    issues.push(...lintRawPolicy(policy, { maxWaitSeconds }).map((i) => ({ ...i, path: ['policy', ...i.path] })));
    // Names one section uses that another must define are checked on the raw config too, so one run reports them
    // with the schema's problems ("every problem at once").
    issues.push(...rawReferenceIssues(raw));
    fail([...yamlIssues, ...dedupe(issues).map(at)]);
  }
  const config = parsed.data!;
  const defaultTimeout = parseDuration(config.approvals.default_timeout)!;
  const maxWait = parseDuration(config.approvals.max_wait)!;
  if (defaultTimeout > maxWait) {
    issues.push({ path: ['approvals', 'default_timeout'], message: `default_timeout ${config.approvals.default_timeout} is longer than max_wait ${config.approvals.max_wait}` });
  }
  const compiled = compileValidatedPolicy(config.policy, { defaultTimeoutSeconds: defaultTimeout, maxWaitSeconds: maxWait });
  issues.push(...compiled.issues.map((i) => ({ ...i, path: ['policy', ...i.path] })));
  issues.push(...profileReferenceIssues(config));
  if (yamlIssues.length > 0 || issues.length > 0) fail([...yamlIssues, ...dedupe(issues).map(at)]);

  const file = fileName;
  return {
    ...config,
    file,
    baseDir: dirname(resolve(file)),
    compiledPolicy: compiled.policy!,
    warnings: configWarnings(config),
  };
}

/** profileReferenceIssues on a config that failed the schema: what can be read of it (nothing, if its shape is off). */
function rawReferenceIssues(raw: unknown): RawIssue[] {
  const r = (raw ?? {}) as { masking?: { profiles?: unknown; default_profile?: unknown }; policy?: { rules?: unknown } };
  const profiles = r.masking?.profiles;
  const rules = r.policy?.rules;
  if ((profiles !== undefined && (typeof profiles !== 'object' || profiles === null)) || (rules !== undefined && !Array.isArray(rules))) return [];
  const defaultProfile = typeof r.masking?.default_profile === 'string' ? r.masking.default_profile : 'default';
  const loose = {
    masking: { profiles: (profiles ?? {}) as Record<string, unknown>, default_profile: defaultProfile },
    policy: { rules: ((rules ?? []) as unknown[]).map((x) => (x && typeof x === 'object' && typeof (x as { mask?: unknown }).mask === 'string' ? x : {})) },
  };
  return profileReferenceIssues(loose as unknown as Parameters<typeof profileReferenceIssues>[0]);
}

function dedupe(issues: RawIssue[]): RawIssue[] {
  const seen = new Set<string>();
  return issues.filter((i) => {
    const k = formatPath(i.path) + '\0' + i.message;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
