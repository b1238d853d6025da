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
