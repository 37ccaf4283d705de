/**
 * The logging surface Baton packages need: a subset of pino's Logger, so a pino instance
 * (from @baton/telemetry's createLogger or the user's own) can be passed as is.
 * Errors go under `err`: `logger.warn({ err }, 'could not read lock file')`.
 */
export interface Logger {
  /** Logs at trace level. */
  trace(obj: object, msg?: string): void;
  /** Logs at debug level. */
  debug(obj: object, msg?: string): void;
  /** Logs at info level. */
  info(obj: object, msg?: string): void;
  /** Logs at warn level. */
  warn(obj: object, msg?: string): void;
  /** Logs at error level. */
  error(obj: object, msg?: string): void;
  /** A logger that adds `bindings` to every line. */
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
