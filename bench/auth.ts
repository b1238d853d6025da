/**
 * What key checks cost per request: authorizeRequest (route rule, keys-file stat, SHA-256, constant-time
 * comparison, cached scrypt verification) side by side with the collector's check before issue 14 (a
 * cache of headers seen valid, else one SHA-256 and a Set lookup, written out here as the peer), and the
 * first, uncached scrypt verification.
 * Usage: node dist/bench/auth.js
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { authorizeRequest, createAuthenticator, createKey } from '../src/security/index.js';

const N = 200_000;
const dir = mkdtempSync(join(tmpdir(), 'shoplake-bench-auth-'));
try {
  const writeKey = 'bench-write-key-123';
  const { key } = createKey(dir, { name: 'bench', role: 'ingest' });
  const auth = createAuthenticator({ dataDir: dir, writeKeys: [writeKey] });

  // The peer, as the collector checked keys before: a Map of headers already seen valid, else a
  // sha256 of the key looked up in a Set.
  const sha = (t: string) => createHash('sha256').update(t).digest('hex');
  const hashes = new Set([sha(writeKey)]);
  const known = new Map<string, string>();
  const header = `Bearer ${writeKey}`;
  const t0 = performance.now();
  let ok = 0;
  for (let i = 0; i < N; i++) {
    const cached = known.get(header);
    if (cached !== undefined || hashes.has(sha(writeKey))) ok++;
    if (cached === undefined) known.set(header, writeKey);
  }
  const peer = (performance.now() - t0) / N;

  const time = async (header: string) => {
    const start = performance.now();
    for (let i = 0; i < N; i++) {
      const r = await authorizeRequest(auth, {
        path: '/v1/orders',
        authorization: header,
        address: '127.0.0.1',
      });
      if (r.ok) ok++;
    }
    return (performance.now() - start) / N;
  };
  const legacy = await time(`Bearer ${writeKey}`);
  const cached = await time(`Bearer ${key}`);
  const fresh = createAuthenticator({ dataDir: dir });
  const s0 = performance.now();
  await fresh.authenticate(`Bearer ${key}`, '127.0.0.1');
  const scrypt = performance.now() - s0;

  const us = (ms: number) => `${(ms * 1000).toFixed(2)} µs`;
  console.log(
    `key checks, ${N.toLocaleString('en-US')} requests each (load average ${loadavg()[0]?.toFixed(2)}, ${ok} ok)`,
  );
  console.log(`before issue 14 (header cache, sha256):   ${us(peer)} per request`);
  console.log(
    `authorizeRequest, write key:             ${us(legacy)} per request (${(legacy / peer).toFixed(1)}× the peer)`,
  );
  console.log(
    `authorizeRequest, keys-file key (cached): ${us(cached)} per request (${(cached / peer).toFixed(1)}× the peer)`,
  );
  console.log(`first check of a keys-file key (scrypt):  ${scrypt.toFixed(1)} ms, once per key and server`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
