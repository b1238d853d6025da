import type { Engine } from '../../engines/index.js';

/**
 * Why a result may be empty, when it can be told: a table the lake holds without a single file, or
 * parameters that filter everything out. Null when nothing explains it.
 */
export async function emptyResultReason(
  engine: Engine,
  params: Record<string, string>,
): Promise<string | null> {
  const empty = (await engine.tables()).filter((t) => t.state === 'loaded' && t.files.length === 0);
  if (empty.length > 0) return `the lake's ${empty.map((t) => t.table).join(', ')} table holds no rows`;
  const given = Object.entries(params).map(
    ([k, v]) => `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} ${v}`,
  );
  if (given.length === 0) return null;
  return `nothing matches ${given.join(' ')}${await regionHint(engine, params.region)}`;
}

// Regions are the shop's own labels, matched exactly: `--region eu-west` found nothing in EU-WEST's
// orders, and the answer only said that nothing matched. Name the label that differs only in case.
async function regionHint(engine: Engine, region: string | undefined): Promise<string> {
  if (
    region === undefined ||
    !(await engine.tables()).some((t) => t.table === 'orders' && t.state === 'loaded')
  )
    return '';
  const rows = await engine.query(
    'SELECT DISTINCT region FROM orders WHERE lower(region) = lower(:region) AND region <> :region ORDER BY region',
    { region },
  );
  const labels = rows.map((r) => String(r.region));
  return labels.length > 0
    ? ` (regions match exactly: the orders say ${labels.map((l) => `--region ${l}`).join(' or ')})`
    : '';
}
