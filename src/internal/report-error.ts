import type { EventEmitter } from 'node:events';

/**
 * Reports a background failure as an `error` event, or as a process warning when nobody
 * listens: a background task must never crash the process with an unhandled `error` event.
 *
 * @param emitter - the emitter whose `error` listeners get `(error, ...context)`
 * @param err - what was caught
 * @param label - names the source in the warning
 * @param context - extra `error` event arguments
 */
export function reportError(emitter: EventEmitter, err: unknown, label: string, ...context: unknown[]): void {
  const error = err instanceof Error ? err : new Error(String(err));
  if (emitter.listenerCount('error') > 0) emitter.emit('error', error, ...context);
  else process.emitWarning(`good-redis ${label}: ${error.message}`, 'GoodRedisWarning');
}
