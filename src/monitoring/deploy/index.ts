export {
  type AlertRule,
  type AlertTiming,
  alertRules,
  PRODUCTION_TIMING,
  ruleFile,
  runbook,
} from './alerts.js';
export {
  alertmanagerConfig,
  composeFile,
  grafanaDashboardProvider,
  grafanaDatasource,
  PORTS,
  prometheusConfig,
} from './configs.js';
export { DASHBOARDS, monitoringFiles, writeMonitoringFiles, yamlText } from './files.js';
export { DATASOURCE, grafanaDashboard } from './grafana.js';
export { type DashboardSpec, expandVariables, type PanelSpec, type Query } from './panel-spec.js';
export { SLO } from './slo.js';
