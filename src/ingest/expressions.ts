import { sqlString } from '../duckdb/index.js';
import { MONEY_SCALE } from '../lake/index.js';
import { ARITHMETIC, type Condition, type Operand } from './mapping-schema.js';

/** Gives the SQL of a source column's value (and notes that the mapping reads it). */
export type Col = (name: string) => string;

/** Arithmetic is done in DECIMAL(38,10): exact for sums and products of amounts with up to 5 decimals. */
export const NUMERIC = 'DECIMAL(38,10)';

function operandSql(operand: Operand, col: Col, target: string, whys: string[]): string {
  if (typeof operand === 'number') return `CAST(${sqlString(String(operand))} AS ${NUMERIC})`;
  if (typeof operand === 'string') {
    const raw = col(operand);
    whys.push(
      `CASE WHEN ${raw} IS NOT NULL AND TRY_CAST(${raw} AS ${NUMERIC}) IS NULL THEN ${sqlString(`${target}: ${operand} `)}
        || '''' || left(${raw}, 40) || ''' is not a number' END`,
    );
    return `TRY_CAST(${raw} AS ${NUMERIC})`;
  }
  const op = ARITHMETIC.find((o) => o in operand);
  if (!op) throw new Error('arithmetic operand without an operation');
  return arithmeticSql(operand, op, col, target, whys);
}

/** SQL computing one arithmetic node in DECIMAL; reasons it cannot (not a number, ÷ 0) go to `whys`. */
export function arithmeticSql(
  node: Partial<Record<(typeof ARITHMETIC)[number], Operand[]>>,
  op: (typeof ARITHMETIC)[number],
  col: Col,
  target: string,
  whys: string[],
): string {
  const [first, ...rest] = (node[op] ?? []).map((o) => operandSql(o, col, target, whys));
  if (op === 'divide') {
    // One division by the product of the divisors, so that the quotient is rounded once. DuckDB divides
    // decimals in floating point; the quotient is rounded to the lake's MONEY_SCALE.
    const divisor = rest.reduce((a, b) => `CAST(${a} * ${b} AS ${NUMERIC})`);
    whys.push(`CASE WHEN ${divisor} = 0 THEN ${sqlString(`${target}: division by zero`)} END`);
    return `CASE WHEN ${divisor} = 0 THEN NULL ELSE CAST(round(${first} / ${divisor}, ${MONEY_SCALE}) AS ${NUMERIC}) END`;
  }
  let acc = first ?? 'NULL';
  for (const next of rest) {
    if (op === 'add') acc = `(${acc} + ${next})`;
    if (op === 'subtract') acc = `(${acc} - ${next})`;
    // Products are cast back to 10 decimals so that chains of factors keep within DECIMAL(38,…).
    if (op === 'multiply') acc = `CAST(${acc} * ${next} AS ${NUMERIC})`;
  }
  return acc;
}

/** SQL that is true when the condition holds (false, not NULL, for a missing value). */
export function conditionSql(c: Condition, col: Col): string {
  const v = col(c.column);
  const text = (x: string | number) => sqlString(String(x));
  let test: string;
  if (c.empty !== undefined) return c.empty ? `(${v} IS NULL)` : `(${v} IS NOT NULL)`;
  if (c.equals !== undefined) test = `${v} = ${text(c.equals)}`;
  else if (c.in !== undefined) test = `${v} IN (${c.in.map(text).join(', ')})`;
  else if (c.startsWith !== undefined) test = `starts_with(${v}, ${text(c.startsWith)})`;
  else if (c.endsWith !== undefined) test = `suffix(${v}, ${text(c.endsWith)})`;
  else if (c.matches !== undefined) test = `regexp_matches(${v}, ${text(c.matches)}, 'i')`;
  else if (c.below !== undefined) test = `TRY_CAST(${v} AS ${NUMERIC}) < ${text(c.below)}`;
  else test = `TRY_CAST(${v} AS ${NUMERIC}) > ${text(c.above ?? 0)}`;
  return `coalesce(${test}, false)`;
}
