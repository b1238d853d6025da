import { UserError } from '../errors/index.js';
import { openLake } from './load.js';
import type { FraudModel } from './model.js';
import { lakeTimestamp, scoreRecord } from './records.js';
import { loadFraudRows, loadWeights, labelOrder as storeLabel } from './store.js';
import { type LakeScoring, scoreLake } from './train.js';

/** What scoring the lake's unscored orders did. */
export interface ScoreReport {
  /** Scores stored. */
  scored: number;
  /** Scores at or above the alert threshold. */
  alerts: number;
  model: FraudModel;
}

/** How scoreUnscored goes about it (defaults suit any lake; tests make the batches small). */
export type ScoreOptions = Pick<LakeScoring, 'batch' | 'keepUnscored' | 'onProgress'>;

/**
 * Rebuilds the model from the lake and scores every order fraud_scores does not hold yet (file ingests,
 * or orders a collector acknowledged but had not scored when it stopped), each against the state before
 * it, in bounded memory (scoreLake). The scores go in through ingest, one batch per `batch` scores: a
 * run stopped midway leaves whole batches, and the next run scores only what they lack.
 */
export async function scoreUnscored(
  dataDir: string,
  now = Date.now(),
  options: ScoreOptions = {},
): Promise<ScoreReport> {
  const weights = loadWeights(dataDir);
  const scoredAt = lakeTimestamp(now);
  let scored = 0;
  let alerts = 0;
  const engine = await openLake(dataDir);
  try {
    const { model } = await scoreLake(engine, weights, {
      ...options,
      onScores: async (scores) => {
        const result = await loadFraudRows(
          dataDir,
          'fraud_scores',
          scores.map((s) => scoreRecord(s, weights.version, scoredAt)),
        );
        scored += result.loaded;
        for (const s of scores) if (s.alert) alerts++;
      },
    });
    return { scored, alerts, model };
  } finally {
    await engine.close();
  }
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
