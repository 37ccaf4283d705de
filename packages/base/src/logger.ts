/**
 * The logging surface Baton packages need: a subset of pino's Logger, so a pino instance
 * (from @baton/telemetry's createLogger or the user's own) can be passed as is.
 * Errors go under `err`: `logger.warn({ err }, 'could not read lock file')`.
 */
export interface Logger {
  trace(obj: object, msg?: string): void;
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  child(bindings: Record<string, unknown>): Logger;
}

const noop = () => {};

/** A logger that drops everything: the default where none is injected. */
export const noopLogger: Logger = {
  trace: noop,
  debug: noop,
  info: noop,
  warn: noop,
  error: noop,
  child: () => noopLogger,
};
