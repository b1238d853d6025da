import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { UserError } from '../errors/index.js';
import { ingest } from '../ingest/index.js';
import { dataLayout, TABLES } from '../lake/index.js';
import { type ModelWeights, modelWeightsSchema } from './model.js';
import { lakeTimestamp } from './records.js';
import { SHIPPED_WEIGHTS } from './shipped-weights.js';

/** Where a data directory keeps its refitted weights (`shoplake fraud train`). */
export function modelFile(dataDir: string): string {
  return join(dataLayout(dataDir).root, 'fraud', 'model.json');
}

/** The weights in force: <data>/fraud/model.json when present, else the shipped ones. */
export function loadWeights(dataDir: string): ModelWeights {
  const file = modelFile(dataDir);
  if (!existsSync(file)) return SHIPPED_WEIGHTS;
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new UserError(
      `cannot read ${file}: ${(err as Error).message}; refit it with 'shoplake fraud train'`,
      {
        code: 'bad_model',
      },
    );
  }
  const parsed = modelWeightsSchema.safeParse(json);
  if (!parsed.success)
    throw new UserError(`${file} is not a fraud model: refit it with 'shoplake fraud train'`, {
      code: 'bad_model',
    });
  return parsed.data;
}

/** Saves refitted weights where loadWeights finds them. */
export function saveWeights(dataDir: string, weights: ModelWeights): string {
  const file = modelFile(dataDir);
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(file, `${JSON.stringify(weights, null, 2)}\n`);
  return file;
}

/**
 * Loads rows into a fraud table through the one write path (ingest: validation, dedup by key,
 * quarantine, a batch that can be rolled back). Returns how many were loaded and how many were already there.
 */
export async function loadFraudRows(
  dataDir: string,
  table: 'fraud_scores' | 'fraud_labels',
  rows: readonly Record<string, string | number>[],
): Promise<{ loaded: number; duplicate: number; quarantined: number }> {
  if (rows.length === 0) return { loaded: 0, duplicate: 0, quarantined: 0 };
  const dir = join(dataLayout(dataDir).root, 'fraud', 'incoming');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${table}-${process.pid}-${Date.now()}.ndjson`);
  writeFileSync(file, `${rows.map((r) => JSON.stringify(r)).join('\n')}\n`);
  try {
    const report = await ingest({ dataDir, table: TABLES[table], input: file, kind: 'fraud', threads: 1 });
    return { loaded: report.loaded, duplicate: report.duplicate, quarantined: report.quarantined };
  } finally {
    rmSync(file, { force: true });
  }
}

const labelSchema = z.enum(['confirmed', 'false'], { error: "label must be 'confirmed' or 'false'" });

/** Records what a person decided about an order; the evaluation (backtest, train) uses the latest label. */
export async function labelOrder(
  dataDir: string,
  orderId: string,
  label: string,
  now = Date.now(),
): Promise<void> {
  const parsed = labelSchema.safeParse(label);
  if (!parsed.success) throw new UserError("label must be 'confirmed' or 'false'", { code: 'bad_label' });
  const r = await loadFraudRows(dataDir, 'fraud_labels', [
    { order_id: orderId, label: parsed.data, labelled_at: lakeTimestamp(now) },
  ]);
  if (r.loaded !== 1)
    throw new UserError(`order id '${orderId}' was not stored: see the quarantine`, { code: 'bad_label' });
}
