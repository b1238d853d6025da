/**
 * DuckDB reports its errors as text that starts with the error's class ("Binder Error: …"). These classes
 * mean the statement itself is wrong (a misspelt column, a forbidden file, a bad cast); everything else
 * (out of memory, I/O, internal) is a failure of the machine or of shoplake, not of the user's SQL.
 */
const STATEMENT_ERRORS = [
  'Parser Error',
  'Binder Error',
  'Catalog Error',
  'Permission Error',
  'Conversion Error',
  'Invalid Input Error',
  'Not implemented Error',
  'Out of Range Error',
  'Constraint Error',
  'Syntax Error',
  'Dependency Error',
  'Invalid Error',
  'Invalid type Error',
  'Mismatch Type Error',
  'Parameter Not Allowed Error',
  'Parameter Not Resolved Error',
];

/** True when a DuckDB error blames the statement (user-written SQL can be corrected), not the machine. */
export function isStatementError(err: unknown): boolean {
  const text = err instanceof Error ? err.message : '';
  return STATEMENT_ERRORS.some((prefix) => text.startsWith(`${prefix}:`));
}

/** True when DuckDB stopped a statement because the connection was interrupted. */
export function isInterrupt(err: unknown): boolean {
  return err instanceof Error && /^INTERRUPT Error/i.test(err.message);
}
