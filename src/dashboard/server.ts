import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createDashboard, type Dashboard, type DashboardOptions } from './app.js';

/** A dashboard listening on a port. */
export interface RunningDashboard {
  url: string;
  dashboard: Dashboard;
  close(): Promise<void>;
}

/** Starts the dashboard alone (`shoplake dashboard`): it only reads the lake. */
export async function startDashboard(
  options: DashboardOptions & { host?: string; port?: number },
): Promise<RunningDashboard> {
  const dashboard = createDashboard(options);
  const server = createServer(dashboard.listener);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 3000, options.host ?? '127.0.0.1', () => resolve());
  }).catch(async (err: unknown) => {
    await dashboard.close();
    throw err;
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    dashboard,
    async close() {
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      // Live pages hold their event streams open: end them rather than wait for the viewers to leave.
      server.closeAllConnections();
      await stopped;
      await dashboard.close();
    },
  };
}
