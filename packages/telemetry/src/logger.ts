import { nodeRequire } from '@baton/base';
import pino, { type DestinationStream, type Logger as PinoLogger, type LoggerOptions } from 'pino';
import type prettyModule from 'pino-pretty';

export type { PinoLogger };

/** Options of `createLogger`. */
export interface CreateLoggerOptions {
  /** Bound as `name` on every line. */
  name: string;
  /** Default 'info' (or $BATON_LOG_LEVEL). */
  level?: string;
  /** Human-readable lines: 'auto' (default) = when the destination is a TTY and not in CI. */
  pretty?: 'auto' | boolean;
  /** A file path, a file descriptor, or a stream (default: stdout, written synchronously so nothing is lost on exit). */
  destination?: string | number | DestinationStream;
  /** Extra paths to redact, besides the defaults (tokens, passwords, authorization headers). */
  redact?: string[];
  /** Bindings on every line (for example `{ pkg: 'orchestrator' }`). */
  base?: Record<string, unknown>;
}

/** Paths whose values never reach a log line. */
export const defaultRedactPaths = [
  'token',
  '*.token',
  'auth.token',
  '*.auth.token',
  'password',
  '*.password',
  'authorization',
  '*.authorization',
  'headers.authorization',
  '*.headers.authorization',
];

/**
 * A pino logger: JSON lines (or pretty ones in a TTY), errors serialized under `err`, secrets
 * redacted. Give each component a child: `logger.child({ pkg: 'lock', name })`.
 */
export function createLogger(options: CreateLoggerOptions): PinoLogger {
  const level = options.level ?? process.env.BATON_LOG_LEVEL ?? 'info';
  const destination = options.destination ?? 1;
  const isTty = destination === 1 ? Boolean(process.stdout.isTTY) : destination === 2 ? Boolean(process.stderr.isTTY) : false;
  const usePretty = options.pretty === 'auto' || options.pretty === undefined ? isTty && !process.env.CI : options.pretty;
  const config: LoggerOptions = {
    name: options.name,
    level,
    base: { pid: process.pid, ...options.base },
    redact: { paths: [...defaultRedactPaths, ...(options.redact ?? [])], censor: '[redacted]' },
    serializers: { err: pino.stdSerializers.err, error: pino.stdSerializers.err },
  };
  let stream: DestinationStream;
  if (typeof destination === 'object') stream = destination;
  else if (usePretty) {
    stream = loadPretty()({ destination, sync: true, colorize: isTty, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' });
  } else {
    // Synchronous for stdout/stderr (a crash or exit loses nothing); files buffer, and
    // flushLogger() drains them before exit.
    stream = pino.destination({ dest: destination, sync: typeof destination === 'number', mkdir: true });
  }
  return pino(config, stream);
}

/**
 * pino-pretty, loaded on first use: only a terminal gets pretty lines, and loading it costs a process about 4 MiB
 * that a service logging JSON (a relay, a supervised child) never needs.
 */
function loadPretty(): typeof prettyModule {
  return nodeRequire((import.meta as { url?: string }).url)('pino-pretty') as typeof prettyModule;
}

/** Writes out what a logger has buffered (call before exiting). */
export function flushLogger(logger: PinoLogger): void {
  try {
    logger.flush();
  } catch {
    // A synchronous destination has nothing buffered.
  }
}
