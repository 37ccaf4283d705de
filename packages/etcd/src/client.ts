import { Etcd3, isRecoverableError, type IOptions } from 'etcd3';
import { ConsecutiveBreaker, circuitBreaker, handleAll, handleWhen, retry, type IPolicy } from 'cockatiel';
import { InvalidArgumentError } from '@baton/base';
import { clientEndpoints } from './errors.js';

export type { Etcd3 } from 'etcd3';

/** Options of `createEtcdClient`: the endpoints, and the etcd3 options passed through. */
export interface EtcdClientOptions {
  /** Client URLs of the cluster's members (`http://10.0.0.5:2379`); one is enough, all is better. */
  hosts: string[] | string;
  /** Deadline of each unary call (default 5000 ms); streams (watches, keep-alives) have none. */
  callTimeoutMs?: number;
  /** How long to wait for a connection to a member (default 2000 ms). */
  dialTimeoutMs?: number;
  /** etcd user and password, when the cluster has authentication on. */
  auth?: { username: string; password: string };
  /** TLS material, when the cluster serves https. */
  credentials?: IOptions['credentials'];
}

/**
 * Writes whose outcome must be settled by their caller, not by sending them again: a store's and a fence's
 * transactions (see createEtcdClient). Known by their request object, so that etcd3 sending one again itself (after
 * refreshing an expired auth token) is known too. No AsyncLocalStorage: on Node 20 it turns on promise hooks for the
 * whole process, a cost on every promise of the user's program.
 */
const settledByCaller = new WeakSet<object>();
/** True while withoutBlindRetry calls its write: the request etcd3 is handed now is one of those writes. */
let marking = false;
/** Set by a client's exec just before it hands its call to the global policy, which reads it at once. */
let nextCallIsWrite = false;

/**
 * Runs `write` (one etcd call, made synchronously: `client.kv.txn(request)`) so that a client made by
 * createEtcdClient does not send it again after a failure that may have reached etcd.
 */
export function withoutBlindRetry<T>(write: () => Promise<T>): Promise<T> {
  marking = true;
  try {
    return write();
  } finally {
    marking = false;
  }
}

/** A failure that certainly never reached etcd: no connection to the member could be made. */
export function neverSent(error: Error): boolean {
  return /No connection established|ECONNREFUSED|EHOSTUNREACH|ENOTFOUND|failed to connect/i.test(error.message);
}

/**
 * An etcd3 client with settings that suit coordination: every unary call has a deadline (a
 * partitioned member cannot hang a write forever), a member that failed is tried again after half
 * a second rather than etcd3's five (a restarted cluster is used as soon as it answers), and a
 * write is not sent again blindly. etcd3 retries a failed call up to three times (each on another
 * member), which suits reads and lease calls; but a transaction whose answer was lost after it
 * committed, sent again, fails its compare, and a store took its own write for another writer's
 * and applied the update twice. So a write run through withoutBlindRetry (the store's and the
 * fence's) is retried here only when it never reached etcd; otherwise its caller settles it (the
 * store looks for its write id; the fence reports EOUTCOMEUNKNOWN).
 */
export function createEtcdClient(options: EtcdClientOptions): Etcd3 {
  const hosts = Array.isArray(options.hosts) ? options.hosts : [options.hosts];
  if (hosts.length === 0 || hosts.some((h) => typeof h !== 'string' || h.length === 0)) {
    throw new InvalidArgumentError(`etcd hosts must be one or more client URLs, got ${JSON.stringify(options.hosts)}`);
  }
  const callTimeoutMs = options.callTimeoutMs ?? 5000;
  const client = new Etcd3({
    hosts,
    dialTimeout: options.dialTimeoutMs ?? 2000,
    ...(options.auth ? { auth: options.auth } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
    defaultCallOptions: (context) => (context.isStream ? {} : { deadline: Date.now() + callTimeoutMs }),
    faultHandling: {
      host: () => circuitBreaker(handleAll, { halfOpenAfter: 500, breaker: new ConsecutiveBreaker(3) }),
      // A watch stream that broke (an outage, a member restarting) is opened again within a second, not etcd3's 30 s.
      watchBackoff: watchBackoff(50),
      global: callPolicy(),
    },
  });
  markWrites(client);
  clientEndpoints.set(client, hosts);
  ignoreLateWatchResponses(client);
  return client;
}

/**
 * etcd3's policy for every call: up to 3 attempts on a recoverable error (each on another member), except for a
 * write its caller settles, which is sent again only when it never reached etcd.
 */
function callPolicy(): IPolicy {
  const anyCall = retry(handleWhen(isRecoverableError), { maxAttempts: 3 });
  const write = retry(handleWhen((error) => isRecoverableError(error) && neverSent(error)), { maxAttempts: 3 });
  return new Proxy(anyCall, {
    get(target, property, receiver) {
      if (property !== 'execute') return Reflect.get(target, property, receiver) as unknown;
      return (fn: Parameters<IPolicy['execute']>[0], signal?: AbortSignal) => {
        const policy = nextCallIsWrite ? write : anyCall;
        nextCallIsWrite = false;
        return policy.execute(fn, signal);
      };
    },
  });
}

/**
 * Marks each call of `client` as a write its caller settles, or not, just before etcd3 hands it to the global
 * policy: etcd3's connection pool (`exec`, the one way every unary call goes) reads the policy synchronously.
 */
function markWrites(client: Etcd3): void {
  type Exec = (service: string, method: string, payload: unknown, options: unknown) => Promise<unknown>;
  const pool = (client as unknown as { pool?: { exec?: Exec } }).pool;
  const original = pool?.exec;
  if (!pool || typeof original !== 'function') throw new Error('etcd3 has no connection pool with exec(): this version of etcd3 is not one @baton/etcd supports');
  pool.exec = function (this: unknown, service, method, payload, options) {
    if (marking && typeof payload === 'object' && payload !== null) settledByCaller.add(payload);
    nextCallIsWrite = typeof payload === 'object' && payload !== null && settledByCaller.has(payload);
    try {
      return original.call(this, service, method, payload, options);
    } finally {
      nextCallIsWrite = false;
    }
  };
}

/** How what etcd3's watch manager throws for a response that belongs to none of its watchers begins. */
const lateWatchResponses = ['Failed to find watcher for IWatchResponse', 'Could not find watcher corresponding to create response', 'Got a watch creation error, but found no pending watchers'];

/**
 * etcd3's watch manager throws, from its stream's data handler, when a response comes for a watcher it no longer
 * has: an uncaught exception in the user's process. It happens when etcd cancels the only watch of a client (its
 * history was compacted while the stream was down): the manager cancels its stream as its last watcher goes, and the
 * messages that stream still delivers (events, the answer to a replacement watch's create request) find nobody. They
 * are for nobody, and are dropped; the replacement watch is made again on the next stream.
 */
function ignoreLateWatchResponses(client: Etcd3): void {
  type Handler = (response: unknown) => void;
  const manager = (client as unknown as { watchManager?: Record<'handleResponse' | 'handleCreatedResponse', Handler | undefined> }).watchManager;
  for (const name of ['handleResponse', 'handleCreatedResponse'] as const) {
    const original = manager?.[name];
    if (!manager || typeof original !== 'function') continue;
    manager[name] = (response: unknown) => {
      try {
        original.call(manager, response);
      } catch (err) {
        const message = String((err as Error)?.message);
        if (!lateWatchResponses.some((start) => message.startsWith(start))) throw err;
      }
    };
  }
}

/** The watch manager's backoff (the shape etcd3 asks for): doubling from `ms`, at most a second. */
function watchBackoff(ms: number): { readonly duration: number; next(): ReturnType<typeof watchBackoff> } {
  return { duration: ms, next: () => watchBackoff(Math.min(ms * 2, 1000)) };
}

/** Validates a key prefix: non-empty and ending with '/' so that names cannot run into each other. */
export function normalizePrefix(prefix: string | undefined): string {
  const value = prefix ?? 'baton/';
  if (typeof value !== 'string' || value.length === 0 || !value.endsWith('/')) {
    throw new InvalidArgumentError(`etcd key prefix must be a non-empty string ending with '/', got ${JSON.stringify(prefix)}`);
  }
  return value;
}

/** A name as one key segment: any string, with '/' and '%' escaped so it stays one segment. */
export function keySegment(name: string, what: string): string {
  if (typeof name !== 'string' || name.length === 0) throw new InvalidArgumentError(`${what} must be a non-empty string, got ${JSON.stringify(name)}`);
  return name.replace(/[%/]/g, (c) => (c === '%' ? '%25' : '%2F'));
}

/** etcd revisions are int64 strings; ours stay far below 2^53. */
export function revisionOf(value: string | number | undefined | null): number {
  return value === undefined || value === null || value === '' ? 0 : Number(value);
}

/** The key just after every key that starts with `prefix` (etcd's range end for a prefix). */
export function prefixEnd(prefix: Buffer): Buffer {
  const end = Buffer.from(prefix);
  for (let i = end.length - 1; i >= 0; i--) {
    if (end[i]! < 0xff) {
      end[i]! += 1;
      return end.subarray(0, i + 1);
    }
  }
  return Buffer.from([0]);
}

/** The checks every constructor makes: a client, and a TTL etcd can grant (whole seconds, at least one). */
export function checkClientAndTtl(what: string, client: Etcd3 | undefined, ttlMs: number): void {
  if (!client) throw new InvalidArgumentError(`${what}: client is required (createEtcdClient({ hosts }))`);
  if (!(ttlMs >= 1000)) throw new InvalidArgumentError(`${what}: ttlMs must be >= 1000 (etcd leases are whole seconds), got ${ttlMs}`);
}
