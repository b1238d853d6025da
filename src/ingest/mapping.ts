import { readFileSync } from 'node:fs';
import YAML from 'yaml';
import { z } from 'zod';
import { sqlIdent, sqlString } from '../duckdb/index.js';
import { UserError } from '../errors/index.js';
import type { TableSpec } from '../lake/index.js';
import { COUNTRY_REGIONS } from './countries.js';

const source = z.string().min(1);
const ruleSchema = z.union([
  source,
  z
    .object({
      column: source.optional(),
      constant: z.union([z.string(), z.number()]).optional(),
      format: z.string().optional().describe('strptime format of a date column, e.g. %m/%d/%Y %H:%M'),
      multiply: z
        .tuple([source, source])
        .optional()
        .describe('two numeric columns whose product is the value'),
      regionFromCountry: source.optional().describe('country column mapped to a sales region'),
      default: z.string().optional().describe('value used when the source is empty'),
      values: z
        .record(z.string(), z.string())
        .optional()
        .describe('source value → lake value, e.g. cart → ADD_TO_CART'),
    })
    .strict(),
]);

/** A `--map` file: target column → source column or simple expression. */
export const mappingSchema = z
  .object({ columns: z.record(z.string(), ruleSchema), description: z.string().optional() })
  .strict();
export type Mapping = z.infer<typeof mappingSchema>;
type Rule = z.infer<typeof ruleSchema>;

/** Reads and validates a JSON or YAML mapping file; every problem is reported with its path. */
export function loadMapping(path: string): Mapping {
  let parsed: unknown;
  try {
    parsed = YAML.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new UserError(`cannot read mapping ${path}: ${(err as Error).message.split('\n')[0]}`);
  }
  const result = mappingSchema.safeParse(parsed);
  if (!result.success) {
    const issues = result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new UserError(`invalid mapping ${path}: ${issues}`);
  }
  return result.data;
}

/**
 * SQL expressions (over a relation of VARCHAR source columns) giving each target column as VARCHAR.
 * Without a mapping, target columns are read from source columns of the same name.
 */
export function mappedColumns(
  spec: TableSpec,
  sourceColumns: string[],
  mapping?: Mapping,
): Map<string, string> {
  const available = new Set(sourceColumns);
  const unknownTargets = Object.keys(mapping?.columns ?? {}).filter(
    (t) => !spec.columns.some((c) => c.name === t),
  );
  if (unknownTargets.length > 0) {
    throw new UserError(`mapping names unknown ${spec.name} columns: ${unknownTargets.join(', ')}`);
  }
  const exprs = new Map<string, string>();
  const missing: string[] = [];
  const col = (name: string) => {
    if (!available.has(name)) missing.push(name);
    return `NULLIF(trim(${sqlIdent(name)}), '')`;
  };
  for (const column of spec.columns) {
    const rule: Rule | undefined = mapping?.columns[column.name];
    if (rule === undefined) {
      if (available.has(column.name)) exprs.set(column.name, col(column.name));
      else if (column.optional) exprs.set(column.name, 'CAST(NULL AS VARCHAR)');
      else missing.push(column.name);
      continue;
    }
    exprs.set(column.name, ruleSql(rule, col));
  }
  if (missing.length > 0) {
    throw new UserError(
      `source has no column ${[...new Set(missing)].join(', ')} (it has ${sourceColumns.join(', ')}): ` +
        'rename them or pass --map FILE (see docs/MAPPING.md)',
    );
  }
  return exprs;
}

function ruleSql(rule: Rule, col: (name: string) => string): string {
  if (typeof rule === 'string') return col(rule);
  let expr = 'CAST(NULL AS VARCHAR)';
  if (rule.constant !== undefined) expr = sqlString(String(rule.constant));
  if (rule.column) expr = col(rule.column);
  if (rule.multiply) {
    const [a, b] = rule.multiply.map(col);
    expr = `CAST(round(TRY_CAST(${a} AS DOUBLE) * TRY_CAST(${b} AS DOUBLE), 2) AS DECIMAL(18,2))::VARCHAR`;
  }
  if (rule.regionFromCountry) {
    const cases = [...COUNTRY_REGIONS].map(([c, r]) => `WHEN ${sqlString(c)} THEN ${sqlString(r)}`).join(' ');
    expr = `CASE lower(${col(rule.regionFromCountry)}) ${cases} ELSE 'OTHER' END`;
  }
  if (rule.values) {
    // Unlisted values pass through unchanged so that validation names them in the quarantine.
    const cases = Object.entries(rule.values).map(
      ([from, to]) => `WHEN ${sqlString(from)} THEN ${sqlString(to)}`,
    );
    expr = `CASE ${expr} ${cases.join(' ')} ELSE ${expr} END`;
  }
  if (rule.format) {
    // Unparseable dates pass through unchanged so that validation quarantines them with the raw value.
    expr = `coalesce(strftime(try_strptime(${expr}, ${sqlString(rule.format)}), '%Y-%m-%d %H:%M:%S'), ${expr})`;
  }
  if (rule.default !== undefined) expr = `coalesce(${expr}, ${sqlString(rule.default)})`;
  return expr;
}

/** Source columns the mapping reads (lake column names where the mapping says nothing). */
export function referencedColumns(spec: TableSpec, mapping?: Mapping): string[] {
  const columns = new Set<string>();
  for (const column of spec.columns) {
    const rule = mapping?.columns[column.name];
    if (rule === undefined) columns.add(column.name);
    else if (typeof rule === 'string') columns.add(rule);
    else
      for (const c of [rule.column, rule.regionFromCountry, ...(rule.multiply ?? [])]) if (c) columns.add(c);
  }
  return [...columns];
}
