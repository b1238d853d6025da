import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { alertRules, ruleFile, yamlText } from './index.js';
import { runTool } from './tools.test-helper.js';

const rules = new Map(alertRules().map((r) => [r.alert, r]));
/** The annotations an alert must carry, with its label templates filled in by hand. */
function annotations(alert: string, labels: Record<string, string> = {}): Record<string, string> {
  const rule = rules.get(alert);
  assert.ok(rule, `rule ${alert} exists`);
  const fill = (text: string) =>
    text.replace(/\{\{ \$labels\.(\w+) \}\}/g, (_, name: string) => labels[name] ?? '');
  return {
    summary: fill(rule.annotations.summary),
    description: fill(rule.annotations.description),
    runbook_url: rule.annotations.runbook_url,
  };
}

interface Case {
  name: string;
  interval?: string;
  series: Record<string, string>;
  /** alert name → eval time → labels of the alerts expected firing then (empty: none). */
  expect: [alert: string, evalTime: string, firing: Record<string, string>[]][];
}

// Each alert fires in one case and stays quiet in another; the series and times are worked out by hand
// in the comments.
const CASES: Case[] = [
  {
    name: 'collector down for 4 minutes',
    // up=1 for 0..5m, 0 from 6m: pending at 6m, firing from 8m (for: 2m).
    series: { 'up{job="shoplake",instance="localhost:8080"}': '1x5 0x10' },
    expect: [
      ['ShoplakeDown', '4m', []],
      ['ShoplakeDown', '10m', [{ severity: 'critical', job: 'shoplake', instance: 'localhost:8080' }]],
    ],
  },
  {
    name: 'traffic stops after an hour',
    // +100 records a minute until 60m, then none: the last 10 minutes are empty from 70m, with traffic in
    // the hour before; firing 5 minutes later. At 140m the hour before (70m..130m offset) was quiet too.
    series: { 'shoplake_records_total{table="orders",outcome="accepted"}': '0+100x60 6000x90' },
    expect: [
      ['ShoplakeIngestionStalled', '50m', []],
      ['ShoplakeIngestionStalled', '80m', [{ severity: 'critical' }]],
      ['ShoplakeIngestionStalled', '140m', []],
    ],
  },
  {
    name: '10% of orders rejected',
    series: {
      'shoplake_records_total{table="orders",outcome="accepted"}': '0+90x30',
      'shoplake_records_total{table="orders",outcome="rejected"}': '0+10x30',
      // 1% of events rejected: below the threshold.
      'shoplake_records_total{table="clickstream",outcome="accepted"}': '0+99x30',
      'shoplake_records_total{table="clickstream",outcome="rejected"}': '0+1x30',
    },
    // Above 5% from the first minutes: pending, then firing once for: 10m has passed.
    expect: [
      ['ShoplakeRejectionRateHigh', '5m', []],
      ['ShoplakeRejectionRateHigh', '25m', [{ severity: 'warning', table: 'orders' }]],
    ],
  },
  {
    name: 'oldest waiting record ages past 2 minutes',
    // 0 until 5m, then 60 s at 6m, 120 at 7m, 180 at 8m (> 120): pending at 8m, firing from 13m.
    series: { shoplake_wal_oldest_pending_age_seconds: '0x5 60+60x20' },
    expect: [
      ['ShoplakeCompactionLagHigh', '10m', []],
      ['ShoplakeCompactionLagHigh', '15m', [{ severity: 'warning' }]],
    ],
  },
  {
    name: 'WAL grows 10 MiB a minute',
    // Over 64 MiB from 7m (70 MiB) and still rising: firing from 22m (for: 15m).
    series: { shoplake_wal_pending_bytes: '0+10485760x40' },
    expect: [
      ['ShoplakeWalGrowing', '15m', []],
      ['ShoplakeWalGrowing', '30m', [{ severity: 'warning' }]],
    ],
  },
  {
    name: 'WAL large but steady',
    series: { shoplake_wal_pending_bytes: '104857600x40' },
    expect: [['ShoplakeWalGrowing', '30m', []]],
  },
  {
    name: 'disk losing 1 GB a minute with 100 GB free',
    // 240 GB more would be needed for the next 4 hours: predicted negative from the second sample on.
    series: { shoplake_disk_free_bytes: '100000000000-1000000000x30' },
    expect: [['ShoplakeDiskAlmostFull', '20m', [{ severity: 'critical' }]]],
  },
  {
    name: 'disk losing 1 MB a minute with 100 GB free',
    series: { shoplake_disk_free_bytes: '100000000000-1000000x30' },
    expect: [['ShoplakeDiskAlmostFull', '20m', []]],
  },
  {
    name: 'revenue 400 against 2000 the same hour last week',
    series: {
      'shoplake_business_recent_revenue_dollars{period="last_hour"}': '400x60',
      'shoplake_business_recent_revenue_dollars{period="week_ago"}': '2000x60',
    },
    expect: [
      ['ShoplakeRevenueDrop', '20m', []],
      ['ShoplakeRevenueDrop', '45m', [{ severity: 'warning' }]],
    ],
  },
  {
    name: 'revenue 1500 against 2000, and 0 against a quiet 500',
    series: {
      'shoplake_business_recent_revenue_dollars{period="last_hour",instance="a"}': '1500x60',
      'shoplake_business_recent_revenue_dollars{period="week_ago",instance="a"}': '2000x60',
      'shoplake_business_recent_revenue_dollars{period="last_hour",instance="b"}': '0x60',
      'shoplake_business_recent_revenue_dollars{period="week_ago",instance="b"}': '500x60',
    },
    expect: [['ShoplakeRevenueDrop', '45m', []]],
  },
  {
    name: 'fraud flags jump from 1 to 5 per 5 minutes',
    interval: '5m',
    // 1 flag per 5 minutes for 25 h (about 3 per 15 minutes), then 5 per 5 minutes (about 15 per 15).
    series: { shoplake_fraud_alerts_total: '0+1x300 305+5x10' },
    expect: [['ShoplakeFraudSpike', '1540m', [{ severity: 'critical' }]]],
  },
  {
    name: 'fraud flags steady at 1 per 5 minutes',
    interval: '5m',
    series: { shoplake_fraud_alerts_total: '0+1x310' },
    expect: [['ShoplakeFraudSpike', '1540m', []]],
  },
  {
    name: '90% of analyses slower than 5 s',
    // Error ratio 0.9 against a budget of 0.05: burn rate 18, above both 14.4 and 6.
    series: {
      'shoplake_analysis_duration_seconds_bucket{le="5"}': '0+1x120',
      shoplake_analysis_duration_seconds_count: '0+10x120',
    },
    expect: [
      ['ShoplakeAnalysisLatencyBudgetBurn', '70m', [{ severity: 'critical' }]],
      ['ShoplakeAnalysisLatencyBudgetBurnSlow', '70m', [{ severity: 'warning' }]],
    ],
  },
  {
    name: '40% of analyses slower than 5 s',
    // Burn rate 8: the slow-burn alert only.
    series: {
      'shoplake_analysis_duration_seconds_bucket{le="5"}': '0+6x120',
      shoplake_analysis_duration_seconds_count: '0+10x120',
    },
    expect: [
      ['ShoplakeAnalysisLatencyBudgetBurn', '70m', []],
      ['ShoplakeAnalysisLatencyBudgetBurnSlow', '70m', [{ severity: 'warning' }]],
    ],
  },
  {
    name: 'every analysis within 5 s',
    series: {
      'shoplake_analysis_duration_seconds_bucket{le="5"}': '0+10x120',
      shoplake_analysis_duration_seconds_count: '0+10x120',
    },
    expect: [
      ['ShoplakeAnalysisLatencyBudgetBurn', '70m', []],
      ['ShoplakeAnalysisLatencyBudgetBurnSlow', '70m', []],
    ],
  },
];

describe('alert rules (promtool)', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'shoplake-rules-'));
    writeFileSync(join(dir, 'alerts.yml'), yamlText(ruleFile()));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('every alert has a case where it fires and one where it does not', () => {
    for (const alert of rules.keys()) {
      const checks = CASES.flatMap((c) => c.expect).filter(([name]) => name === alert);
      assert.ok(
        checks.some(([, , firing]) => firing.length > 0),
        `${alert} has a firing case`,
      );
      assert.ok(
        checks.some(([, , firing]) => firing.length === 0),
        `${alert} has a quiet case`,
      );
    }
  });

  it('the rule file passes promtool check rules', (t) => {
    const r = runTool(t, 'promtool', ['check', 'rules', join(dir, 'alerts.yml')]);
    if (r) assert.ok(r.ok, r.output);
  });

  it('each alert fires and stays quiet as worked out by hand (promtool test rules)', (t) => {
    const tests = CASES.map((c) => ({
      name: c.name,
      interval: c.interval ?? '1m',
      input_series: Object.entries(c.series).map(([series, values]) => ({ series, values })),
      alert_rule_test: c.expect.map(([alertname, eval_time, firing]) => ({
        eval_time,
        alertname,
        exp_alerts: firing.map((labels) => ({
          exp_labels: labels,
          exp_annotations: annotations(alertname, labels),
        })),
      })),
    }));
    writeFileSync(
      join(dir, 'tests.yml'),
      yamlText({ rule_files: ['alerts.yml'], evaluation_interval: '30s', tests }),
    );
    const r = runTool(t, 'promtool', ['test', 'rules', join(dir, 'tests.yml')]);
    if (r) assert.ok(r.ok, r.output);
  });
});
