import { z } from 'zod';

/**
 * Counters for the overview's live tiles. Orders are counted whole (distinct order_id, any status, as
 * they flow in); revenue is completed orders' total_amount, as revenue-by-day counts it, so "revenue
 * today" equals that analysis's row for today.
 */
export const COUNTERS_SQL = `
  SELECT count(DISTINCT order_id) AS orders_total,
    count(*) AS order_lines,
    count(DISTINCT CASE WHEN CAST(CAST(local_time(order_date, :tz) AS DATE) AS STRING) = :today
      THEN order_id END) AS orders_today,
    CAST(round(coalesce(sum(CASE WHEN status = 'COMPLETED'
      AND CAST(CAST(local_time(order_date, :tz) AS DATE) AS STRING) = :today THEN total_amount END), 0), 2)
      AS DOUBLE) AS revenue_today
  FROM orders`;

export const countersRow = z.object({
  orders_total: z.coerce.number(),
  order_lines: z.coerce.number(),
  orders_today: z.coerce.number(),
  revenue_today: z.coerce.number(),
});

/** Orders (any status) and completed revenue per minute since :since (UTC), minutes in :tz. */
export const PER_MINUTE_SQL = `
  SELECT CAST(date_trunc('minute', local_time(order_date, :tz)) AS STRING) AS minute,
    count(DISTINCT order_id) AS orders,
    CAST(round(coalesce(sum(CASE WHEN status = 'COMPLETED' THEN total_amount END), 0), 2) AS DOUBLE) AS revenue
  FROM orders
  WHERE order_date >= CAST(:since AS TIMESTAMP)
  GROUP BY 1
  ORDER BY 1`;

export const perMinuteRow = z.object({
  minute: z.string(),
  orders: z.coerce.number(),
  revenue: z.coerce.number(),
});

export const EVENTS_SQL = 'SELECT count(*) AS events FROM clickstream';
export const eventsRow = z.object({ events: z.coerce.number() });

/** The calendar day of `at` in time zone `tz`, YYYY-MM-DD. */
export function dayIn(at: Date, tz: string): string {
  // en-CA writes dates as YYYY-MM-DD.
  return new Intl.DateTimeFormat('en-CA', {
    timeZone: tz,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(at);
}

/** A UTC instant as the lake's timestamps are written (naive UTC, 'YYYY-MM-DD HH:MM:SS'). */
export function utcStamp(at: Date): string {
  return at.toISOString().replace('T', ' ').slice(0, 19);
}
