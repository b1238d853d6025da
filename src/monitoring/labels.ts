/**
 * Label values kept bounded. A shop's regions are free text, so only the largest MAX_REGIONS become label
 * values and the rest are summed under OTHER: a new region can never add unbounded series.
 */
export const MAX_REGIONS = 20;
/** The label value holding every region past the largest MAX_REGIONS. */
export const OTHER = 'other';

/** Maps each region to itself when it is among the `max` largest by `weight`, else to OTHER. */
export function boundedRegions(weights: ReadonlyMap<string, number>, max = MAX_REGIONS): Map<string, string> {
  const ranked = [...weights.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const out = new Map<string, string>();
  ranked.forEach(([region], i) => {
    out.set(region, i < max ? region : OTHER);
  });
  return out;
}

/** How a batch came into the lake, as the `source` label: the collector is http, files are file or build. */
export const SOURCE_OF_KIND = { collector: 'http', ingest: 'file', 'build-lake': 'build' } as const;
