/** Masks one string leaf; `field` is the nearest key (or array's key), `path` a JSONPath like `$.users[0].email`. */
export type LeafMasker = (text: string, field: string | undefined, path: string) => string;

interface Node {
  parent?: Node;
  seg: string; // path segment: `.key` or `[i]`
}

const MAX_PATH_SEGMENTS = 32;

function pathOf(n: Node): string {
  const segs: string[] = [];
  let cur: Node | undefined = n;
  while (cur && segs.length < MAX_PATH_SEGMENTS) {
    segs.push(cur.seg);
    cur = cur.parent;
  }
  return (cur ? '$…' : '$') + segs.reverse().join('');
}

function seg(key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
}

/**
 * Copy a JSON value, masking every string leaf with its key as context, numbers that look like identifiers of
 * people (7+ digits, or under a sensitive key) and object keys themselves. The result has the same shape: same
 * keys (unless a key itself was sensitive), same array lengths; a masked number becomes a string. Iterative, so
 * deeply nested input cannot overflow the stack.
 *
 * @example
 * walkValue({ email: 'a@b.co' }, undefined, (t) => t.replace(/@.*$/, '@…')) // { email: 'a@…' }
 */
export function walkValue(value: unknown, rootField: string | undefined, mask: LeafMasker): unknown {
  const root: { v: unknown } = { v: undefined };
  type Task = { src: unknown; set: (v: unknown) => void; field: string | undefined; node: Node };
  const stack: Task[] = [{ src: value, set: (v) => (root.v = v), field: rootField, node: { seg: '' } }];
  while (stack.length) {
    const { src, set, field, node } = stack.pop()!;
    if (typeof src === 'string') {
      set(mask(src, field, pathOf(node)));
    } else if (typeof src === 'number' || typeof src === 'bigint') {
      const s = String(src);
      if (/\d{7}/.test(s) || (field !== undefined && /\d{3}/.test(s))) {
        const m = mask(s, field, pathOf(node));
        set(m === s ? src : m);
      } else set(src);
    } else if (Array.isArray(src)) {
      const dst: unknown[] = new Array(src.length);
      set(dst);
      for (let i = src.length - 1; i >= 0; i--) stack.push({ src: src[i], set: (v) => (dst[i] = v), field, node: { parent: node, seg: `[${i}]` } });
    } else if (src !== null && typeof src === 'object' && !(src instanceof Date)) {
      const dst: Record<string, unknown> = {};
      set(dst);
      const entries = Object.entries(src as Record<string, unknown>);
      const keys: string[] = [];
      for (const [k] of entries) {
        let mk = /[@\d]/.test(k) ? mask(k, undefined, pathOf({ parent: node, seg: '{key}' })) : k;
        while (mk !== k && (mk in dst || keys.includes(mk))) mk += '#';
        keys.push(mk);
        dst[mk] = undefined;
      }
      for (let i = entries.length - 1; i >= 0; i--) {
        const [k, v] = entries[i];
        const mk = keys[i];
        stack.push({ src: v, set: (x) => (dst[mk] = x), field: k, node: { parent: node, seg: seg(k) } });
      }
    } else set(src);
  }
  return root.v;
}
