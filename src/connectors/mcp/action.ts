import type { ActionInput, ActionKind } from '../../core/action.js';
import type { Principal } from '../../core/identity.js';

/** The MCP tool annotations Countersign reads (all hints, set by the upstream server). */
export interface ToolAnnotations {
  readOnlyHint?: boolean;
  destructiveHint?: boolean;
  idempotentHint?: boolean;
  openWorldHint?: boolean;
}

/** Separates the upstream prefix from the upstream's own tool name: `github.create_issue`. */
export const TOOL_SEPARATOR = '.';

/**
 * The name an agent sees for an upstream tool.
 *
 * @example exposedToolName('github', 'create_issue') // 'github.create_issue'
 */
export function exposedToolName(upstream: string, tool: string): string {
  return upstream + TOOL_SEPARATOR + tool;
}

/**
 * Split an exposed name back into upstream and tool. Upstream names never contain the separator, so the first one
 * splits; the tool part may contain more dots.
 *
 * @example splitToolName('fs.read.file') // { upstream: 'fs', tool: 'read.file' }
 */
export function splitToolName(name: string): { upstream: string; tool: string } | undefined {
  const i = name.indexOf(TOOL_SEPARATOR);
  if (i <= 0 || i === name.length - 1) return undefined;
  return { upstream: name.slice(0, i), tool: name.slice(i + 1) };
}

/**
 * Risk tags from tool annotations, with the MCP defaults applied when a hint is absent: readOnlyHint false,
 * destructiveHint true, idempotentHint false, openWorldHint true (destructive/idempotent only mean something for
 * tools that are not read-only). Hints come from the upstream and are not proof: policy may also match tool names.
 *
 * @example annotationTags({ readOnlyHint: true }) // ['open_world', 'read_only']
 */
export function annotationTags(a: ToolAnnotations | undefined): string[] {
  const tags: string[] = [];
  const readOnly = a?.readOnlyHint === true;
  if (readOnly) tags.push('read_only');
  else {
    if (a?.destructiveHint !== false) tags.push('destructive');
    if (a?.idempotentHint === true) tags.push('idempotent');
  }
  if (a?.openWorldHint !== false) tags.push('open_world');
  return tags.sort();
}

/** `read` for tools that declare readOnlyHint, `tool_call` for the rest. */
export function toolKind(a: ToolAnnotations | undefined): ActionKind {
  return a?.readOnlyHint === true ? 'read' : 'tool_call';
}

const SUMMARY_ARGS_MAX = 200;

/**
 * One line for people: the exposed tool name and its (already masked) arguments, cut to a readable length.
 *
 * @example toolSummary('fs', 'read_file', { path: '/tmp/a' }) // 'fs.read_file {"path":"/tmp/a"}'
 */
export function toolSummary(upstream: string, tool: string, maskedArgs: unknown): string {
  let args = maskedArgs === undefined ? '{}' : JSON.stringify(maskedArgs) ?? '{}';
  if (args.length > SUMMARY_ARGS_MAX) args = args.slice(0, SUMMARY_ARGS_MAX - 1) + '…';
  return `${exposedToolName(upstream, tool)} ${args}`;
}

/**
 * The action for one `tools/call`. `detail` holds the upstream's own tool name and the raw arguments (the digest
 * covers them, so an approval binds to this exact call); `summary` must already be masked.
 *
 * @example
 * toolCallInput({ principal, upstream: 'fs', tool: 'write_file', annotations: { destructiveHint: true },
 *   arguments: { path: '/tmp/a', content: 'x' }, summary: 'fs.write_file {"path":"/tmp/a","content":"x"}' })
 * // { connector: 'mcp', resource: 'fs', kind: 'tool_call', tags: ['destructive', 'open_world'], ... }
 */
export function toolCallInput(p: {
  principal: Principal;
  upstream: string;
  tool: string;
  annotations?: ToolAnnotations;
  arguments: Record<string, unknown>;
  summary: string;
  context?: Record<string, unknown>;
}): ActionInput {
  return mcpInput(p, toolKind(p.annotations), annotationTags(p.annotations), { tool: p.tool, arguments: p.arguments });
}

/** The action for one `resources/read`: kind `read`, tagged `read_only` and `resource`. */
export function resourceReadInput(p: { principal: Principal; upstream: string; uri: string; summary: string }): ActionInput {
  return mcpInput(p, 'read', ['read_only', 'resource'], { resource_uri: p.uri });
}

/** The action for one `prompts/get`: kind `read`, tagged `read_only` and `prompt`; `detail` holds the raw arguments. */
export function promptGetInput(p: { principal: Principal; upstream: string; prompt: string; arguments: Record<string, string>; summary: string; context?: Record<string, unknown> }): ActionInput {
  return mcpInput(p, 'read', ['read_only', 'prompt'], { prompt: p.prompt, arguments: p.arguments });
}

/** What every MCP action shares: the upstream is the resource, the connector is `mcp`. */
function mcpInput(
  p: { principal: Principal; upstream: string; summary: string; context?: Record<string, unknown> },
  kind: ActionInput['kind'],
  tags: string[],
  detail: Record<string, unknown>,
): ActionInput {
  return { principal: p.principal, resource: p.upstream, connector: 'mcp', kind, tags, summary: p.summary, detail, ...(p.context ? { context: p.context } : {}) };
}
