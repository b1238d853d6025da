import type { ColumnInfo } from './types.js';

/** The viewer's locale (the report pins one so that its figures read the same everywhere). */
let locale: string | undefined;

export function setLocale(value: string | undefined): void {
  locale = value;
}

/** A number as the viewer's locale writes it, money in dollars, fractions as percentages. */
export function formatValue(value: unknown, format: ColumnInfo['format'] = 'number'): string {
  if (value === null || value === undefined) return '—';
  if (typeof value !== 'number') return String(value);
  switch (format) {
    case 'money':
      return new Intl.NumberFormat(locale, { style: 'currency', currency: 'USD' }).format(value);
    case 'percent':
      return new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 2 }).format(value);
    default:
      return new Intl.NumberFormat(locale, { maximumFractionDigits: 2 }).format(value);
  }
}

/** A short axis label: 1.2K, 3.4M. */
export function formatCompact(value: number, format: ColumnInfo['format'] = 'number'): string {
  if (format === 'percent') return formatValue(value, 'percent');
  const text = new Intl.NumberFormat(locale, { notation: 'compact', maximumFractionDigits: 1 }).format(value);
  return format === 'money' ? `$${text}` : text;
}
