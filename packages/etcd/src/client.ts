import { Etcd3, type IOptions } from 'etcd3';
import { ConsecutiveBreaker, circuitBreaker, handleAll } from 'cockatiel';
import { InvalidArgumentError } from '@baton/base';

export type { Etcd3 } from 'etcd3';

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
 * An etcd3 client with settings that suit coordination: every unary call has a deadline (a
 * partitioned member cannot hang a write forever), a member that failed is tried again after half
 * a second rather than etcd3's five (a restarted cluster is used as soon as it answers).
 */
export function createEtcdClient(options: EtcdClientOptions): Etcd3 {
  const hosts = Array.isArray(options.hosts) ? options.hosts : [options.hosts];
  if (hosts.length === 0 || hosts.some((h) => typeof h !== 'string' || h.length === 0)) {
    throw new InvalidArgumentError(`etcd hosts must be one or more client URLs, got ${JSON.stringify(options.hosts)}`);
  }
  const callTimeoutMs = options.callTimeoutMs ?? 5000;
  return new Etcd3({
    hosts,
    dialTimeout: options.dialTimeoutMs ?? 2000,
    ...(options.auth ? { auth: options.auth } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
    defaultCallOptions: (context) => (context.isStream ? {} : { deadline: Date.now() + callTimeoutMs }),
    faultHandling: {
      host: () => circuitBreaker(handleAll, { halfOpenAfter: 500, breaker: new ConsecutiveBreaker(3) }),
    },
  });
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
