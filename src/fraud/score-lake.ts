import { UserError } from '../errors/index.js';
import { openLake } from './load.js';
import type { FraudModel, FraudScore } from './model.js';
import { scoreRecord } from './records.js';
import { loadFraudRows, loadWeights, labelOrder as storeLabel } from './store.js';
import { type Rebuilt, rebuildFromLake } from './train.js';

/** What scoring the lake's unscored orders did. */
export interface ScoreReport {
  scored: number;
  alerts: FraudScore[];
  model: FraudModel;
}

/**
 * Rebuilds the model from the lake and scores every order fraud_scores does not hold yet (file ingests,
 * or orders a collector acknowledged but had not scored when it stopped), each against the state before
 * it; the scores go in through ingest, so an order already scored is never scored twice.
 */
export async function scoreUnscored(dataDir: string, now = Date.now()): Promise<ScoreReport> {
  const weights = loadWeights(dataDir);
  const engine = await openLake(dataDir);
  let rebuilt: Rebuilt;
  try {
    rebuilt = await rebuildFromLake(engine, weights);
  } finally {
    await engine.close();
  }
  const { model, unscored } = rebuilt;
  const result = await loadFraudRows(
    dataDir,
    'fraud_scores',
    unscored.map((s) => scoreRecord(s, weights.version, now)),
  );
  return { scored: result.loaded, alerts: unscored.filter((s) => s.alert), model };
}

/** Labels an order the lake holds as confirmed fraud or a false alarm. */
export async function labelOrder(dataDir: string, orderId: string, label: string): Promise<void> {
  const engine = await openLake(dataDir);
  try {
    const tables = await engine.tables();
    const hasOrders = tables.some((t) => t.table === 'orders' && t.state === 'loaded');
    const found = hasOrders
      ? await engine.query('SELECT 1 AS found FROM orders WHERE order_id = :id LIMIT 1', { id: orderId })
      : [];
    if (found.length === 0)
      throw new UserError(
        `no order '${orderId}' in the lake: check the id (shoplake query fraud-alerts lists them)`,
        {
          code: 'unknown_order',
        },
      );
  } finally {
    await engine.close();
  }
  await storeLabel(dataDir, orderId, label);
}
