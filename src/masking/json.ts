/**
 * Masks one string leaf; `field` is the nearest key (or array's key); `at` says where the leaf is, and
 * `pathOf(at)` turns it into a JSONPath like `$.users[0].email` (only worth doing when something was found).
 */
export type LeafMasker = (text: string, field: string | undefined, at: PathNode) => string;

/** Where a value sits in the document: its parent and its key (object), index (array) or `{key}` (an object key). */
export interface PathNode {
  parent?: PathNode;
  key?: string;
  index?: number;
  /** The node stands for an object key itself (a key that was masked). */
  isKey?: boolean;
}

const MAX_PATH_SEGMENTS = 32;

function segOf(n: PathNode): string {
  if (n.isKey) return '{key}';
  if (n.index !== undefined) return `[${n.index}]`;
  if (n.key === undefined) return '';
  return /^[A-Za-z_$][\w$]*$/.test(n.key) ? `.${n.key}` : `[${JSON.stringify(n.key)}]`;
}

/** The JSONPath of a node (`$.a[0].b`); very deep paths keep their last 32 segments after `$…`. */
export function pathOf(n: PathNode): string {
  const segs: string[] = [];
  let cur: PathNode | undefined = n;
  while (cur && segs.length < MAX_PATH_SEGMENTS) {
    segs.push(segOf(cur));
    cur = cur.parent;
  }
  return (cur ? '$…' : '$') + segs.reverse().join('');
}

/** A value still to copy; it is also the path node of that value (no separate node per value). */
interface Task extends PathNode {
  src: unknown;
  dst: Record<string | number, unknown>; // where the copy goes: dst[slot]
  slot: string | number;
  field: string | undefined;
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
  const stack: Task[] = [{ src: value, dst: root, slot: 'v', field: rootField, parent: undefined, key: undefined, index: undefined }];
  while (stack.length) {
    const task = stack.pop()!;
    const { src, dst, slot, field } = task;
    if (typeof src === 'string') {
      dst[slot] = mask(src, field, task);
    } else if (typeof src === 'number' || typeof src === 'bigint') {
      const s = String(src);
      if (/\d{7}/.test(s) || (field !== undefined && /\d{3}/.test(s))) {
        const m = mask(s, field, task);
        dst[slot] = m === s ? src : m;
      } else dst[slot] = src;
    } else if (Array.isArray(src)) {
      const arr: unknown[] = new Array(src.length);
      dst[slot] = arr;
      for (let i = src.length - 1; i >= 0; i--) {
        stack.push({ src: src[i], dst: arr as unknown as Record<number, unknown>, slot: i, field, parent: task, key: undefined, index: i });
      }
    } else if (src !== null && typeof src === 'object' && !(src instanceof Date)) {
      const obj: Record<string, unknown> = {};
      dst[slot] = obj;
      const keys = Object.keys(src);
      const values: unknown[] = new Array(keys.length);
      for (let i = 0; i < keys.length; i++) values[i] = (src as Record<string, unknown>)[keys[i]]; // read in order, once
      const outKeys: string[] = new Array(keys.length);
      // A masked key takes none of the object's keys (later ones too: `{"a@b.com": 1, "[EMAIL]": 2}`) nor another
      // masked key: it gets a `#` until it is free.
      let taken: Set<string> | undefined;
      for (let i = 0; i < keys.length; i++) {
        const k = keys[i];
        let mk = KEY_MAY_HOLD.test(k) ? mask(k, undefined, { parent: task, isKey: true }) : k;
        if (mk !== k) {
          taken ??= new Set(keys);
          while (taken.has(mk)) mk += '#';
          taken.add(mk);
        }
        outKeys[i] = mk;
        obj[mk] = undefined;
      }
      for (let i = keys.length - 1; i >= 0; i--) {
        stack.push({ src: values[i], dst: obj, slot: outKeys[i], field: keys[i], parent: task, key: keys[i], index: undefined });
      }
    } else dst[slot] = src;
  }
  return root.v;
}
// Keys are masked when they could be a value: they hold an `@` or a digit.
const KEY_MAY_HOLD = /[@\d]/;
