import type { Row } from '../types.js';

/** Relative tolerance for non-integer numbers (sums, averages, rates) between two engines. */
export const RELATIVE_TOLERANCE = 1e-9;

/**
 * The first difference between two engines' rows, or null when they match: same number of rows in
 * the same order, same columns, text/booleans/integers exactly equal, other numbers within 1e-9
 * relative (floating-point sums depend on the order in which an engine adds).
 */
export function firstDifference(expected: readonly Row[], actual: readonly Row[]): string | null {
  if (expected.length !== actual.length) return `${expected.length} rows expected, ${actual.length} received`;
  for (let i = 0; i < expected.length; i++) {
    const want = expected[i] ?? {};
    const got = actual[i] ?? {};
    const wantKeys = Object.keys(want).join(',');
    const gotKeys = Object.keys(got).join(',');
    if (wantKeys !== gotKeys) return `row ${i}: columns ${wantKeys} expected, ${gotKeys} received`;
    for (const key of Object.keys(want)) {
      if (!valuesMatch(want[key], got[key])) {
        return `row ${i}, column ${key}: ${JSON.stringify(want[key])} expected, ${JSON.stringify(got[key])} received\n  expected row ${JSON.stringify(want)}\n  received row ${JSON.stringify(got)}`;
      }
    }
  }
  return null;
}

function valuesMatch(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' && typeof b === 'number') {
    if (Number.isInteger(a) && Number.isInteger(b)) return a === b;
    if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
    return Math.abs(a - b) <= RELATIVE_TOLERANCE * Math.max(Math.abs(a), Math.abs(b));
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((v, i) => valuesMatch(v, b[i]));
  }
  if (a !== null && b !== null && typeof a === 'object' && typeof b === 'object') {
    const ka = Object.keys(a);
    return (
      ka.join(',') === Object.keys(b).join(',') &&
      ka.every((k) => valuesMatch(Reflect.get(a, k), Reflect.get(b, k)))
    );
  }
  return a === b;
}
