import { serializeError, type Logger } from '@baton/base/portable';

/** The methods of VS Code's LogOutputChannel the logger writes to. */
export interface LogSink {
  /** Writes a line at trace level. */
  trace(message: string): void;
  /** Writes a line at debug level. */
  debug(message: string): void;
  /** Writes a line at info level. */
  info(message: string): void;
  /** Writes a line at warning level. */
  warn(message: string): void;
  /** Writes a line at error level. */
  error(message: string): void;
}

/**
 * A pino-compatible logger (the packages' `Logger`) over a LogOutputChannel: `msg` first, then the
 * bindings and fields as JSON, errors under `err` with their code and message (no stack unless
 * the level is error). The channel adds the time and level, and filters by the level the user set.
 */
export function createChannelLogger(sink: LogSink, bindings: Record<string, unknown> = {}): Logger {
  const write = (level: keyof LogSink) => (obj: object, msg?: string) => {
    const fields: Record<string, unknown> = { ...bindings, ...obj };
    if (fields.err !== undefined) fields.err = serializeError(fields.err, { stacks: level === 'error' });
    const json = Object.keys(fields).length > 0 ? ` ${safeJson(fields)}` : '';
    try {
      sink[level](`${msg ?? ''}${json}`);
    } catch {
      // A disposed channel at shutdown: the line is dropped, not thrown into the caller.
    }
  };
  return {
    trace: write('trace'),
    debug: write('debug'),
    info: write('info'),
    warn: write('warn'),
    error: write('error'),
    child: (more) => createChannelLogger(sink, { ...bindings, ...more }),
  };
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch {
    return '[unserializable]';
  }
}
