/**
 * Score keys (order ids) the collector's thread remembers to answer a repeated score as a duplicate, instead
 * of its `dedupKeys` (2,000,000) as for received records. Scores come only from the worker, which scores an
 * order once (its recent ids, and the orders' own keys refuse a replayed order before it is handed over), and
 * compaction stores a key once whatever the collector remembers (it dedups against the lake's partition): so
 * this set only guards against a bug. Kept as large as received records' sets, it held up to two million
 * score keys as strings on the collector's heap, which every full garbage collection marks there.
 */
export const SCORE_KEYS = 200_000;
