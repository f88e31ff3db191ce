// The mixed corpus both masking benches read: our corpus with decoys, Presidio's synthetic sentences (when
// ../shared is beside the repository) and plain log/stack/SQL/prose lines, repeated to `mb` megabytes and cut in
// 256 KB pieces as the stream masks them.
import { existsSync, readFileSync } from 'node:fs';

const FILLER = [
  '2025-03-01T10:00:00Z INFO http GET /api/v1/items?page=2 200 12ms build=4f2a9c1 node=web-3',
  'at Object.<anonymous> (/srv/app/node_modules/express/lib/router/index.js:284:15)',
  'SELECT id, status, created_at FROM orders WHERE status = \'open\' ORDER BY created_at DESC LIMIT 50;',
  'The deployment finished without errors; 14 pods are ready and the queue drained in 3 minutes.',
];

/** @returns {{ docs: string[], big: string, bytes: number, pieces: string[] }} */
export function mixedCorpus(mb, { own, synth }) {
  const lines = (file) => readFileSync(file, 'utf8').trim().split('\n');
  const docs = [...lines(own), ...(existsSync(synth) ? lines(synth) : [])].map((l) => JSON.parse(l).text);
  let big = '';
  for (let i = 0; big.length < mb * 1e6; i++) big += (i % 3 === 2 ? FILLER[i % FILLER.length] : docs[i % docs.length]) + '\n';
  const pieces = [];
  for (let i = 0; i < big.length; i += 256 * 1024) pieces.push(big.slice(i, i + 256 * 1024));
  return { docs, big, bytes: Buffer.byteLength(big), pieces };
}
