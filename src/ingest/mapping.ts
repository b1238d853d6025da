import { readFileSync } from 'node:fs';
import YAML from 'yaml';
import { type DuckDbSession, sqlIdent, sqlString } from '../duckdb/index.js';
import { UserError } from '../errors/index.js';
import type { TableSpec } from '../lake/index.js';
import { createRegionTables, regionSql } from './country-sql.js';
import { checkFormat, dateRuleSql, detectFormat } from './dates.js';
import { arithmeticSql, type Col, conditionSql, NUMERIC } from './expressions.js';
import {
  ARITHMETIC,
  allowedKeys,
  type Mapping,
  mappingSchema,
  type Operand,
  type Rule,
  type RuleObject,
} from './mapping-schema.js';
import { sourceTextSql } from './source-text.js';

export { type Mapping, mappingSchema } from './mapping-schema.js';

/** Reads and validates a JSON or YAML mapping file; every problem is reported with its path. */
export function loadMapping(path: string): Mapping {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new UserError(`cannot read mapping ${path}: ${(err as Error).message}`, { cause: err });
  }
  let parsed: unknown;
  try {
    parsed = YAML.parse(text);
  } catch (err) {
    throw new UserError(
      `mapping ${path} is not valid YAML or JSON: ${(err as Error).message.split('\n')[0]}`,
    );
  }
  const result = mappingSchema.safeParse(parsed, {
    error: (iss) =>
      iss.code === 'unrecognized_keys'
        ? `unknown key ${iss.keys.map((k) => `'${k}'`).join(', ')}: use ${allowedKeys(iss.path ?? []).join(', ') || 'no other key here'}`
        : undefined,
  });
  if (!result.success) {
    const issues = result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new UserError(`invalid mapping ${path}: ${issues} (see docs/MAPPING.md)`);
  }
  return result.data;
}

/** A lake column as mapped: its value as VARCHAR, and a reason (or NULL) when the mapping could not make it. */
export interface MappedColumn {
  expr: string;
  why: string;
}

/** Column rules compiled to SQL over one relation of VARCHAR source columns. */
export interface CompiledMapping {
  columns: Map<string, MappedColumn>;
  /** SQL giving the reason a row is skipped by the mapping's filters, or NULL. */
  skip: string;
  /** What the mapping decided by itself (e.g. the format `auto` chose), for the report. */
  notes: string[];
}

const NULL_TEXT = 'CAST(NULL AS VARCHAR)';

/**
 * Compiles the mapping's column rules over `from`, a relation whose columns are `sourceColumns`.
 * Without a mapping, lake columns are read from source columns of the same name.
 */
export async function compileMapping(
  db: DuckDbSession,
  spec: TableSpec,
  from: string,
  sourceColumns: string[],
  mapping?: Mapping,
): Promise<CompiledMapping> {
  const rules = mapping?.columns ?? {};
  const unknownTargets = Object.keys(rules).filter((t) => !spec.columns.some((c) => c.name === t));
  if (unknownTargets.length > 0) {
    throw new UserError(
      `mapping names unknown ${spec.name} columns: ${unknownTargets.join(', ')} ` +
        `(the columns are ${spec.columns.map((c) => c.name).join(', ')})`,
    );
  }
  const available = new Set(sourceColumns);
  const missing: string[] = [];
  const col = (name: string) => {
    if (!available.has(name)) missing.push(name);
    return sourceTextSql(sqlIdent(name));
  };
  const notes: string[] = [];
  const columns = new Map<string, MappedColumn>();
  if (Object.values(rules).some((r) => typeof r === 'object' && r.regionFromCountry !== undefined)) {
    await createRegionTables(db);
  }
  for (const column of spec.columns) {
    const rule: Rule | undefined = rules[column.name];
    if (rule === undefined) {
      const source = sourceColumnFor(column.name, sourceColumns);
      if (source !== undefined) columns.set(column.name, { expr: col(source), why: 'NULL' });
      else if (column.optional) columns.set(column.name, { expr: NULL_TEXT, why: 'NULL' });
      else missing.push(column.name);
      continue;
    }
    const target = column.name;
    let format = rule.format;
    if (format === 'auto') {
      const detected = await detectFormat(db, from, producerSql(rule, col, target).expr, target);
      notes.push(detected.note);
      format = detected.format;
    } else if (format !== undefined) {
      await checkFormat(db, format, target);
    }
    columns.set(target, ruleSql({ ...rule, ...(format ? { format } : {}) }, col, target));
  }
  const skip = skipSql(mapping, col);
  if (missing.length > 0) {
    const separator = otherSeparator(sourceColumns);
    if (separator) {
      throw new UserError(
        `the source's header is one column '${sourceColumns[0]}', separated by '${separator}': shoplake reads ` +
          `CSV separated by commas (tabs in a .tsv file): export it with commas, or save it as .tsv if it uses tabs`,
      );
    }
    const has = sourceColumns.length > 0 ? sourceColumns.join(', ') : 'no columns';
    throw new UserError(
      `source has no column ${[...new Set(missing)].join(', ')} (it has ${has}): ` +
        'rename them or pass --map FILE (see docs/MAPPING.md)',
    );
  }
  return { columns, skip, notes };
}

/**
 * The source column a lake column is read from when the mapping says nothing: the one of the same name,
 * else the one whose name is the same but for case and spaces (`Customer_ID`, `Customer ID`). Without
 * this an export's `Customer_ID` was not read and every order loaded silently as a guest's.
 */
export function sourceColumnFor(name: string, sourceColumns: readonly string[]): string | undefined {
  if (sourceColumns.includes(name)) return name;
  const loose = (c: string) =>
    c
      .trim()
      .toLowerCase()
      .replace(/[\s-]+/g, '_');
  const matches = sourceColumns.filter((c) => loose(c) === name);
  if (matches.length > 1) {
    throw new UserError(
      `source columns ${matches.join(' and ')} both read as ${name}: rename one, or map ${name} in --map FILE (see docs/MAPPING.md)`,
    );
  }
  return matches[0];
}

// The separator of a header read as one column (a semicolon-separated export from a European Excel, a
// tab-separated .csv), so that the error says what is wrong with the file instead of listing one column.
function otherSeparator(sourceColumns: readonly string[]): string | undefined {
  const [only] = sourceColumns;
  if (sourceColumns.length !== 1 || only === undefined) return undefined;
  return [';', '\t', '|'].find((s) => only.includes(s));
}

// NULL when no reason applies (concat_ws alone would give '').
function joinWhys(whys: string[]): string {
  if (whys.length === 0) return 'NULL';
  if (whys.length === 1) return whys[0] as string;
  return `NULLIF(concat_ws('; ', ${whys.join(', ')}), '')`;
}

function ruleSql(rule: RuleObject, col: Col, target: string): MappedColumn {
  const produced = producerSql(rule, col, target);
  let expr = produced.expr;
  const whys = [produced.why];
  if (rule.values) {
    // Unlisted values pass through unchanged so that validation names them in the quarantine.
    const cases = Object.entries(rule.values).map(([f, t]) => `WHEN ${sqlString(f)} THEN ${sqlString(t)}`);
    // A value translated to '' is missing, as an empty source value is (it was kept as '' and refused).
    expr = `NULLIF(CASE ${expr} ${cases.join(' ')} ELSE ${expr} END, '')`;
  }
  if (rule.patterns) {
    const cases = Object.entries(rule.patterns).map(
      ([p, t]) => `WHEN regexp_matches(${expr}, ${sqlString(p)}, 'i') THEN ${sqlString(t)}`,
    );
    expr = `NULLIF(CASE ${cases.join(' ')} ELSE ${expr} END, '')`;
  }
  if (rule.format) {
    const date = dateRuleSql(expr, rule.format, target);
    whys.push(date.why);
    expr = date.expr;
  }
  if (rule.default !== undefined) {
    expr = `CASE WHEN ${produced.expr} IS NULL THEN ${sqlString(String(rule.default))} ELSE ${expr} END`;
  }
  return { expr, why: joinWhys(whys) };
}

/** The rule's value before modifiers, and a reason when it cannot be made. */
function producerSql(rule: RuleObject, col: Col, target: string): MappedColumn {
  if (rule.column !== undefined) return { expr: col(rule.column), why: 'NULL' };
  if (rule.constant !== undefined) return { expr: sqlString(String(rule.constant)), why: 'NULL' };
  if (rule.concat !== undefined) {
    const parts = rule.concat.map(col);
    // A key with a missing part is missing, so that validation says which column is required.
    return {
      expr: `CASE WHEN ${parts.map((p) => `${p} IS NULL`).join(' OR ')} THEN NULL
        ELSE concat_ws(${sqlString(rule.separator ?? '-')}, ${parts.join(', ')}) END`,
      why: 'NULL',
    };
  }
  if (rule.when !== undefined) {
    const cases = rule.when.map((w) => `WHEN ${conditionSql(w, col)} THEN ${sqlString(String(w.value))}`);
    const otherwise = rule.else !== undefined ? sqlString(String(rule.else)) : 'NULL';
    return { expr: `CASE ${cases.join(' ')} ELSE ${otherwise} END`, why: 'NULL' };
  }
  if (rule.regionFromCountry !== undefined) {
    return regionSql(
      col(rule.regionFromCountry),
      rule.state ? col(rule.state) : null,
      rule.regions ?? {},
      target,
    );
  }
  for (const op of ARITHMETIC) {
    const operands = rule[op];
    if (operands) {
      const whys: string[] = [];
      const value = arithmeticSql({ [op]: operands } as Record<typeof op, Operand[]>, op, col, target, whys);
      // Trailing zeros are dropped so that a whole result also reads as an integer (quantity).
      const text = `rtrim(rtrim(CAST(CAST(${value} AS ${NUMERIC}) AS VARCHAR), '0'), '.')`;
      return { expr: text, why: joinWhys(whys) };
    }
  }
  throw new Error(`mapping rule for ${target} has no producer`);
}

function skipSql(mapping: Mapping | undefined, col: Col): string {
  if (!mapping?.skip?.length) return NULL_TEXT;
  const cases = mapping.skip.map((s) => `WHEN ${conditionSql(s, col)} THEN ${sqlString(s.reason)}`);
  return `CASE ${cases.join(' ')} END`;
}

/** Source columns the mapping reads (lake column names where the mapping says nothing). */
export function referencedColumns(spec: TableSpec, mapping?: Mapping): string[] {
  const columns = new Set<string>();
  const walk = (operand: Operand) => {
    if (typeof operand === 'string') columns.add(operand);
    else if (typeof operand === 'object')
      for (const op of ARITHMETIC) for (const o of (operand as Record<string, Operand[]>)[op] ?? []) walk(o);
  };
  for (const column of spec.columns) {
    const rule = mapping?.columns?.[column.name];
    if (rule === undefined) columns.add(column.name);
    else {
      for (const c of [rule.column, rule.regionFromCountry, rule.state, ...(rule.concat ?? [])])
        if (c) columns.add(c);
      for (const w of rule.when ?? []) columns.add(w.column);
      for (const op of ARITHMETIC) for (const o of rule[op] ?? []) walk(o);
    }
  }
  for (const s of mapping?.skip ?? []) columns.add(s.column);
  return [...columns];
}
