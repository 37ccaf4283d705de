import { randomUUID } from 'node:crypto';
import { LinkedAbortController, TimeoutError, eventToPromise, noopLogger, systemClock, throwIfAborted, type Clock, type Logger } from '@baton/base';
import { LockBusyError, LockLostError, LockTimeoutError, type Lock } from '@baton/lock';
import type { Etcd3 } from 'etcd3';
import { checkClientAndTtl, keySegment, normalizePrefix } from './client.js';
import { toEtcdError } from './errors.js';
import { QueueEntry, newRecord } from './queue.js';
import { Session } from './session.js';

/** Options of `acquireEtcdLock`. */
export interface AcquireEtcdLockOptions {
  client: Etcd3;
  /** The lock's name. Any string. */
  name: string;
  /** Lease TTL: how long a holder that crashed or was cut off keeps the lock (default 5000 ms, whole seconds). */
  ttlMs?: number;
  /** Wait for the lock (default true), fail at once (false), or wait at most timeoutMs. */
  wait?: boolean | { timeoutMs: number };
  /** Key prefix (default 'baton/'); the lock's keys are `<prefix>locks/<name>/<lease>-<n>`. */
  prefix?: string;
  id?: string;
  metadata?: unknown;
  logger?: Logger;
  clock?: Clock;
  signal?: AbortSignal;
}

/**
 * Acquires a named lock in etcd; the `Lock` it returns is `@baton/lock`'s. Waiters queue in
 * order of arrival; a release hands over at once, a crashed holder's lock after the TTL. Rejects
 * with ELOCKBUSY (wait: false), ELOCKTIMEOUT, or the abort reason; in every case nothing of the
 * attempt is left in etcd.
 */
export async function acquireEtcdLock(options: AcquireEtcdLockOptions): Promise<Lock> {
  throwIfAborted(options.signal);
  const ttlMs = options.ttlMs ?? 5000;
  checkClientAndTtl(`etcd lock '${options.name}'`, options.client, ttlMs);
  const prefix = `${normalizePrefix(options.prefix)}locks/${keySegment(options.name, 'lock name')}/`;
  const id = options.id ?? randomUUID();
  const clock = options.clock ?? systemClock;
  const logger = (options.logger ?? noopLogger).child({ pkg: 'etcd', lock: options.name, id });
  const wait = options.wait ?? true;
  const timeoutMs = typeof wait === 'object' ? wait.timeoutMs : undefined;
  const timeout = new AbortController();
  const timer = timeoutMs === undefined ? undefined : clock.setTimeout(() => timeout.abort(new TimeoutError(`timed out after ${timeoutMs} ms`)), timeoutMs);
  const linked = new LinkedAbortController([options.signal, timeout.signal]);
  let session: Session;
  try {
    session = await Session.grant({ client: options.client, ttlMs, clock, logger });
  } catch (err) {
    linked.dispose();
    timer?.dispose();
    throw toEtcdError(err, options.client, `etcd lock '${options.name}': lease`);
  }
  const entry = new QueueEntry(options.client, prefix, session, newRecord(id, options.metadata), logger);
  try {
    const acquired = eventToPromise(entry.onDidAcquire, { signal: linked.signal });
    acquired.catch(() => {});
    const ended = eventToPromise(entry.onDidLose, { signal: linked.signal });
    ended.catch(() => {});
    await entry.enter();
    if (!entry.holding) {
      if (wait === false) {
        const holder = entry.holder;
        throw new LockBusyError(
          `Lock '${options.name}' is held${holder ? ` by ${holder.id} (pid ${holder.pid} on ${holder.hostname}, token ${holder.token})` : ''}; pass wait: true to wait for it`,
          { data: { name: options.name, holder } },
        );
      }
      await Promise.race([
        acquired,
        ended.then(({ detail }) => {
          throw new LockLostError(`Lock '${options.name}': gave up waiting: ${detail}`);
        }),
      ]);
    }
  } catch (err) {
    await entry.leave('gave up waiting');
    entry.dispose();
    await session.revoke();
    session.dispose();
    linked.dispose();
    timer?.dispose();
    if (timeout.signal.aborted && !options.signal?.aborted) {
      const holder = entry.holder;
      throw new LockTimeoutError(
        `Timed out after ${timeoutMs} ms waiting for lock '${options.name}'${holder ? ` held by ${holder.id} (pid ${holder.pid} on ${holder.hostname})` : ''}`,
        { data: { name: options.name, timeoutMs } },
      );
    }
    throw toEtcdError(err, options.client, `etcd lock '${options.name}'`);
  }
  linked.dispose();
  timer?.dispose();
  return heldLock(options.name, entry, session);
}

function heldLock(name: string, entry: QueueEntry, session: Session): Lock {
  const token = entry.token;
  const controller = new AbortController();
  let released: Promise<void> | undefined;
  const release = () => {
    released ??= (async () => {
      await entry.leave('released');
      await session.revoke();
      entry.dispose();
      session.dispose();
    })();
    return released;
  };
  entry.onDidLose(({ reason, detail }) => {
    controller.abort(new LockLostError(`Lock '${name}' (token ${token}) ${reason === 'lost' ? 'was lost' : 'was released'}: ${detail}`));
    void release();
  });
  return {
    name,
    token,
    get signal() {
      void entry.holding;
      return controller.signal;
    },
    get isHeld() {
      return entry.holding;
    },
    release,
    dispose() {
      void release();
    },
  };
}

/** Runs `fn` while holding the named etcd lock; releases it however `fn` ends. */
export async function withEtcdLock<T>(options: AcquireEtcdLockOptions, fn: (lock: Lock) => Promise<T> | T): Promise<T> {
  const lock = await acquireEtcdLock(options);
  try {
    return await fn(lock);
  } finally {
    await lock.release();
  }
}
