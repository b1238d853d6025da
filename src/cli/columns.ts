import { z } from 'zod';
import { formatNumber } from '../analyses/index.js';
import type { Column } from '../engines/index.js';

/** How a column's numbers are shown in table format (json, csv and ndjson always keep raw values). */
export type ColumnKind = 'money' | 'percent' | 'fixed' | 'number' | 'other';

/** A column and how to show it. */
export interface ColumnFormat {
  name: string;
  kind: ColumnKind;
  /** Digits after the point, for 'fixed' columns. */
  decimals?: number;
}

/**
 * The naming convention that tells money and rates apart in an analysis's row schema, for schemas
 * that do not say it themselves with `.meta({ format: 'money' | 'percent' })`:
 * - money: names ending in revenue, amount, price, monetary, total or _value (not p_value), starting
 *   with value_, and mae/rmse (errors in dollars);
 * - percent (a fraction 0–1 shown as %): names containing the word share, rate, retention, conversion
 *   or lift, and confidence bounds ci_low / ci_high.
 * Counts, days and statistics (z, p_value, chi-square) are plain numbers.
 */
const MONEY = /(^|_)(revenue|amount|price|monetary|total)$|(?<!(^|_)p)_value$|^value_|^(mae|rmse)$/;
const PERCENT = /(^|_)(share|rate|retention|conversion|lift)(_|$)|(^|_)ci_(low|high)$/;

const declaredSchema = z.enum(['money', 'percent']);

/** Formats for an analysis's columns, from its row schema (meta first, then the naming convention). */
export function analysisColumns(row: z.ZodObject): ColumnFormat[] {
  return Object.entries(row.shape).map(([name, field]) => {
    const declared = declaredFormat(field);
    if (declared) return { name, kind: declared };
    if (MONEY.test(name)) return { name, kind: 'money' };
    if (PERCENT.test(name)) return { name, kind: 'percent' };
    return { name, kind: 'number' };
  });
}

// `.meta({ format })` on the field, or on the schema a `.nullable()`/`.optional()` wraps.
function declaredFormat(field: z.core.$ZodType): ColumnKind | null {
  let current: z.core.$ZodType | undefined = field;
  for (let depth = 0; depth < 3 && current; depth++) {
    const parsed = declaredSchema.safeParse(z.globalRegistry.get(current)?.format);
    if (parsed.success) return parsed.data;
    current =
      current instanceof z.ZodNullable || current instanceof z.ZodOptional ? current.unwrap() : undefined;
  }
  return null;
}

/**
 * Formats for the columns of user-written SQL: DECIMAL columns (money is DECIMAL(18,4)) show at least two
 * decimals and as many more as the value has, so 1359.95 reads as money and a 0.001 price is not hidden.
 */
export function sqlColumns(columns: readonly Column[]): ColumnFormat[] {
  return columns.map((c) =>
    c.decimals !== null
      ? { name: c.name, kind: 'fixed', decimals: c.decimals }
      : { name: c.name, kind: 'number' },
  );
}

/** A value as a table cell. */
export function cellText(value: unknown, format: ColumnFormat | undefined): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number' && Number.isFinite(value)) {
    switch (format?.kind) {
      case 'money':
        return fixed(value, 2);
      case 'percent':
        return `${fixed(value * 100, 1)} %`;
      case 'fixed':
        return fixed(value, Math.min(2, format.decimals ?? 2), format.decimals ?? 2);
      default:
        return formatNumber(value, 0, 4);
    }
  }
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

function fixed(value: number, decimals: number, most = decimals): string {
  return formatNumber(value, decimals, most);
}
