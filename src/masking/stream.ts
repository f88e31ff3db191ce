import type { Finding } from '../core/masking.js';

export interface StreamOptions {
  /** Text scanned per step (UTF-16 units). */
  chunk?: number;
  /** Tail kept and scanned again with the next chunk; values up to this long are found across a boundary. */
  overlap?: number;
}

/**
 * Cut a stream of text into pieces that can be masked on their own, without missing a value split across a chunk
 * boundary: each step scans the buffer, emits the text up to a cut point at least `overlap` characters before the
 * end (moved back to a line break, and back before any finding that crosses it), and keeps the rest for the next
 * step. Memory stays at about `chunk + overlap`. A PEM private key that is still open at a cut masks the next
 * piece up to its END line.
 *
 * @example
 * for await (const p of maskChunks(stdinStrings, (t) => engine.scanSync(t))) process.stdout.write(apply(p));
 */
export async function* maskChunks(
  chunks: AsyncIterable<string>,
  scan: (text: string) => Finding[],
  opts: StreamOptions = {},
): AsyncGenerator<{ text: string; findings: Finding[] }> {
  const CHUNK = opts.chunk ?? 256 * 1024;
  const OVERLAP = opts.overlap ?? 8 * 1024;
  let buf = '';
  let openKey = false;

  const step = (final: boolean): { text: string; findings: Finding[] } => {
    let findings = scan(buf);
    if (openKey) {
      // The previous piece ended inside a private key: everything up to its END line is key material.
      const endMark = buf.indexOf('-----END ');
      const close = endMark >= 0 ? buf.indexOf('-----', endMark + 9) : -1;
      const end = close >= 0 ? close + 5 : buf.length;
      findings = [{ type: 'PRIVATE_KEY', start: 0, end, confidence: 0.99, detector: 'pem' }, ...findings.filter((f) => f.start >= end)];
      openKey = close < 0;
    }
    let cut = buf.length;
    if (!final) {
      cut = buf.length - OVERLAP;
      const nl = buf.lastIndexOf('\n', cut);
      if (nl > cut - OVERLAP / 2) cut = nl + 1;
      for (const f of findings) if (f.start < cut && f.end > cut) cut = f.start;
      if (cut <= 0) {
        // One finding spans the whole buffer (a huge key or token): emit it all, carry an open key over.
        cut = buf.length;
        const last = findings[findings.length - 1];
        if (last && last.end === buf.length && last.type === 'PRIVATE_KEY') openKey = true;
      }
    } else if (openKey) openKey = false;
    const piece = { text: buf.slice(0, cut), findings: findings.filter((f) => f.end <= cut) };
    buf = buf.slice(cut);
    return piece;
  };

  for await (const chunk of chunks) {
    buf += chunk;
    while (buf.length >= CHUNK + OVERLAP) yield step(false);
  }
  if (buf.length || openKey) yield step(true);
}
