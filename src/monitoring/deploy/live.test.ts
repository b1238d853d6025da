import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import {
  type AlertTiming,
  alertmanagerConfig,
  alertRules,
  DASHBOARDS,
  expandVariables,
  prometheusConfig,
  ruleFile,
  yamlText,
} from './index.js';
import { freePort, type Service, startService, waitFor } from './services.test-helper.js';

/**
 * The whole chain with the real programs, on loopback: `shoplake serve` takes traffic from `shoplake
 * replay`, Prometheus scrapes it every second and evaluates the generated alert rules (the stall window
 * shortened to seconds), and Alertmanager delivers to a webhook served by this test.
 */

const BIN = fileURLToPath(new URL('../../../../bin/shoplake.js', import.meta.url));
const KEY = 'monitoring-test-key-1';
const TEST_TIMING: AlertTiming = { interval: '1s', stallWindow: '10s', stallHistory: '2m', stallFor: '3s' };
const installed = (tool: string) => !spawnSync(tool, ['--version']).error;
const tools = ['prometheus', 'prometheus-alertmanager'];
const missing = tools.filter((t) => !installed(t));
if (missing.length > 0 && process.env.CI === 'true') {
  throw new Error(`${missing.join(', ')} required in CI: sh scripts/test-setup.sh installs them`);
}

const vectorSchema = z.object({
  status: z.literal('success'),
  data: z.object({ result: z.array(z.object({ metric: z.record(z.string(), z.string()) })) }),
});
const alertsSchema = z.object({
  data: z.object({
    alerts: z.array(z.object({ labels: z.record(z.string(), z.string()), state: z.string() })),
  }),
});
const webhookSchema = z.object({
  status: z.string(),
  alerts: z.array(z.object({ status: z.string(), labels: z.record(z.string(), z.string()) })),
});

describe('Prometheus and Alertmanager against a live shoplake serve', { skip: missing.length > 0 }, () => {
  let dir: string;
  let prometheus: string;
  let serveUrl: string;
  let serve: Service;
  let replay: Service;
  let prom: Service;
  let am: Service;
  let hook: Server;
  const delivered: z.infer<typeof webhookSchema>[] = [];
  const logs = () => [serve, replay, prom, am].map((s) => (s ? s.output().slice(-1000) : '')).join('\n---\n');

  const query = async (expr: string) => {
    const res = await fetch(`${prometheus}/api/v1/query?query=${encodeURIComponent(expr)}`);
    const body: unknown = await res.json();
    assert.equal(res.status, 200, `${expr}: ${JSON.stringify(body)}`);
    return vectorSchema.parse(body).data.result;
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'shoplake-live-'));
    const [hookPort, amPort, promPort] = [await freePort(), await freePort(), await freePort()];
    hook = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => {
        body += c.toString('utf8');
      });
      req.on('end', () => {
        // A body of another shape is kept out (and the wait below then reports it missing).
        const parsed = webhookSchema.safeParse(JSON.parse(body));
        if (parsed.success) delivered.push(parsed.data);
        res.end('ok');
      });
    });
    await new Promise<void>((resolve) => hook.listen(hookPort, '127.0.0.1', () => resolve()));

    serve = startService(
      process.execPath,
      [BIN, 'serve', '--data', join(dir, 'data'), '--port', '0', '--compact-interval', '500'],
      { ...process.env, SHOPLAKE_WRITE_KEYS: KEY },
    );
    serveUrl = await waitFor(
      'shoplake serve to listen',
      async () => /listening on (http:\/\/\S+)/.exec(serve.output())?.[1],
      60_000,
      logs,
    );

    mkdirSync(join(dir, 'am'));
    writeFileSync(
      join(dir, 'am', 'alertmanager.yml'),
      yamlText(
        alertmanagerConfig({
          webhook: `http://127.0.0.1:${hookPort}/alerts`,
          groupWait: '1s',
          groupInterval: '1s',
          repeatInterval: '1h',
        }),
      ),
    );
    am = startService('prometheus-alertmanager', [
      `--config.file=${join(dir, 'am', 'alertmanager.yml')}`,
      `--storage.path=${join(dir, 'am')}`,
      `--web.listen-address=127.0.0.1:${amPort}`,
      '--cluster.listen-address=',
    ]);

    mkdirSync(join(dir, 'prom'));
    writeFileSync(join(dir, 'prom', 'alerts.yml'), yamlText(ruleFile(TEST_TIMING)));
    writeFileSync(
      join(dir, 'prom', 'prometheus.yml'),
      yamlText(
        prometheusConfig({
          target: new URL(serveUrl).host,
          alertmanager: `127.0.0.1:${amPort}`,
          scrapeInterval: '1s',
          evaluationInterval: '1s',
          rules: join(dir, 'prom', 'alerts.yml'),
        }),
      ),
    );
    prom = startService('prometheus', [
      `--config.file=${join(dir, 'prom', 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'prom', 'data')}`,
      `--web.listen-address=127.0.0.1:${promPort}`,
    ]);
    prometheus = `http://127.0.0.1:${promPort}`;
    await waitFor(
      'Prometheus to be ready',
      async () => ((await fetch(`${prometheus}/-/ready`)).ok ? true : undefined),
      60_000,
      logs,
    );
    await waitFor(
      'Alertmanager to be ready',
      async () => ((await fetch(`http://127.0.0.1:${amPort}/-/ready`)).ok ? true : undefined),
      60_000,
      logs,
    );

    replay = startService(process.execPath, [
      BIN,
      'replay',
      '--data',
      join(dir, 'data'),
      '--target',
      serveUrl,
      '--key',
      KEY,
      '--rate',
      '400',
      '--duration',
      '12',
      '--concurrency',
      '4',
    ]);
  });

  after(async () => {
    for (const s of [replay, prom, am, serve]) await s?.stop();
    await new Promise<void>((resolve) => (hook ? hook.close(() => resolve()) : resolve()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('every query of every dashboard panel returns data while traffic lands', async () => {
    // Traffic scraped at least twice and some of it compacted into the lake (business figures from it).
    await waitFor(
      'traffic and compacted orders in Prometheus',
      async () => {
        const ready = await query(
          'sum(rate(shoplake_records_total[1m])) > 0 and on() sum(shoplake_compaction_lag_seconds_count) > 0 and on() sum(shoplake_business_orders) > 0 and on() sum(shoplake_business_events) > 0',
        );
        return ready.length > 0 ? true : undefined;
      },
      90_000,
      logs,
    );
    const empty: string[] = [];
    for (const d of DASHBOARDS)
      for (const p of d.panels)
        for (const q of p.queries) {
          const result = await query(expandVariables(q.expr));
          if (result.length === 0) empty.push(`${d.file} · ${p.title} · ${q.expr}`);
        }
    assert.deepEqual(empty, [], 'panel queries without data');
    // The template variables have values to offer.
    for (const [label, metric] of [
      ['table', 'shoplake_lake_rows'],
      ['region', 'shoplake_business_orders'],
    ]) {
      const res = await fetch(`${prometheus}/api/v1/label/${label}/values?match[]=${metric}`);
      const values = z.object({ data: z.array(z.string()) }).parse(await res.json()).data;
      assert.ok(values.length > 0, `${label} values`);
    }
  });

  it('the full /metrics of shoplake serve passes promtool check metrics', (t) => {
    return fetch(`${serveUrl}/metrics`)
      .then((res) => res.text())
      .then((text) => {
        const r = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
        if (r.error) t.skip('promtool is not installed');
        else assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
      });
  });

  it('every metric an alert rule reads exists', async () => {
    const names = new Set(alertRules().flatMap((r) => r.expr.match(/\b(shoplake_[a-z_]+|up)\b/g) ?? []));
    assert.ok(names.size >= 8);
    const absent: string[] = [];
    for (const name of names) if ((await query(`count(${name})`)).length === 0) absent.push(name);
    assert.deepEqual(absent, []);
  });

  it('stopping the load fires ShoplakeIngestionStalled and Alertmanager delivers it to the webhook', async () => {
    await new Promise<void>((resolve) => {
      if (replay.child.exitCode !== null) resolve();
      else replay.child.once('exit', () => resolve());
    });
    assert.equal(replay.child.exitCode, 0, replay.output());
    await waitFor(
      'ShoplakeIngestionStalled firing in Prometheus',
      async () => {
        const res = await fetch(`${prometheus}/api/v1/alerts`);
        const { alerts } = alertsSchema.parse(await res.json()).data;
        return alerts.some((a) => a.labels.alertname === 'ShoplakeIngestionStalled' && a.state === 'firing')
          ? true
          : undefined;
      },
      90_000,
      logs,
    );
    const message = await waitFor(
      'the webhook to receive the alert',
      async () =>
        delivered.find((m) => m.alerts.some((a) => a.labels.alertname === 'ShoplakeIngestionStalled')),
      60_000,
      logs,
    );
    const alert = message.alerts.find((a) => a.labels.alertname === 'ShoplakeIngestionStalled');
    assert.equal(alert?.status, 'firing');
    assert.equal(alert?.labels.severity, 'critical');
  });
});
