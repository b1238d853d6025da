import { basename } from 'node:path';
import { z } from 'zod';
import type { DuckDbSession } from '../duckdb/index.js';
import {
  type DataLayout,
  filesByPartition,
  filesRelationSql,
  PARTITION_COLUMN,
  TABLES,
  type TableName,
  tableFiles,
} from '../lake/index.js';

const orderCellSchema = z.object({
  region: z.string(),
  status: z.string(),
  orders: z.number(),
  lines: z.number(),
  revenue: z.number(),
});
/** One (region, status) cell of the orders table. */
export type OrderCell = z.infer<typeof orderCellSchema>;

const eventCellSchema = z.object({ action: z.string(), device: z.string(), events: z.number() });
/** One (action, device) cell of the clickstream table. */
export type EventCell = z.infer<typeof eventCellSchema>;

/** Figures over a recent window of data time (the order and event timestamps, UTC). */
export interface RecentFigures {
  revenue: number;
  orders: number;
  weekAgoRevenue: number;
  weekAgoOrders: number;
  completedRevenue: number;
  completedOrders: number;
  sessions: number;
  purchasingSessions: number;
}

/** The business state of the lake, summed over its partitions. */
export interface BusinessTotals {
  orders: OrderCell[];
  events: EventCell[];
  recent: RecentFigures;
}

/** Length of the recent window (conversion, AOV, revenue against a week earlier). */
export const RECENT_WINDOW_MS = 3_600_000;
const WEEK_MS = 7 * 86_400_000;

/**
 * Aggregates the lake's orders and clickstream per partition and remembers each partition's result by its
 * file list: data lands in a few partitions at a time, so a refresh rereads only those. Totals are the
 * sum over partitions; distinct orders are counted per partition (an order's lines share its date, so it
 * counts once unless its lines were dated in different partitions).
 */
export class BusinessAggregates {
  private readonly orderParts = new Map<string, { key: string; cells: OrderCell[] }>();
  private readonly eventParts = new Map<string, { key: string; cells: EventCell[] }>();

  constructor(private readonly layout: DataLayout) {}

  /** Totals as of the manifests now, and the recent window ending at `now`. */
  async compute(db: DuckDbSession, now = Date.now()): Promise<BusinessTotals> {
    const orders = await this.partitions('orders', this.orderParts, async (rel) =>
      z.array(orderCellSchema).parse(
        await db.all(`SELECT region, status, count(DISTINCT order_id) AS orders, count(*) AS lines,
          CAST(sum(total_amount) AS DOUBLE) AS revenue FROM ${rel} GROUP BY region, status`),
      ),
    );
    const events = await this.partitions('clickstream', this.eventParts, async (rel) =>
      z
        .array(eventCellSchema)
        .parse(await db.all(`SELECT action, device, count(*) AS events FROM ${rel} GROUP BY action, device`)),
    );
    return { orders: sumOrders(orders), events: sumEvents(events), recent: await this.recent(db, now) };
  }

  private async partitions<C>(
    table: TableName,
    cache: Map<string, { key: string; cells: C[] }>,
    query: (relation: string) => Promise<C[]>,
  ): Promise<C[]> {
    const spec = TABLES[table];
    const byPartition = filesByPartition(tableFiles(this.layout, spec));
    const out: C[] = [];
    for (const [dir, files] of byPartition) {
      const key = [...files].sort().join('\n');
      let entry = cache.get(dir);
      if (entry?.key !== key) {
        entry = { key, cells: await query(filesRelationSql(spec.columns, files)) };
        cache.set(dir, entry);
      }
      out.push(...entry.cells);
    }
    for (const dir of cache.keys()) if (!byPartition.has(dir)) cache.delete(dir);
    return out;
  }

  // Reads only the partitions whose name covers a day of the two windows (day, month or year grain).
  private async recent(db: DuckDbSession, now: number): Promise<RecentFigures> {
    const windows = [now - RECENT_WINDOW_MS, now, now - WEEK_MS - RECENT_WINDOW_MS, now - WEEK_MS];
    const days = windows.map((t) => new Date(t).toISOString().slice(0, 10));
    const covers = (dir: string) => {
      const value = basename(dir).slice(PARTITION_COLUMN.length + 1);
      return days.some((d) => d.startsWith(value));
    };
    const filesOf = (table: TableName) =>
      [...filesByPartition(tableFiles(this.layout, TABLES[table])).entries()]
        .filter(([dir]) => covers(dir))
        .flatMap(([, files]) => files);
    const [from, to, weekFrom, weekTo] = windows.map(sqlTime) as [string, string, string, string];
    const zero = {
      revenue: 0,
      orders: 0,
      weekAgoRevenue: 0,
      weekAgoOrders: 0,
      completedRevenue: 0,
      completedOrders: 0,
      sessions: 0,
      purchasingSessions: 0,
    };
    const orderFiles = filesOf('orders');
    const figures = { ...zero };
    if (orderFiles.length > 0) {
      const [row] = await db.all(
        `SELECT
          CAST(coalesce(sum(total_amount) FILTER (WHERE now_w AND status <> 'CANCELLED'), 0) AS DOUBLE) AS revenue,
          count(DISTINCT order_id) FILTER (WHERE now_w AND status <> 'CANCELLED') AS orders,
          CAST(coalesce(sum(total_amount) FILTER (WHERE NOT now_w AND status <> 'CANCELLED'), 0) AS DOUBLE) AS week_revenue,
          count(DISTINCT order_id) FILTER (WHERE NOT now_w AND status <> 'CANCELLED') AS week_orders,
          CAST(coalesce(sum(total_amount) FILTER (WHERE now_w AND status = 'COMPLETED'), 0) AS DOUBLE) AS completed_revenue,
          count(DISTINCT order_id) FILTER (WHERE now_w AND status = 'COMPLETED') AS completed_orders
        FROM (SELECT *, order_date > CAST(:from AS TIMESTAMP) AS now_w
              FROM ${filesRelationSql(TABLES.orders.columns, orderFiles)}
              WHERE (order_date > CAST(:from AS TIMESTAMP) AND order_date <= CAST(:to AS TIMESTAMP))
                 OR (order_date > CAST(:weekFrom AS TIMESTAMP) AND order_date <= CAST(:weekTo AS TIMESTAMP)))`,
        { from, to, weekFrom, weekTo },
      );
      figures.revenue = Number(row?.revenue ?? 0);
      figures.orders = Number(row?.orders ?? 0);
      figures.weekAgoRevenue = Number(row?.week_revenue ?? 0);
      figures.weekAgoOrders = Number(row?.week_orders ?? 0);
      figures.completedRevenue = Number(row?.completed_revenue ?? 0);
      figures.completedOrders = Number(row?.completed_orders ?? 0);
    }
    const eventFiles = filesOf('clickstream');
    if (eventFiles.length > 0) {
      const [row] = await db.all(
        `SELECT count(DISTINCT session_id) AS sessions,
           count(DISTINCT session_id) FILTER (WHERE action = 'PURCHASE') AS purchasing
         FROM ${filesRelationSql(TABLES.clickstream.columns, eventFiles)}
         WHERE "timestamp" > CAST(:from AS TIMESTAMP) AND "timestamp" <= CAST(:to AS TIMESTAMP)`,
        { from, to },
      );
      figures.sessions = Number(row?.sessions ?? 0);
      figures.purchasingSessions = Number(row?.purchasing ?? 0);
    }
    return figures;
  }
}

/** A UTC time as the lake's TIMESTAMP text. */
function sqlTime(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').slice(0, 23);
}

function sumOrders(cells: OrderCell[]): OrderCell[] {
  const out = new Map<string, OrderCell>();
  for (const c of cells) {
    const k = `${c.region}\u0000${c.status}`;
    const seen = out.get(k);
    if (!seen) out.set(k, { ...c });
    else {
      seen.orders += c.orders;
      seen.lines += c.lines;
      seen.revenue += c.revenue;
    }
  }
  return [...out.values()];
}

function sumEvents(cells: EventCell[]): EventCell[] {
  const out = new Map<string, EventCell>();
  for (const c of cells) {
    const k = `${c.action}\u0000${c.device}`;
    const seen = out.get(k);
    if (!seen) out.set(k, { ...c });
    else seen.events += c.events;
  }
  return [...out.values()];
}
