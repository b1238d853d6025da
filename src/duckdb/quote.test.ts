import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { placeholderNames, toDollarParams } from './quote.js';

describe(':name placeholders', () => {
  it('rewrites placeholders and leaves casts, literals, quoted identifiers and comments alone', () => {
    const sql = `SELECT a::INTEGER, ':lit' AS "x:y", 'it''s :not' -- the others' :skipped, it's a comment
      FROM t /* :also 'skipped */ WHERE b = :from AND c < :to`;
    assert.equal(
      toDollarParams(sql),
      `SELECT a::INTEGER, ':lit' AS "x:y", 'it''s :not' -- the others' :skipped, it's a comment
      FROM t /* :also 'skipped */ WHERE b = $from AND c < $to`,
    );
    assert.deepEqual(placeholderNames(sql), ['from', 'to']);
  });

  it('finds the placeholders after a comment holding one apostrophe', () => {
    // Regression (2026-11-26): the apostrophe opened a "literal" that ran to the next quote, hiding :to.
    const sql = `SELECT 1 -- a session's start\nFROM t WHERE x = :to AND y = 'z'`;
    assert.deepEqual(placeholderNames(sql), ['to']);
    assert.equal(toDollarParams(sql), `SELECT 1 -- a session's start\nFROM t WHERE x = $to AND y = 'z'`);
  });
});
