import { type DuckDbSession, sqlString } from '../duckdb/index.js';
import { countryRegions, stateRegions, US_WITHOUT_STATE } from './countries.js';
import type { MappedColumn } from './mapping.js';

/** Temporary tables a SQL mapping may also join: lower-cased name or code → region. */
export const COUNTRY_TABLE = 'shoplake_country_regions';
export const STATE_TABLE = 'shoplake_us_state_regions';

/** Creates the country and US-state lookup tables in this session (once). */
export async function createRegionTables(db: DuckDbSession): Promise<void> {
  for (const [table, entries] of [
    [COUNTRY_TABLE, countryRegions()],
    [STATE_TABLE, stateRegions()],
  ] as const) {
    const values = [...entries].map(([k, v]) => `(${sqlString(k)}, ${sqlString(v)})`).join(', ');
    await db.run(`CREATE TEMP TABLE IF NOT EXISTS ${table} (name VARCHAR PRIMARY KEY, region VARCHAR)`);
    await db.run(`INSERT OR IGNORE INTO ${table} VALUES ${values}`);
  }
}

/**
 * Region of a row from its country (and US state, when given): the mapping's own `regions` first
 * (matched case-insensitively on the country, then the state), then the built-in tables. A country or
 * state the tables do not know is a reason, not a silent "OTHER".
 */
export function regionSql(
  country: string,
  state: string | null,
  overrides: Record<string, string>,
  target: string,
): MappedColumn {
  const lookup = (table: string, v: string) => `(SELECT region FROM ${table} WHERE name = lower(${v}))`;
  const own = Object.entries(overrides);
  const ownSql = (v: string) =>
    own.length === 0
      ? 'NULL'
      : `CASE lower(${v}) ${own.map(([k, r]) => `WHEN ${sqlString(k.toLowerCase())} THEN ${sqlString(r)}`).join(' ')} END`;
  const byCountry = lookup(COUNTRY_TABLE, country);
  const byState = state ? lookup(STATE_TABLE, state) : 'NULL';
  const stateFirst = state ? `${ownSql(state)}, ` : '';
  // The US splits by state; without a known state its region stays US_WITHOUT_STATE.
  const builtIn = state
    ? `CASE WHEN ${byCountry} = ${sqlString(US_WITHOUT_STATE)} AND ${state} IS NOT NULL THEN ${byState} ELSE ${byCountry} END`
    : byCountry;
  const expr = `coalesce(${ownSql(country)}, ${stateFirst}${builtIn})`;
  const shown = (v: string) => `'''' || left(${v}, 40) || ''''`;
  const stateWhy = state
    ? `WHEN ${byCountry} = ${sqlString(US_WITHOUT_STATE)} AND ${state} IS NOT NULL AND ${byState} IS NULL
       THEN ${sqlString(`${target}: US state `)} || ${shown(state)} || ${sqlString(' is not in the state table')}`
    : '';
  const why = `CASE WHEN ${country} IS NULL OR (${expr}) IS NOT NULL THEN NULL ${stateWhy}
    ELSE ${sqlString(`${target}: country `)} || ${shown(country)} ||
      ${sqlString(' is not in the country table (docs/MAPPING.md): add it under regions: in the mapping')} END`;
  return { expr, why };
}
