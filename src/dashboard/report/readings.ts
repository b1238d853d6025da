/** A row as analyses return it. */
type Row = Record<string, unknown>;

const num = (v: unknown) => (typeof v === 'number' ? v : Number(v ?? 0));
const money = (v: number) =>
  v.toLocaleString('en-US', { style: 'currency', currency: 'USD', minimumFractionDigits: 2 });
const count = (v: number) => v.toLocaleString('en-US');
const pct = (v: number) => `${(v * 100).toLocaleString('en-US', { maximumFractionDigits: 1 })}%`;
const top = (rows: Row[], key: string) =>
  rows.reduce<Row | undefined>((a, r) => (!a || num(r[key]) > num(a[key]) ? r : a), undefined);
const sum = (rows: Row[], key: string) => rows.reduce((s, r) => s + num(r[key]), 0);
// Calendar days from the first row's day to the last's, both included: revenue-by-day has no row for a
// day without completed orders, so its row count is not the number of days (the average and the "over
// N days" counted only days with orders).
const daysSpanned = (rows: Row[]) => {
  const day = (r: Row | undefined) => Date.parse(`${String(r?.day)}T00:00:00Z`);
  const span = (day(rows.at(-1)) - day(rows[0])) / 86_400_000 + 1;
  return Number.isFinite(span) && span >= rows.length ? span : rows.length;
};

/** One plain-language line per report section, from its rows (figures in en-US, as the report shows them). */
export const READINGS: Record<string, (rows: Row[]) => string> = {
  regions(rows) {
    const best = top(rows, 'revenue');
    if (!best) return 'No revenue in this period.';
    const total = sum(rows, 'revenue');
    return `${best.region} brings the most revenue: ${money(num(best.revenue))}, ${pct(num(best.revenue) / total)} of ${money(total)}.`;
  },
  tiers(rows) {
    const best = top(rows, 'customers');
    if (!best) return 'No customers yet.';
    return `Most customers are ${best.tier}: ${count(num(best.customers))} of ${count(sum(rows, 'customers'))} (${pct(num(best.share))}).`;
  },
  traffic(rows) {
    const peak = top(rows, 'orders');
    if (!peak) return 'No completed orders in this period.';
    const days = daysSpanned(rows);
    const average = sum(rows, 'orders') / days;
    return `The busiest day was ${peak.day} with ${count(num(peak.orders))} completed orders, ${(num(peak.orders) / average).toFixed(1)}× the daily average of ${average.toLocaleString('en-US', { maximumFractionDigits: 1 })} over ${count(days)} days.`;
  },
  devices(rows) {
    const best = top(rows, 'purchases');
    if (!best) return 'No purchases in this period.';
    const total = sum(rows, 'purchases');
    return `${best.device} makes the most purchases: ${count(num(best.purchases))} of ${count(total)} (${pct(num(best.purchases) / total)}).`;
  },
  trend(rows) {
    const first = rows[0];
    const last = rows.at(-1);
    if (!first || !last) return 'No completed orders in this period.';
    return `Revenue was ${money(sum(rows, 'revenue'))} over ${count(daysSpanned(rows))} days, from ${money(num(first.revenue))} on ${first.day} to ${money(num(last.revenue))} on ${last.day}.`;
  },
  funnel(rows) {
    const last = rows.at(-1);
    if (!rows[0] || !last) return 'No sessions in this period.';
    return `${pct(num(last.conversion_from_first))} of the ${count(num(rows[0].sessions))} sessions that reached ${rows[0].action} went on to ${last.action}.`;
  },
  rfm(rows) {
    const best = top(rows, 'customers');
    if (!best) return 'No customers with orders yet.';
    const revenue = top(rows, 'revenue');
    return `The largest segment is ${best.segment} (${count(num(best.customers))} customers, ${pct(num(best.share))}); ${revenue?.segment} bring the most revenue (${money(num(revenue?.revenue))}).`;
  },
  cohorts(rows) {
    const cohorts = rows.filter((r) => num(r.period_index) === 0);
    const first = cohorts[0];
    if (!first) return 'No completed orders to form cohorts.';
    return `${pct(num(first.repeat_rate))} of the ${count(num(first.cohort_size))} customers of the ${first.cohort} cohort ordered again; ${cohorts.length} cohorts in all.`;
  },
  abtest(rows) {
    if (rows.length === 0) return 'No A/B test in the data.';
    return rows
      .map((r) =>
        // A variant without sessions has no rate (null since ab-test stopped reading it as 0 %).
        r.rate_a === null || r.rate_b === null
          ? `${r.experiment}: only variant ${r.rate_a === null ? 'B' : 'A'} has sessions, nothing to compare yet${r.srm_detected ? ' (sample-ratio mismatch)' : ''}.`
          : `${r.experiment}: B converts at ${pct(num(r.rate_b))} against ${pct(num(r.rate_a))} for A (p = ${num(r.p_value).toFixed(3)}), ${r.significant ? 'a significant difference' : 'not a significant difference'}${r.srm_detected ? ', but the split is off (sample-ratio mismatch)' : ''}.`,
      )
      .join(' ');
  },
};
