import type { Note } from '../analyses/index.js';
import type { Engine } from '../engines/index.js';

/**
 * A note for an empty answer to a region the orders spell only in another case (`eu-west` where they say
 * `EU-WEST`): regions are matched exactly, and an empty chart alone reads as "no sales there". `shoplake
 * query` says the same on stderr (cli/commands/empty.ts); the dashboard cannot import the CLI.
 */
export async function regionCaseNote(engine: Engine, region: string | undefined): Promise<Note | null> {
  if (region === undefined || region === '') return null;
  if (!(await engine.tables()).some((t) => t.table === 'orders' && t.state === 'loaded')) return null;
  const rows = await engine.query(
    'SELECT DISTINCT region FROM orders WHERE lower(region) = lower(:region) AND region <> :region ORDER BY region',
    { region },
  );
  if (rows.length === 0) return null;
  const labels = rows.map((r) => String(r.region));
  return {
    code: 'region_case',
    message: `no rows for region '${region}': regions match exactly, the orders say ${labels.map((l) => `'${l}'`).join(' or ')}`,
    count: 0,
  };
}
