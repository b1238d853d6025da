/**
 * One contender of bench/sessions.ts in a fresh process: `node dist/bench/sessions-worker.js CONTENDER
 * ANALYSIS DATA_DIR`, CONTENDER `shoplake` (the catalog analysis, reading the sessions table) or
 * `duckdb-events` (hand-written DuckDB SQL from clickstream events, through the same @duckdb/node-api
 * library: the event-level definitions the analyses' tests keep as their reference). Runs the analysis
 * twice (cold, then warm) and prints one JSON line: times, peak RSS and the answer in a canonical form.
 */

import { eventLevelSql } from '../src/analyses/catalog/parts/event-level.test-helper.js';
import { bindParams, findAnalysis, parseParams, runAnalysis } from '../src/analyses/index.js';
import { DuckDbSession, defaultMemoryLimit, sqlIdent } from '../src/duckdb/index.js';
import { openEngine } from '../src/engines/index.js';
import { dataLayout, TABLES, tableSelectSql } from '../src/lake/index.js';

type Row = Record<string, unknown>;

const r4 = (x: unknown) => (x === null || x === undefined ? null : Math.round(Number(x) * 1e4) / 1e4);

/** The answer as rows of plain values, the same for every contender (and for the chDB script). */
export function canonical(analysis: string, rows: Row[]): unknown[][] {
  switch (analysis) {
    case 'funnel':
      return rows
        .map((r) => [
          String(r.segment),
          Number(r.step),
          Number(r.sessions),
          r4(r.median_seconds_from_previous ?? r.median_dt),
        ])
        .sort((a, b) => String(a[0]).localeCompare(String(b[0])) || Number(a[1]) - Number(b[1]));
    case 'sessions':
      return rows.map((r) => [
        String(r.day),
        String(r.device),
        Number(r.sessions),
        r4(r.avg_seconds),
        r4(r.median_seconds),
        r4(r.avg_page_views),
        r4(r.bounce_rate),
        r4(r.purchase_rate),
      ]);
    case 'conversion-by-device':
      return rows
        .map((r) => [String(r.device), Number(r.sessions), Number(r.purchasing_sessions)])
        .sort((a, b) => String(a[0]).localeCompare(String(b[0])));
    case 'user-paths':
      return rows.map((r) => [String(r.path), Number(r.sessions)]);
    case 'ab-test':
      return rows.flatMap((r) =>
        'variant' in r
          ? [[String(r.experiment), String(r.variant), Number(r.sessions), Number(r.conversions)]]
          : [
              [String(r.experiment), 'A', Number(r.sessions_a), Number(r.conversions_a)],
              [String(r.experiment), 'B', Number(r.sessions_b), Number(r.conversions_b)],
            ],
      );
    default:
      throw new Error(`no canonical form for ${analysis}`);
  }
}

async function shoplake(name: string, dataDir: string): Promise<{ times: number[]; rows: Row[] }> {
  const engine = await openEngine({ dataDir });
  try {
    const analysis = await findAnalysis(name);
    const times: number[] = [];
    let rows: Row[] = [];
    for (let i = 0; i < 2; i++) {
      const t0 = performance.now();
      rows = (await runAnalysis(engine, analysis, {})) as Row[];
      times.push(performance.now() - t0);
    }
    return { times, rows };
  } finally {
    await engine.close();
  }
}

async function duckdbEvents(name: string, dataDir: string): Promise<{ times: number[]; rows: Row[] }> {
  const layout = dataLayout(dataDir);
  const db = await DuckDbSession.open({ memoryLimit: defaultMemoryLimit() });
  try {
    await db.run('CREATE MACRO epoch_seconds(ts) AS CAST(epoch(ts) AS BIGINT)');
    await db.run(
      "CREATE MACRO local_time(ts, tz) AS CASE WHEN tz = 'UTC' THEN ts ELSE timezone(tz, CAST(ts AS TIMESTAMPTZ)) END",
    );
    for (const t of ['clickstream', 'experiments', 'customers'] as const) {
      await db.run(`CREATE VIEW ${sqlIdent(t)} AS ${tableSelectSql(layout, TABLES[t])}`);
    }
    const analysis = await findAnalysis(name);
    const params = parseParams(analysis, {});
    const sql = eventLevelSql(name, params);
    const times: number[] = [];
    let rows: Row[] = [];
    for (let i = 0; i < 2; i++) {
      const t0 = performance.now();
      rows = await db.all(sql, bindParams(analysis, sql, params));
      times.push(performance.now() - t0);
    }
    return { times, rows };
  } finally {
    db.close();
  }
}

const [contender, name, dataDir] = process.argv.slice(2);
if (!contender || !name || !dataDir) throw new Error('usage: sessions-worker CONTENDER ANALYSIS DATA_DIR');
const run = contender === 'shoplake' ? shoplake : contender === 'duckdb-events' ? duckdbEvents : null;
if (!run) throw new Error(`unknown contender ${contender}`);
const { times, rows } = await run(name, dataDir);
const rssMb = Math.round(process.resourceUsage().maxRSS / 1024);
console.log(JSON.stringify({ coldMs: times[0], warmMs: times[1], rssMb, answer: canonical(name, rows) }));
