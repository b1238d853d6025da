import { UserError } from '../errors/index.js';
import type { Rejection } from './records.js';

/** What a request body holds: candidate records by index, and lines that could not be parsed at all. */
export interface ParsedBody {
  items: { index: number; value: unknown }[];
  unparsable: Rejection[];
}

/** Most records one request may carry; a bigger batch should be split by the client. */
export const MAX_RECORDS = 10_000;

/** Parses a JSON object, a JSON array of objects, or NDJSON (one object a line). */
export function parseBody(text: string, contentType: string): ParsedBody {
  const type = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  // text/plain is what navigator.sendBeacon sends; it is read as JSON.
  if (!['', 'application/json', 'text/plain', 'application/x-ndjson'].includes(type)) {
    throw new UserError(`unsupported Content-Type '${type}': use application/json or application/x-ndjson`, {
      code: 'unsupported_media_type',
      status: 415,
    });
  }
  if (text.trim() === '')
    throw new UserError('empty body: send a JSON object, array or NDJSON', { code: 'empty_body' });
  const parsed = type === 'application/x-ndjson' ? parseLines(text) : parseJson(text);
  const count = parsed.items.length + parsed.unparsable.length;
  if (count === 0) throw new UserError('no records in the body', { code: 'empty_body' });
  if (count > MAX_RECORDS) {
    throw new UserError(`${count} records in one request: send at most ${MAX_RECORDS}`, {
      code: 'too_many_records',
      status: 413,
    });
  }
  return parsed;
}

function parseJson(text: string): ParsedBody {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    const hint = looksLikeNdjson(text)
      ? ': the body is one JSON object a line (NDJSON): send it with Content-Type: application/x-ndjson'
      : '';
    throw new UserError(`malformed JSON: ${(err as Error).message}${hint}`, { code: 'malformed_json' });
  }
  const problem = structureProblem(text);
  if (problem?.kind === 'too_deep') {
    throw new UserError(`JSON nested deeper than ${MAX_DEPTH} levels: records are flat objects`, {
      code: 'too_deeply_nested',
    });
  }
  if (problem?.kind === 'duplicate') {
    throw new UserError(`field '${problem.key.slice(0, 40)}' appears twice in one object`, {
      code: 'duplicate_field',
    });
  }
  if (Array.isArray(value)) return { items: value.map((v, index) => ({ index, value: v })), unparsable: [] };
  if (value !== null && typeof value === 'object') return { items: [{ index: 0, value }], unparsable: [] };
  throw new UserError('body must be a JSON object or an array of objects', { code: 'not_a_record' });
}

// NDJSON posted as application/json: more than one non-blank line, and the first parses on its own.
function looksLikeNdjson(text: string): boolean {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  if (lines.length < 2) return false;
  try {
    JSON.parse(lines[0] ?? '');
    return true;
  } catch {
    return false;
  }
}

// Each line stands alone: a broken line is rejected with its index while the others are kept.
function parseLines(text: string): ParsedBody {
  const out: ParsedBody = { items: [], unparsable: [] };
  let index = 0;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      const value: unknown = JSON.parse(line);
      const problem = structureProblem(line);
      if (problem?.kind === 'duplicate') {
        const key = problem.key.slice(0, 40);
        out.unparsable.push({ index, field: key, reason: `field '${key}' appears twice` });
      } else if (problem?.kind === 'too_deep') {
        out.unparsable.push({ index, field: null, reason: `nested deeper than ${MAX_DEPTH} levels` });
      } else out.items.push({ index, value });
    } catch (err) {
      out.unparsable.push({ index, field: null, reason: `malformed JSON line: ${(err as Error).message}` });
    }
    index++;
  }
  return out;
}

/** Deepest nesting of arrays and objects a body may have: records are flat, a batch is one level more. */
export const MAX_DEPTH = 32;

/** Why already-valid JSON text is refused although it parses. */
export type StructureProblem = { kind: 'duplicate'; key: string } | { kind: 'too_deep' };

/**
 * The first key that occurs twice in one object of already-valid JSON, compared after unescaping
 * (`"qu\u0061ntity"` is `quantity`), or nesting deeper than MAX_DEPTH; null when neither. JSON.parse keeps
 * the last value silently, which would let `{"price":1,"price":1000}` mean something the sender did not
 * see, and validating a 500,000-deep value would overflow the stack. A hand-written scan because
 * JSON.parse's reviver sees neither repeated keys nor depth.
 */
export function structureProblem(text: string): StructureProblem | null {
  const stack: (Set<string> | null)[] = [];
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 34) {
      let end = i + 1;
      for (;;) {
        end = text.indexOf('"', end);
        if (end < 0) return null; // not valid JSON: JSON.parse refuses it first
        let slashes = 0;
        while (text.charCodeAt(end - 1 - slashes) === 92) slashes++;
        if (slashes % 2 === 0) break;
        end++;
      }
      const keys = stack[stack.length - 1];
      if (expectKey && keys) {
        const raw = text.slice(i + 1, end);
        const key = raw.includes('\\') ? unescapeKey(raw) : raw;
        if (keys.has(key)) return { kind: 'duplicate', key };
        keys.add(key);
        expectKey = false;
      }
      i = end;
    } else if (ch === 123 || ch === 91) {
      if (stack.length >= MAX_DEPTH) return { kind: 'too_deep' };
      stack.push(ch === 123 ? new Set() : null);
      expectKey = ch === 123;
    } else if (ch === 125 || ch === 93) stack.pop();
    else if (ch === 44) expectKey = stack[stack.length - 1] != null;
  }
  return null;
}

// The key as JSON.parse sees it; the text is a JSON string body already checked by JSON.parse.
function unescapeKey(raw: string): string {
  const value: unknown = JSON.parse(`"${raw}"`);
  return typeof value === 'string' ? value : raw;
}
