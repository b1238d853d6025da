import {
  DashboardBuilder,
  type DataSourceRef,
  QueryVariableBuilder,
  VariableRefresh,
  VariableSort,
} from '@grafana/grafana-foundation-sdk/dashboard';
import { DataqueryBuilder } from '@grafana/grafana-foundation-sdk/prometheus';
import { PanelBuilder as StatPanel } from '@grafana/grafana-foundation-sdk/stat';
import { PanelBuilder as TimeseriesPanel } from '@grafana/grafana-foundation-sdk/timeseries';
import type { DashboardSpec, PanelSpec } from './panel-spec.js';

/** The provisioned Prometheus data source every panel reads (deploy/grafana/provisioning). */
export const DATASOURCE: DataSourceRef = { type: 'prometheus', uid: 'prometheus' };

/** A dashboard spec as Grafana dashboard JSON (10 s refresh, `table` and `region` variables). */
export function grafanaDashboard(spec: DashboardSpec): unknown {
  const builder = new DashboardBuilder(spec.title)
    .uid(spec.uid)
    .description(spec.description)
    .tags(['shoplake'])
    .refresh('10s')
    .time({ from: 'now-1h', to: 'now' })
    .timezone('browser')
    .withVariable(variable('table', 'label_values(shoplake_lake_rows, table)'))
    .withVariable(variable('region', 'label_values(shoplake_business_orders, region)'));
  for (const panel of spec.panels) builder.withPanel(panelBuilder(panel));
  return builder.build();
}

function variable(name: string, query: string): QueryVariableBuilder {
  return new QueryVariableBuilder(name)
    .label(name)
    .datasource(DATASOURCE)
    .query(query)
    .definition(query)
    .refresh(VariableRefresh.OnTimeRangeChanged)
    .sort(VariableSort.AlphabeticalAsc)
    .multi(true)
    .includeAll(true)
    .allValue('.*')
    .current({ text: 'All', value: '$__all' });
}

function panelBuilder(spec: PanelSpec): TimeseriesPanel | StatPanel {
  const targets = spec.queries.map((q, i) =>
    new DataqueryBuilder()
      .datasource(DATASOURCE)
      .expr(q.expr)
      .legendFormat(q.legend)
      .refId(String.fromCharCode(65 + i)),
  );
  const panel = spec.kind === 'stat' ? new StatPanel() : new TimeseriesPanel();
  panel
    .title(spec.title)
    .description(spec.description)
    .datasource(DATASOURCE)
    .unit(spec.unit)
    .height(8)
    .span(spec.width ?? 8)
    .targets(targets);
  return panel;
}
