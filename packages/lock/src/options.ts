import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { InvalidArgumentError, noopLogger, systemClock, toFileName, type Clock, type Logger } from '@baton/base';
import type { ContenderOptions } from './contender.js';

/** Options shared by locks and elections. */
export interface CommonLockOptions {
  /** The coordination directory (for example `coordinationPaths(...).dir`); created 0700 if missing. */
  dir: string;
  /** The name to contend for. Any string; it becomes a safe file name. */
  name: string;
  /** How often a waiter checks for the holder's death, release or expiry (default 10 ms). */
  pollMs?: number;
  /** This participant's id (default a random UUID). */
  id?: string;
  /** JSON-safe data published with the holder record (for example a window title). */
  metadata?: unknown;
  logger?: Logger;
  /** Monotonic clock (tests). */
  clock?: Clock;
  /**
   * fsync the directory after each grant, so tokens never repeat even after a power loss (tokens
   * always survive process exits). Default: true for elections (grants are rare), false for
   * named locks (granted often; the fsync triples the cost of an uncontended acquire).
   */
  durable?: boolean;
}

export function lockDirFor(dir: string, name: string): string {
  return join(dir, `${toFileName(name, 'lock name')}.lock`);
}

export function contenderOptions(options: CommonLockOptions, leaseMs: number, what: string, durableByDefault: boolean): ContenderOptions {
  const pollMs = options.pollMs ?? 10;
  if (typeof options.dir !== 'string' || options.dir.length === 0) {
    throw new InvalidArgumentError(`${what}: dir must be a directory path, got ${JSON.stringify(options.dir)}`);
  }
  if (!(pollMs >= 1)) throw new InvalidArgumentError(`${what}: pollMs must be >= 1, got ${pollMs}`);
  if (!(leaseMs >= 4 * pollMs) || !(leaseMs >= 20)) {
    throw new InvalidArgumentError(`${what}: the lease must be >= 20 ms and >= 4 x pollMs (${4 * pollMs} ms), got ${leaseMs}`);
  }
  const id = options.id ?? randomUUID();
  return {
    lockDir: lockDirFor(options.dir, options.name),
    leaseMs,
    pollMs,
    id,
    metadata: options.metadata,
    logger: (options.logger ?? noopLogger).child({ pkg: 'lock', name: options.name, id }),
    clock: options.clock ?? systemClock,
    durable: options.durable ?? durableByDefault,
    beacon: true,
  };
}
