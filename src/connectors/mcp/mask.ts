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
 * kept. Fails closed: a masker error propagates and nothing is returned.
 *
 * @example
 * const r = await maskMcpResult(masker, { content: [{ type: 'text', text: 'mail bob@example.com' }] }, { profile: 'default' });
 * r.value.content[0].text // 'mail b**@example.com' (whatever the profile's transform gives)
 */
export async function maskMcpResult<T>(masker: Masker, result: T, ctx?: MaskContext): Promise<{ value: T; findings: number }> {
  const copy = structuredClone(result);
  const holes: Hole[] = [];
  liftBinary(copy, [], holes);
  const { value, findings } = await masker.maskValue({ result: copy, blobs: holes.map((h) => h.text ?? '') }, ctx);
  holes.forEach((h, i) => {
    let node: unknown = value.result;
    for (const k of h.path.slice(0, -1)) node = (node as Record<string | number, unknown>)[k];
    const masked = h.text === undefined ? h.payload : Buffer.from(value.blobs[i], 'utf8').toString('base64');
    (node as Record<string | number, unknown>)[h.path[h.path.length - 1]] = masked;
  });
  return { value: value.result, findings: findings.length };
}

/** Lift base64 payloads out of the value (so detectors do not read base64 as text), remembering where they were. */
function liftBinary(node: unknown, path: Array<string | number>, holes: Hole[]): void {
  if (Array.isArray(node)) {
    node.forEach((item, i) => liftBinary(item, [...path, i], holes));
    return;
  }
  if (node === null || typeof node !== 'object') return;
  const obj = node as Record<string, unknown>;
  const lifted = new Set<string>();
  for (const key of ['data', 'blob'] as const) {
    const payload = obj[key];
    const binaryShape = key === 'blob' ? typeof obj.uri === 'string' : obj.type === 'image' || obj.type === 'audio';
    if (typeof payload !== 'string' || !binaryShape) continue;
    const mime = typeof obj.mimeType === 'string' ? obj.mimeType : '';
    obj[key] = '';
    lifted.add(key);
    holes.push({ path: [...path, key], payload, text: TEXTY_MIME.test(mime) ? Buffer.from(payload, 'base64').toString('utf8') : undefined });
  }
  for (const [k, v] of Object.entries(obj)) if (!lifted.has(k)) liftBinary(v, [...path, k], holes);
}

/** Size of a result as it goes on the wire, for the audit log. */
export function wireSize(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value) ?? '', 'utf8');
}
