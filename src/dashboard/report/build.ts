import { findAnalysis, runAnalysis } from '../../analyses/index.js';
import type { Engine } from '../../engines/index.js';
import { isUserError } from '../../errors/index.js';
import { type ColumnInfo, columnsOf } from '../catalog-info.js';
import { READINGS } from './readings.js';

/** What narrows a report (--from, --to, --region): passed to each analysis that takes it. */
export interface ReportFilters {
  from?: string;
  to?: string;
  region?: string;
}

/** One section as the report page draws it (see web/report-data.ts, which checks it in the browser). */
export interface ReportSection {
  id: string;
  title: string;
  analysis: string;
  params: Record<string, string>;
  reading: string;
  columns: ColumnInfo[];
  rows: Record<string, unknown>[];
  chart: 'auto' | 'pie';
  measure?: string;
  problem: string | null;
}

/** A report's content: its sections and what narrowed it. */
export interface ReportData {
  title: string;
  generatedAt: string;
  filters: string;
  sections: ReportSection[];
}

interface SectionSpec {
  id: keyof typeof READINGS;
  title: string;
  analysis: string;
  params?: Record<string, string>;
  chart?: 'pie';
  measure?: string;
}

// The seed's four scenarios, then the trend, funnel, RFM segments, cohorts and A/B tests.
const SECTIONS: SectionSpec[] = [
  { id: 'regions', title: 'Scenario 1 — Top-performing regions', analysis: 'sales-by-region' },
  {
    id: 'tiers',
    title: 'Scenario 2 — Customer tiers',
    analysis: 'customer-tiers',
    chart: 'pie',
    measure: 'customers',
  },
  {
    id: 'traffic',
    title: 'Scenario 3 — Traffic peaks (completed orders per day)',
    analysis: 'revenue-by-day',
    measure: 'orders',
  },
  { id: 'devices', title: 'Scenario 4 — Purchases by device', analysis: 'purchases-by-device' },
  { id: 'trend', title: 'Revenue trend', analysis: 'revenue-by-day', measure: 'revenue' },
  { id: 'funnel', title: 'Funnel', analysis: 'funnel' },
  { id: 'rfm', title: 'RFM segments', analysis: 'rfm' },
  { id: 'cohorts', title: 'Cohort retention', analysis: 'cohort-retention' },
  { id: 'abtest', title: 'A/B tests', analysis: 'ab-test' },
];

/** Runs every section's analysis (with the filters it accepts) and writes its one-line reading. */
export async function buildReport(
  engine: Engine,
  filters: ReportFilters,
  now = new Date(),
): Promise<ReportData> {
  const sections: ReportSection[] = [];
  for (const spec of SECTIONS) {
    const analysis = await findAnalysis(spec.analysis);
    const accepted = Object.keys(analysis.params.shape);
    const params: Record<string, string> = { ...spec.params };
    for (const [key, value] of Object.entries(filters)) {
      if (typeof value === 'string' && accepted.includes(key)) params[key] = value;
    }
    const base = {
      id: spec.id,
      title: spec.title,
      analysis: spec.analysis,
      params,
      columns: columnsOf(analysis),
      chart: spec.chart ?? 'auto',
      ...(spec.measure ? { measure: spec.measure } : {}),
    } as const;
    try {
      const rows = await runAnalysis(engine, analysis, params);
      sections.push({ ...base, rows, reading: READINGS[spec.id]?.(rows) ?? '', problem: null });
    } catch (err) {
      // A table the lake does not have yet is said in its section; anything else stops the report.
      if (!isUserError(err)) throw err;
      sections.push({ ...base, rows: [], reading: 'Not available.', problem: err.message });
    }
  }
  const narrowed = [
    filters.from ? `from ${filters.from}` : '',
    filters.to ? `to ${filters.to}` : '',
    filters.region ? `region ${filters.region}` : '',
  ].filter(Boolean);
  return {
    title: 'shoplake report',
    generatedAt: `${now.toISOString().replace('T', ' ').slice(0, 16)} UTC`,
    filters: narrowed.length > 0 ? narrowed.join(', ') : 'all data',
    sections,
  };
}
