/**
 * Text as the lake sees it. File ingest reads every source value through `NULLIF(trim(value), '')`
 * (src/ingest/mapping.ts) and measures it with DuckDB's `length`; the collector must judge a value by
 * the same text, or it would accept what compaction then quarantines (a name of spaces only) or refuse
 * what the lake takes. agreement.test.ts runs both over edge records and checks they agree.
 */

// DuckDB's trim() removes exactly the Unicode space separators (category Zs) at both ends, not tabs or
// line breaks (measured over U+0000–U+30FF; every Zs character is in that range).
function isSpaceSeparator(code: number): boolean {
  return (
    code === 0x20 ||
    code === 0xa0 ||
    code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0x202f ||
    code === 0x205f ||
    code === 0x3000
  );
}

/** True when trimming would change the text (a space separator at either end). */
export function hasEdgeSpace(text: string): boolean {
  return (
    text.length > 0 &&
    (isSpaceSeparator(text.charCodeAt(0)) || isSpaceSeparator(text.charCodeAt(text.length - 1)))
  );
}

/** The text file ingest would validate: space separators cut at both ends, '' meaning absent. */
export function lakeText(text: string): string | undefined {
  let start = 0;
  let end = text.length;
  while (start < end && isSpaceSeparator(text.charCodeAt(start))) start++;
  while (end > start && isSpaceSeparator(text.charCodeAt(end - 1))) end--;
  return start === end ? undefined : text.slice(start, end);
}

const LONE_SURROGATE = /\p{Cs}/u;

/**
 * False when the text holds a lone UTF-16 surrogate: JSON.parse accepts `"\ud800"`, but it is not
 * Unicode, so it cannot be stored as UTF-8 and DuckDB refuses the whole line as malformed JSON.
 */
export function isWellFormed(text: string): boolean {
  return !LONE_SURROGATE.test(text);
}

/** Length in Unicode code points, as DuckDB's `length` counts (an emoji is 1, not 2 UTF-16 units). */
export function codePointLength(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    // A high surrogate followed by a low one is one code point.
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}
