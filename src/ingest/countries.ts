import { createRequire } from 'node:module';
import countries from 'i18n-iso-countries';

/**
 * Default sales region of every ISO 3166-1 country (by alpha-2 code), after the UN M49 geographic
 * regions, for exports that carry a country but no region. docs/MAPPING.md prints this table; a mapping
 * overrides any entry with `regions:`. Where M49 and common business use differ, business use wins and
 * is noted: Cyprus (M49 Western Asia) is EU-WEST as an EU member; Iran (M49 Southern Asia) is MIDDLE-EAST.
 */
const BY_REGION: Record<string, string> = {
  'NORTH-AMERICA': 'CA BM GL PM',
  LATAM:
    'AG AI AR AW BB BL BO BQ BR BS BV BZ CL CO CR CU CW DM DO EC FK GD GF GP GS GT GY HN HT JM KN KY LC ' +
    'MF MQ MS MX NI PA PE PR PY SR SV SX TC TT UY VC VE VG VI',
  'EU-WEST':
    'AD AL AT AX BA BE CH CY DE DK EE ES FI FO FR GB GG GI GR HR IE IM IS IT JE LI LT LU LV MC ME MK MT NL ' +
    'NO PT RS SE SI SJ SM VA XK',
  'EU-EAST': 'BG BY CZ HU MD PL RO RU SK UA',
  'MIDDLE-EAST': 'AE AM AZ BH GE IL IQ IR JO KW LB OM PS QA SA SY TR YE',
  AFRICA:
    'AO BF BI BJ BW CD CF CG CI CM CV DJ DZ EG EH ER ET GA GH GM GN GQ GW IO KE KM LR LS LY MA MG ML MR ' +
    'MU MW MZ NA NE NG RE RW SC SD SH SL SN SO SS ST SZ TD TF TG TN TZ UG YT ZA ZM ZW',
  'ASIA-PACIFIC':
    'AF BD BN BT CN HK ID IN JP KG KH KP KR KZ LA LK MM MN MO MV MY NP PH PK SG TH TJ TL TM TW UZ VN WS ' +
    'AS AU CC CK CX FJ FM GU HM KI MH MP NC NF NR NU NZ PF PG PN PW SB TK TO TV UM VU WF',
  OTHER: 'AQ',
};

/** The United States without a state: its region is unknown between US-EAST and US-WEST. */
export const US_WITHOUT_STATE = 'US';

/**
 * US states (and DC) by postal code and name: the US Census West region (Mountain and Pacific
 * divisions) is US-WEST, the Northeast, Midwest and South are US-EAST, as in the seed's data.
 */
const US_STATES: readonly (readonly [string, string, 'US-EAST' | 'US-WEST'])[] = [
  ['AL', 'Alabama', 'US-EAST'],
  ['AK', 'Alaska', 'US-WEST'],
  ['AZ', 'Arizona', 'US-WEST'],
  ['AR', 'Arkansas', 'US-EAST'],
  ['CA', 'California', 'US-WEST'],
  ['CO', 'Colorado', 'US-WEST'],
  ['CT', 'Connecticut', 'US-EAST'],
  ['DE', 'Delaware', 'US-EAST'],
  ['DC', 'District of Columbia', 'US-EAST'],
  ['FL', 'Florida', 'US-EAST'],
  ['GA', 'Georgia', 'US-EAST'],
  ['HI', 'Hawaii', 'US-WEST'],
  ['ID', 'Idaho', 'US-WEST'],
  ['IL', 'Illinois', 'US-EAST'],
  ['IN', 'Indiana', 'US-EAST'],
  ['IA', 'Iowa', 'US-EAST'],
  ['KS', 'Kansas', 'US-EAST'],
  ['KY', 'Kentucky', 'US-EAST'],
  ['LA', 'Louisiana', 'US-EAST'],
  ['ME', 'Maine', 'US-EAST'],
  ['MD', 'Maryland', 'US-EAST'],
  ['MA', 'Massachusetts', 'US-EAST'],
  ['MI', 'Michigan', 'US-EAST'],
  ['MN', 'Minnesota', 'US-EAST'],
  ['MS', 'Mississippi', 'US-EAST'],
  ['MO', 'Missouri', 'US-EAST'],
  ['MT', 'Montana', 'US-WEST'],
  ['NE', 'Nebraska', 'US-EAST'],
  ['NV', 'Nevada', 'US-WEST'],
  ['NH', 'New Hampshire', 'US-EAST'],
  ['NJ', 'New Jersey', 'US-EAST'],
  ['NM', 'New Mexico', 'US-WEST'],
  ['NY', 'New York', 'US-EAST'],
  ['NC', 'North Carolina', 'US-EAST'],
  ['ND', 'North Dakota', 'US-EAST'],
  ['OH', 'Ohio', 'US-EAST'],
  ['OK', 'Oklahoma', 'US-EAST'],
  ['OR', 'Oregon', 'US-WEST'],
  ['PA', 'Pennsylvania', 'US-EAST'],
  ['RI', 'Rhode Island', 'US-EAST'],
  ['SC', 'South Carolina', 'US-EAST'],
  ['SD', 'South Dakota', 'US-EAST'],
  ['TN', 'Tennessee', 'US-EAST'],
  ['TX', 'Texas', 'US-EAST'],
  ['UT', 'Utah', 'US-WEST'],
  ['VT', 'Vermont', 'US-EAST'],
  ['VA', 'Virginia', 'US-EAST'],
  ['WA', 'Washington', 'US-WEST'],
  ['WV', 'West Virginia', 'US-EAST'],
  ['WI', 'Wisconsin', 'US-EAST'],
  ['WY', 'Wyoming', 'US-WEST'],
];

// Spellings seen in real exports that are not ISO names (the UCI Online Retail data uses several).
const EXTRA_NAMES: Record<string, string> = {
  eire: 'IE',
  rsa: 'ZA',
  england: 'GB',
  scotland: 'GB',
  wales: 'GB',
  'northern ireland': 'GB',
  holland: 'NL',
  'czech republic': 'CZ',
  'channel islands': 'GB',
  turkey: 'TR',
  russia: 'RU',
};

// The package's English names (with its aliases: "USA", "United States", "UK", "Great Britain") come
// from a JSON locale file that has to be registered once.
countries.registerLocale(createRequire(import.meta.url)('i18n-iso-countries/langs/en.json'));

/** Region of each ISO alpha-2 code. */
export const REGION_OF_CODE: ReadonlyMap<string, string> = new Map(
  Object.entries(BY_REGION).flatMap(([region, codes]) => codes.split(' ').map((c) => [c, region] as const)),
);

/** Every alpha-2 code ISO 3166-1 assigns, as the package knows them (the table must cover each). */
export function isoCountryCodes(): string[] {
  return Object.keys(countries.getAlpha2Codes());
}

/** Lower-cased country name, alpha-2 or alpha-3 code → default region (the US maps to US_WITHOUT_STATE). */
export function countryRegions(): Map<string, string> {
  const out = new Map<string, string>();
  const regionOf = (code: string) => (code === 'US' ? US_WITHOUT_STATE : REGION_OF_CODE.get(code));
  for (const [code, names] of Object.entries(countries.getNames('en', { select: 'all' }))) {
    const region = regionOf(code);
    if (!region) continue;
    for (const name of [...names, code, countries.alpha2ToAlpha3(code) ?? '']) {
      if (name) out.set(name.toLowerCase(), region);
    }
  }
  for (const [name, code] of Object.entries(EXTRA_NAMES)) {
    const region = regionOf(code);
    if (region) out.set(name, region);
  }
  out.set('european community', 'EU-WEST');
  return out;
}

/** Lower-cased US state name or postal code → US-EAST or US-WEST. */
export function stateRegions(): Map<string, string> {
  return new Map(
    US_STATES.flatMap(([code, name, region]) => [
      [code.toLowerCase(), region] as const,
      [name.toLowerCase(), region] as const,
    ]),
  );
}

/** The documented table, for docs/MAPPING.md and tests: region → alpha-2 codes. */
export const COUNTRY_TABLE: Readonly<Record<string, string>> = BY_REGION;
