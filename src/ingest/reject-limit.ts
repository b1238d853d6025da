import { UserError } from '../errors/index.js';

/** How many quarantined rows a batch may have before it loads nothing: a count, or a share of rows read. */
export type RejectLimit = { count: number } | { fraction: number };

/** The default of `ingest --max-rejects`. */
export const DEFAULT_REJECT_LIMIT: RejectLimit = { fraction: 0.05 };

/** Parses `5%`, `0.5%` or `100` (a count); a user error otherwise. */
export function parseRejectLimit(text: string): RejectLimit {
  const trimmed = text.trim();
  const percent = /^(\d+(?:\.\d+)?)\s*%$/.exec(trimmed);
  if (percent) {
    const value = Number(percent[1]);
    if (value <= 100) return { fraction: value / 100 };
  } else if (/^\d+$/.test(trimmed)) return { count: Number(trimmed) };
  throw new UserError(`--max-rejects ${text}: give a percentage (5%) or a number of rows (100)`, {
    code: 'bad_option',
  });
}

function describe(limit: RejectLimit): string {
  return 'count' in limit ? `${limit.count} rows` : `${+(limit.fraction * 100).toFixed(4)}%`;
}

/** The batch was refused: too many rows (or every row) quarantined; nothing was loaded. */
export class RejectLimitError extends UserError {
  constructor(
    message: string,
    readonly quarantineFile: string | null,
  ) {
    super(message, { code: 'too_many_rejects', status: 422 });
  }
}

/**
 * Throws RejectLimitError when the batch must load nothing: every row read was quarantined, or more rows
 * than the limit allows.
 */
export function checkRejectLimit(
  limit: RejectLimit,
  read: number,
  quarantined: number,
  quarantineFile: string | null,
): void {
  if (quarantined === 0) return;
  const where = quarantineFile ? `; reasons in ${quarantineFile}` : '';
  const share = `${quarantined} of ${read} rows quarantined (${((quarantined / read) * 100).toFixed(1)}%)`;
  if (quarantined >= read)
    throw new RejectLimitError(
      `nothing loaded: every row was quarantined (${share})${where}`,
      quarantineFile,
    );
  const allowed = 'count' in limit ? limit.count : limit.fraction * read;
  if (quarantined > allowed) {
    throw new RejectLimitError(
      `nothing loaded: ${share}, above --max-rejects ${describe(limit)}${where}`,
      quarantineFile,
    );
  }
}
