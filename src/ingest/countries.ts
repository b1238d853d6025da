import type { REGIONS } from '../lake/index.js';

type Region = (typeof REGIONS)[number];

// Country → sales region, for exports that only carry a country. Countries outside these lists map to OTHER.
const BY_REGION: Record<Exclude<Region, 'OTHER'>, string[]> = {
  'US-EAST': ['USA', 'United States', 'US', 'Canada', 'CA'],
  'US-WEST': [],
  'EU-WEST': [
    'United Kingdom',
    'UK',
    'GB',
    'EIRE',
    'Ireland',
    'France',
    'Germany',
    'Spain',
    'Portugal',
    'Italy',
    'Netherlands',
    'Belgium',
    'Switzerland',
    'Austria',
    'Norway',
    'Sweden',
    'Denmark',
    'Finland',
    'Iceland',
    'Poland',
    'Greece',
    'Cyprus',
    'Malta',
    'Lithuania',
    'Czech Republic',
    'Channel Islands',
    'European Community',
    'Luxembourg',
  ],
  'ASIA-PACIFIC': [
    'Japan',
    'Singapore',
    'Australia',
    'Hong Kong',
    'Korea',
    'India',
    'China',
    'Thailand',
    'New Zealand',
  ],
  LATAM: ['Brazil', 'Mexico', 'Argentina', 'Chile', 'Colombia', 'Peru', 'Venezuela'],
};

/** Lower-cased country name → region. */
export const COUNTRY_REGIONS: ReadonlyMap<string, Region> = new Map(
  Object.entries(BY_REGION).flatMap(([region, countries]) =>
    countries.map((c) => [c.toLowerCase(), region as Region] as const),
  ),
);
