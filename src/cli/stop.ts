import { UserError } from '../errors/index.js';

/** Stops a running query: on --timeout and on Ctrl-C. `dispose` once the query is over. */
export interface Stopper {
  signal: AbortSignal;
  dispose(): void;
}

/**
 * An abort signal that fires after `timeoutMs` (0: never) or on the first SIGINT, with a UserError that
 * says which. The engine interrupts the running statement, and the command ends with that one line.
 * A second Ctrl-C ends the process at once.
 */
export function stopOnTimeoutOrInterrupt(timeoutMs: number, timeoutText: string): Stopper {
  const controller = new AbortController();
  const timer =
    timeoutMs > 0
      ? setTimeout(
          () =>
            controller.abort(
              new UserError(`stopped after --timeout ${timeoutText}: narrow the query or raise --timeout`, {
                code: 'timeout',
              }),
            ),
          timeoutMs,
        )
      : undefined;
  const onInterrupt = () => {
    if (controller.signal.aborted) process.exit(130);
    controller.abort(new UserError('interrupted: the query was stopped', { code: 'interrupted' }));
  };
  process.on('SIGINT', onInterrupt);
  return {
    signal: controller.signal,
    dispose() {
      clearTimeout(timer);
      process.off('SIGINT', onInterrupt);
    },
  };
}
