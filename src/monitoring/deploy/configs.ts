/** Ports and addresses the deployed files agree on (all services on the host network, as in the compose file). */
export const PORTS = { shoplake: 8080, prometheus: 9090, alertmanager: 9093, grafana: 3000, webhook: 9095 };

/** deploy/prometheus/prometheus.yml: scrapes shoplake serve every 10 s, loads the alert rules, sends alerts. */
export function prometheusConfig(
  options: {
    target?: string;
    alertmanager?: string;
    scrapeInterval?: string;
    evaluationInterval?: string;
    rules?: string;
    /** A file holding the bearer credential /metrics asks for, when it asks for one. */
    credentialsFile?: string;
  } = {},
): unknown {
  return {
    global: {
      scrape_interval: options.scrapeInterval ?? '10s',
      evaluation_interval: options.evaluationInterval ?? '30s',
    },
    rule_files: [options.rules ?? 'alerts.yml'],
    alerting: {
      alertmanagers: [
        { static_configs: [{ targets: [options.alertmanager ?? `localhost:${PORTS.alertmanager}`] }] },
      ],
    },
    scrape_configs: [
      {
        job_name: 'shoplake',
        metrics_path: '/metrics',
        ...(options.credentialsFile
          ? { authorization: { type: 'Bearer', credentials_file: options.credentialsFile } }
          : {}),
        static_configs: [{ targets: [options.target ?? `localhost:${PORTS.shoplake}`] }],
      },
    ],
  };
}

/** deploy/alertmanager/alertmanager.yml: every alert to one webhook, grouped by alert and table. */
export function alertmanagerConfig(
  options: { webhook?: string; groupWait?: string; groupInterval?: string; repeatInterval?: string } = {},
): unknown {
  return {
    route: {
      receiver: 'webhook',
      group_by: ['alertname', 'table'],
      group_wait: options.groupWait ?? '30s',
      group_interval: options.groupInterval ?? '5m',
      repeat_interval: options.repeatInterval ?? '4h',
      routes: [
        { receiver: 'webhook', matchers: ['severity="critical"'], group_wait: options.groupWait ?? '10s' },
      ],
    },
    receivers: [
      {
        name: 'webhook',
        webhook_configs: [
          { url: options.webhook ?? `http://localhost:${PORTS.webhook}/alerts`, send_resolved: true },
        ],
      },
    ],
  };
}

/** deploy/grafana/provisioning/datasources/prometheus.yml. */
export function grafanaDatasource(): unknown {
  return {
    apiVersion: 1,
    datasources: [
      {
        name: 'Prometheus',
        uid: 'prometheus',
        type: 'prometheus',
        access: 'proxy',
        url: `http://localhost:${PORTS.prometheus}`,
        isDefault: true,
        jsonData: { timeInterval: '10s' },
      },
    ],
  };
}

/** deploy/grafana/provisioning/dashboards/shoplake.yml: loads the generated dashboards from a directory. */
export function grafanaDashboardProvider(path = '/var/lib/grafana/dashboards/shoplake'): unknown {
  return {
    apiVersion: 1,
    providers: [
      {
        name: 'shoplake',
        folder: 'shoplake',
        type: 'file',
        disableDeletion: true,
        updateIntervalSeconds: 30,
        allowUiUpdates: false,
        options: { path, foldersFromFilesStructure: false },
      },
    ],
  };
}

/**
 * deploy/docker-compose.yml: Prometheus, Alertmanager and Grafana beside a shoplake serve running on the
 * host (port 8080). Host networking keeps every address `localhost`, the same as without Docker.
 */
export function composeFile(): unknown {
  return {
    services: {
      prometheus: {
        image: 'prom/prometheus:v2.53.0',
        network_mode: 'host',
        command: ['--config.file=/etc/prometheus/prometheus.yml', '--web.listen-address=:9090'],
        volumes: ['./prometheus:/etc/prometheus:ro'],
      },
      alertmanager: {
        image: 'prom/alertmanager:v0.27.0',
        network_mode: 'host',
        command: ['--config.file=/etc/alertmanager/alertmanager.yml', '--web.listen-address=:9093'],
        volumes: ['./alertmanager:/etc/alertmanager:ro'],
      },
      grafana: {
        image: 'grafana/grafana:11.1.0',
        network_mode: 'host',
        environment: { GF_AUTH_ANONYMOUS_ENABLED: 'true', GF_AUTH_ANONYMOUS_ORG_ROLE: 'Viewer' },
        volumes: [
          './grafana/provisioning:/etc/grafana/provisioning:ro',
          './grafana/dashboards:/var/lib/grafana/dashboards/shoplake:ro',
        ],
      },
    },
  };
}
