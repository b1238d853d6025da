import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { collectorConfigSchema, type RunningCollector, startCollector } from '../collector/index.js';
import { tempDir } from '../testing/index.js';
import { CONTENT_SECURITY_POLICY, htmlSecurityHeaders } from './index.js';

const KEY = 'tls-write-key-123';

/** GET or POST over HTTPS trusting exactly `ca` (the test's self-signed certificate). */
function httpsCall(
  url: string,
  ca: Buffer | undefined,
  init: { method?: string; body?: string; key?: string } = {},
) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = request(
      url,
      {
        method: init.method ?? 'GET',
        ...(ca ? { ca } : {}),
        headers: {
          'content-type': 'application/json',
          ...(init.key ? { authorization: `Bearer ${init.key}` } : {}),
        },
      },
      (res) => {
        let body = '';
        res.on('data', (c: Buffer) => {
          body += c.toString();
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end(init.body);
  });
}

describe('serve over TLS', () => {
  let dir: string;
  let cleanup: () => void;
  let server: RunningCollector;
  let cert: Buffer;
  before(async () => {
    ({ dir, cleanup } = tempDir());
    // A self-signed certificate for 127.0.0.1, made by the openssl CLI for this test only.
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    cert = readFileSync(join(dir, 'cert.pem'));
    server = await startCollector({
      dataDir: join(dir, 'data'),
      port: 0,
      config: collectorConfigSchema.parse({ writeKeys: [KEY], compactIntervalMs: 60_000 }),
      tls: { cert, key: readFileSync(join(dir, 'key.pem')) },
    });
  });
  after(async () => {
    await server?.close();
    cleanup();
  });

  it('answers on https:// with the certificate given, keys still required', async () => {
    assert.match(server.url, /^https:\/\/127\.0\.0\.1:\d+$/);
    assert.equal((await httpsCall(`${server.url}/healthz`, cert)).status, 200);
    const order = [
      {
        order_id: 'O1',
        customer_id: 'C1',
        product_id: 'P1',
        product_name: 'Pen',
        quantity: 1,
        price: 2.5,
        total_amount: 2.5,
        order_date: '2026-11-01 10:00:00',
        status: 'COMPLETED',
        region: 'US-EAST',
      },
    ];
    const body = JSON.stringify(order);
    assert.equal((await httpsCall(`${server.url}/v1/orders`, cert, { method: 'POST', body })).status, 401);
    assert.equal(
      (await httpsCall(`${server.url}/v1/orders`, cert, { method: 'POST', body, key: KEY })).status,
      200,
    );
  });

  it('plain HTTP to the TLS port gets no answer from the collector', async () => {
    const res = await fetch(`${server.url.replace('https', 'http')}/healthz`).then(
      (r) => r.status,
      () => 'failed',
    );
    assert.notEqual(res, 200);
  });

  it('a client that does not trust the certificate is refused by TLS', async () => {
    await assert.rejects(httpsCall(`${server.url}/healthz`, undefined), /certificate|self.signed/i);
  });
});

describe('security headers for HTML', () => {
  it('a strict CSP: no inline script, no framing, nothing from other origins', () => {
    const csp = CONTENT_SECURITY_POLICY;
    assert.ok(!csp.includes("'unsafe-inline'") && !csp.includes("'unsafe-eval'"));
    assert.match(csp, /frame-ancestors 'none'/);
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.match(csp, /default-src 'none'/);
    const headers = htmlSecurityHeaders({ https: true });
    assert.equal(headers['x-content-type-options'], 'nosniff');
    assert.equal(headers['x-frame-options'], 'DENY');
    assert.ok(headers['strict-transport-security']);
    assert.equal(htmlSecurityHeaders({ https: false })['strict-transport-security'], undefined);
  });
});
