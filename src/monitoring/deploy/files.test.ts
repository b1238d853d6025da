import assert from 'node:assert/strict';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { z } from 'zod';
import { alertRules, DASHBOARDS, monitoringFiles, writeMonitoringFiles } from './index.js';
import { runTool } from './tools.test-helper.js';

// dist/src/monitoring/deploy/ → the repository's deploy/ directory.
const DEPLOY = fileURLToPath(new URL('../../../../deploy/', import.meta.url));
const DOC = fileURLToPath(new URL('../../../../docs/MONITORING.md', import.meta.url));

const dashboardSchema = z.object({
  refresh: z.string(),
  templating: z.object({ list: z.array(z.object({ name: z.string() })) }),
  panels: z.array(z.object({ title: z.string(), targets: z.array(z.object({ expr: z.string() })) })),
});

describe('generated monitoring files', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'shoplake-deploy-'));
    writeMonitoringFiles(dir);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('are committed exactly as the code generates them (run `shoplake monitoring generate`)', () => {
    for (const [path, text] of monitoringFiles()) {
      const committed = join(DEPLOY, path);
      assert.ok(existsSync(committed), `deploy/${path} is committed`);
      assert.equal(
        readFileSync(committed, 'utf8'),
        text,
        `deploy/${path} is stale: run shoplake monitoring generate --force`,
      );
    }
  });

  it('dashboards refresh every 10 s and offer the table and region variables', () => {
    for (const d of DASHBOARDS) {
      const json = dashboardSchema.parse(
        JSON.parse(readFileSync(join(dir, 'grafana/dashboards', d.file), 'utf8')),
      );
      assert.equal(json.refresh, '10s');
      assert.deepEqual(
        json.templating.list.map((v) => v.name),
        ['table', 'region'],
      );
      assert.equal(json.panels.length, d.panels.length);
      for (const p of json.panels)
        assert.ok(p.targets.length > 0 && p.targets.every((t) => t.expr.length > 0), p.title);
    }
  });

  it('the business dashboard gives each of the seed’s eleven panel titles a panel', () => {
    const seed = [
      'Total Orders Storage',
      'Active Data Nodes',
      'Order Processing Capacity',
      'Analytics Jobs Running',
      'Data Ingestion Rate',
      'Customer Analytics Processing',
      'Order Data Replication',
      'Data Warehouse Capacity',
      'NameNode Health',
      'Worker Nodes Status',
      'Resource Allocation',
    ];
    const business = DASHBOARDS.find((d) => d.uid === 'shoplake-business');
    assert.ok(business);
    assert.deepEqual(
      business.panels.flatMap((p) => (p.seedTitle ? [p.seedTitle] : [])),
      seed,
    );
    for (const p of business.panels) if (p.seedTitle) assert.ok(p.title.startsWith(p.seedTitle), p.title);
  });

  it('the Prometheus config passes promtool check config', (t) => {
    const r = runTool(t, 'promtool', ['check', 'config', join(dir, 'prometheus/prometheus.yml')]);
    if (r) assert.ok(r.ok, r.output);
  });

  it('the Alertmanager config passes amtool check-config and routes to the webhook', (t) => {
    const config = z
      .object({ route: z.object({ receiver: z.string() }) })
      .parse(parse(readFileSync(join(dir, 'alertmanager/alertmanager.yml'), 'utf8')));
    assert.equal(config.route.receiver, 'webhook');
    const r = runTool(t, 'amtool', ['check-config', join(dir, 'alertmanager/alertmanager.yml')]);
    if (r) assert.ok(r.ok, r.output);
  });

  it('docs/MONITORING.md describes every panel and has a runbook section for every alert', () => {
    const doc = readFileSync(DOC, 'utf8');
    for (const d of DASHBOARDS) for (const p of d.panels) assert.ok(doc.includes(`| ${p.title} |`), p.title);
    for (const r of alertRules()) {
      assert.ok(doc.includes(`\n### ${r.alert}\n`), `runbook section for ${r.alert}`);
      assert.equal(r.annotations.runbook_url, `docs/MONITORING.md#${r.alert.toLowerCase()}`);
    }
  });
});

describe('writing the monitoring files over a directory that has them', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'shoplake-deploy-edit-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("refuses to overwrite a team's edited file unless forced, and names it", () => {
    writeMonitoringFiles(dir);
    // Files as generated are rewritten without a word.
    assert.equal(writeMonitoringFiles(dir).length, monitoringFiles().size);
    const prometheus = join(dir, 'prometheus', 'prometheus.yml');
    const edit = '# scrape credential added by hand\n';
    appendFileSync(prometheus, edit);
    assert.throws(
      () => writeMonitoringFiles(dir),
      (err: Error) =>
        err.name === 'UserError' &&
        /prometheus\/prometheus\.yml/.test(err.message) &&
        /--force/.test(err.message),
    );
    assert.ok(readFileSync(prometheus, 'utf8').endsWith(edit), 'the edit is still there');
    writeMonitoringFiles(dir, { force: true });
    assert.equal(readFileSync(prometheus, 'utf8'), monitoringFiles().get('prometheus/prometheus.yml'));
  });

  it('a file where a directory belongs is a mistake about --out, not an internal error', () => {
    const out = mkdtempSync(join(tmpdir(), 'shoplake-deploy-file-'));
    try {
      writeFileSync(join(out, 'grafana'), 'not a directory');
      assert.throws(
        () => writeMonitoringFiles(out),
        (err: Error) => err.name === 'UserError' && /choose another --out/.test(err.message),
      );
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
