/** One PromQL query of a panel, with the legend Grafana shows for its series. */
export interface Query {
  expr: string;
  legend: string;
}

/**
 * A dashboard panel as data: what it shows and what it means. The Grafana JSON is built from these, and
 * the tests run every `expr` against a real Prometheus, so a panel cannot ask for a metric that does
 * not exist.
 */
export interface PanelSpec {
  title: string;
  /** What the panel means, shown as its description in Grafana and listed in docs/MONITORING.md. */
  description: string;
  kind: 'timeseries' | 'stat';
  /** Grafana unit id: short, percentunit, bytes, s, reqps, currencyUSD, … */
  unit: string;
  queries: Query[];
  /** The seed dashboard's panel title this panel gives a true meaning to, if any. */
  seedTitle?: string;
  /** Grid width (of 24); default 8. */
  width?: number;
}

/** A dashboard: its file name, uid, title and panels. */
export interface DashboardSpec {
  file: string;
  uid: string;
  title: string;
  description: string;
  panels: PanelSpec[];
}

/** The selectors of the template variables, as they appear in panel queries. */
export const TABLE = 'table=~"$table"';
export const REGION = 'region=~"$region"';

/** Replaces the template variables by "every value", as Grafana does with "All" selected. */
export function expandVariables(expr: string): string {
  return expr.replaceAll('$table', '.*').replaceAll('$region', '.*');
}
