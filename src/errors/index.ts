/** A mistake the user can fix: the CLI prints `message` on one line and exits 2; the server answers `status`. */
export class UserError extends Error {
  readonly code: string;
  readonly status: number;
  constructor(message: string, options: { code?: string; status?: number; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'UserError';
    this.code = options.code ?? 'bad_input';
    this.status = options.status ?? 400;
  }
}

/** True for errors that should be shown to the user without a stack trace. */
export function isUserError(err: unknown): err is UserError {
  return err instanceof UserError;
}

/** One-line description of any error, for logs and the CLI. */
export function errorMessage(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.split('\n')[0] ?? text;
}

/** One line for an internal failure: its message and, when it wraps another error, the cause's. */
export function describeFailure(err: unknown): string {
  const message = errorMessage(err);
  const cause = err instanceof Error ? err.cause : undefined;
  if (cause === undefined || cause === null) return message;
  const because = errorMessage(cause);
  return because && because !== message ? `${message} (cause: ${because})` : message;
}

const FS_CODES = new Set(['EACCES', 'EPERM', 'EROFS', 'ENOTDIR', 'EISDIR']);

/**
 * A file-system refusal about a path the user chose (no permission, read-only file system, a file where
 * a directory belongs) as a UserError naming the path; null for everything else (a full disk, an I/O
 * error and a bug stay internal failures).
 */
export function fileSystemUserError(err: unknown): UserError | null {
  if (!(err instanceof Error) || !('code' in err) || typeof err.code !== 'string' || !FS_CODES.has(err.code))
    return null;
  const path = 'path' in err && typeof err.path === 'string' ? err.path : 'a file';
  const what: Record<string, string> = {
    EACCES: `no permission to write or read ${path}: choose a --data directory you can write`,
    EPERM: `no permission to write or read ${path}: choose a --data directory you can write`,
    EROFS: `${path} is on a read-only file system: choose a writable --data directory`,
    ENOTDIR: `a file stands where a directory belongs in ${path}: check --data`,
    EISDIR: `${path} is a directory where a file was expected`,
  };
  return new UserError(what[err.code] ?? errorMessage(err), { code: 'file_system', cause: err });
}
