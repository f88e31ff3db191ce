import { isMap, isPair, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml';

/** Where in the file: 1-based line and column. */
export interface Position {
  line: number;
  column: number;
}

/**
 * Position of the node at `path` in a parsed YAML document. When the path goes further than the file does (a
 * missing field), the deepest existing node is used. `atKey` points at the key rather than the value (for
 * unknown fields). Falls back to 1:1.
 */
export function locate(doc: Document, lines: LineCounter, path: readonly (string | number)[], atKey = false): Position {
  let node: unknown = doc.contents;
  let best: Node | undefined = isNodeWithRange(node) ? node : undefined;
  for (let i = 0; i < path.length; i++) {
    const seg = path[i];
    let next: unknown;
    let keyNode: unknown;
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(seg));
      if (pair) {
        keyNode = pair.key;
        next = pair.value;
      }
    } else if (isSeq(node) && typeof seg === 'number') {
      next = node.items[seg];
    }
    if (keyNode === undefined && next === undefined) break;
    const last = i === path.length - 1;
    if (last && atKey && isNodeWithRange(keyNode)) {
      best = keyNode;
      break;
    }
    // An empty value (`reason:`) has no useful range of its own: point at its key.
    if (isNodeWithRange(next) && !(isScalar(next) && next.value === null)) best = next;
    else if (isNodeWithRange(keyNode)) best = keyNode;
    node = next;
  }
  if (!best?.range) return { line: 1, column: 1 };
  const pos = lines.linePos(best.range[0]);
  return { line: pos.line, column: pos.col };
}

function isNodeWithRange(n: unknown): n is Node {
  return !!n && typeof n === 'object' && Array.isArray((n as Node).range);
}

/** `policy.rules[2].when` from `['policy', 'rules', 2, 'when']`. */
export function formatPath(path: readonly (string | number | symbol)[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += (out ? '.' : '') + String(seg);
  }
  return out || '(top level)';
}
