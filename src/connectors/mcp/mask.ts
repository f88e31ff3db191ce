import type { MaskContext, Masker } from '../../core/masking.js';

// Binary payloads (image/audio `data`, resource `blob`) are base64. Text-like blobs are decoded, masked with the
// rest and encoded again; other binary payloads are passed through (the engine cannot read pixels).
const TEXTY_MIME = /^(text\/|application\/(json|xml|yaml|x-yaml|javascript|x-ndjson|csv)|[^;]*\+(json|xml))/i;

interface Hole {
  /** Where the payload sits, from the root of the result. */
  path: Array<string | number>;
  payload: string;
  text?: string; // decoded text to mask, when the payload is text-like
}

/**
 * Mask everything in an MCP result that reaches the model: text content, structured content, embedded resources
 * (text, and text-like blobs), resource links, resource read contents. One engine call per result; the shape is
 * kept and the input is not changed. Fails closed: a masker error propagates and nothing is returned.
 *
 * Base64 payloads are lifted out only where MCP puts binary — `data` of an image or audio block in `content` or
 * in a prompt message, `blob` of an embedded resource there or of an entry in `contents` — and only when they are base64; the
 * same shapes anywhere else (say, in `structuredContent`), or a payload that is not base64, are masked as text.
 *
 * @example
 * const r = await maskMcpResult(masker, { content: [{ type: 'text', text: 'mail bob@example.com' }] }, { profile: 'default' });
 * r.value.content[0].text // 'mail b**@example.com' (whatever the profile's transform gives)
 */
export async function maskMcpResult<T>(masker: Masker, result: T, ctx?: MaskContext): Promise<{ value: T; findings: number }> {
  const holes = binaryHoles(result);
  // The engine builds a new value and leaves its input alone; only a result with payloads to lift is copied.
  let input: unknown = result;
  if (holes.length > 0) {
    input = structuredClone(result);
    for (const h of holes) setAt(input, h.path, '');
  }
  const { value, findings } = await masker.maskValue({ result: input as T, blobs: holes.map((h) => h.text ?? '') }, ctx);
  holes.forEach((h, i) => setAt(value.result, h.path, h.text === undefined ? h.payload : Buffer.from(value.blobs[i], 'utf8').toString('base64')));
  return { value: value.result, findings: findings.length };
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** The base64 payloads of a tool result (`content`), a resource read (`contents`) or a prompt (`messages`), with where they sit. */
function binaryHoles(result: unknown): Hole[] {
  const holes: Hole[] = [];
  if (result === null || typeof result !== 'object') return holes;
  const lift = (holder: unknown, key: 'data' | 'blob', path: Array<string | number>) => {
    const payload = (holder as Record<string, unknown>)[key];
    if (typeof payload !== 'string' || payload.length % 4 !== 0 || !BASE64.test(payload)) return;
    const mime = (holder as { mimeType?: unknown }).mimeType;
    const texty = typeof mime === 'string' && TEXTY_MIME.test(mime);
    holes.push({ path: [...path, key], payload, text: texty ? Buffer.from(payload, 'base64').toString('utf8') : undefined });
  };
  const liftBlock = (block: unknown, path: Array<string | number>) => {
    if (block === null || typeof block !== 'object') return;
    const b = block as { type?: unknown; resource?: unknown };
    if (b.type === 'image' || b.type === 'audio') lift(b, 'data', path);
    else if (b.type === 'resource' && b.resource !== null && typeof b.resource === 'object') lift(b.resource, 'blob', [...path, 'resource']);
  };
  const r = result as { content?: unknown; contents?: unknown; messages?: unknown };
  if (Array.isArray(r.content)) r.content.forEach((block: unknown, i) => liftBlock(block, ['content', i]));
  // A prompt's messages carry one content block each.
  if (Array.isArray(r.messages)) {
    r.messages.forEach((m: unknown, i) => {
      if (m !== null && typeof m === 'object') liftBlock((m as { content?: unknown }).content, ['messages', i, 'content']);
    });
  }
  if (Array.isArray(r.contents)) {
    r.contents.forEach((entry: unknown, i) => {
      if (entry !== null && typeof entry === 'object') lift(entry, 'blob', ['contents', i]);
    });
  }
  return holes;
}

function setAt(root: unknown, path: Array<string | number>, v: string): void {
  let node = root as Record<string | number, unknown>;
  for (const k of path.slice(0, -1)) node = node[k] as Record<string | number, unknown>;
  node[path[path.length - 1]!] = v;
}
