import { scoreUnscored } from '../src/fraud/index.js';
import { generate, generateDefaults } from '../src/generate/index.js';
import { buildLake } from '../src/ingest/index.js';

/**
 * The fraud benches' history lake in `dir`: 20,000 orders of 2,000 customers over the 30 days up to today
 * (UTC midnight), built and, as `shoplake generate` leaves it, every order scored, so that no server
 * started on it begins with a backlog.
 */
export async function fraudHistoryLake(dir: string): Promise<void> {
  const now = new Date();
  await generate({
    ...generateDefaults,
    orders: 20_000,
    customers: 2_000,
    events: 20_000,
    days: 30,
    asOf: new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate())),
    out: dir,
  });
  await buildLake(dir);
  await scoreUnscored(dir);
}
