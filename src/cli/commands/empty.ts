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
  return given.length > 0 ? `nothing matches ${given.join(' ')}` : null;
}
