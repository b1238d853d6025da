import { UserError } from '../errors/index.js';

/** A refusal the client can act on; `retryAfter` (seconds) becomes a Retry-After header. */
export class CollectorError extends UserError {
  readonly retryAfter: number | undefined;
  constructor(message: string, options: { code: string; status: number; retryAfter?: number }) {
    super(message, options);
    this.retryAfter = options.retryAfter;
  }
}

/** The one JSON error shape every endpoint answers with. */
export function errorBody(err: UserError): { error: { message: string; code: string; status: number } } {
  return { error: { message: err.message, code: err.code, status: err.status } };
}

/** The client closed the connection before its request was read: not a server error, not an answer. */
export class ClientAbort extends Error {
  constructor() {
    super('client closed the connection before the request was read');
  }
}
