import { describeFailure, isUserError } from '../errors/index.js';

/** The one JSON error shape every /api/ route answers with. */
export interface ErrorBody {
  error: { message: string; code: string; status: number };
}

/**
 * Turns any thrown value into the API's error shape: a UserError keeps its message, code and status;
 * anything else is an internal failure (500) whose one-line description keeps the cause, never a user error.
 */
export function errorBody(err: unknown): ErrorBody {
  if (isUserError(err)) return { error: { message: err.message, code: err.code, status: err.status } };
  return { error: { message: `internal error: ${describeFailure(err)}`, code: 'internal', status: 500 } };
}
