import { InvalidArgumentError, throwIfAborted } from '@baton/base';
import { FenceCorruptError, StaleTokenError, type FenceRunOptions } from '@baton/lock';
import type { Etcd3, IRequestOp } from 'etcd3';
import { keySegment, normalizePrefix, revisionOf, withoutBlindRetry } from './client.js';
import { OutcomeUnknownError, toEtcdError } from './errors.js';

/** Options of `createEtcdFence`. */
export interface EtcdFenceOptions {
  client: Etcd3;
  /** The resource this fence guards. */
  name: string;
  /** Key prefix (default 'baton/'); the fence's key is `<prefix>fences/<name>`. */
  prefix?: string;
}

/** A write to a key kept in etcd, made only if the fence accepts the token. */
export type FencedOp = { type: 'put'; key: string; value: string | Buffer } | { type: 'delete'; key: string };

/** Tokens as fixed-width decimal, so that etcd's byte-wise comparison of values is numeric. */
const tokenWidth = 20;
const encodeToken = (token: number) => String(token).padStart(tokenWidth, '0');

/**
 * The resource's side of fencing, kept in etcd: it accepts a token at least as large as every
 * token accepted before. The check and the raise of the highest token are one etcd transaction,
 * and so are the writes given to `write()`: a holder that was replaced (its lease expired while it
 * was paused or cut off, and a newer holder wrote) has its writes refused by etcd itself, however
 * late they arrive.
 */
export class EtcdFence {
  readonly key: string;
  private readonly _keyBuffer: Buffer;

  constructor(private readonly _options: EtcdFenceOptions) {
    if (!_options.client) throw new InvalidArgumentError('etcd fence: client is required (createEtcdClient({ hosts }))');
    this.key = `${normalizePrefix(_options.prefix)}fences/${keySegment(_options.name, 'fence name')}`;
    this._keyBuffer = Buffer.from(this.key);
  }

  /** The highest token accepted so far (0 when none). */
  async highest(): Promise<number> {
    const response = await this._options.client.kv.range({ key: this._keyBuffer }).catch((err: unknown) => {
      throw toEtcdError(err, this._options.client, `fence '${this._options.name}': read`);
    });
    return this._decode(response.kvs[0]?.value);
  }

  /**
   * Writes `ops` in one etcd transaction with the token check: all of them if `token` is not older
   * than any accepted before, none otherwise (StaleTokenError). Resolves with the revision written.
   */
  async write(token: number, ops: readonly FencedOp[], options: FenceRunOptions = {}): Promise<number> {
    this._checkToken(token);
    throwIfAborted(options.signal);
    const requests: IRequestOp[] = [{ request_put: { key: this._keyBuffer, value: Buffer.from(encodeToken(token)) } }];
    for (const op of ops) {
      const key = Buffer.from(op.key);
      if (key.equals(this._keyBuffer)) throw new InvalidArgumentError(`fence '${this._options.name}': a fenced write cannot touch the fence's own key ${this.key}`);
      requests.push(op.type === 'put' ? { request_put: { key, value: Buffer.isBuffer(op.value) ? op.value : Buffer.from(op.value) } } : { request_delete_range: { key } });
    }
    // A missing fence key fails the comparison (etcd's rule for value compares), which lands in
    // the writing branch: no token accepted yet counts as 0.
    let response;
    try {
      response = await withoutBlindRetry(() => this._options.client.kv.txn({
        compare: [{ key: this._keyBuffer, target: 'Value', result: 'Greater', value: Buffer.from(encodeToken(token)) }],
        success: [{ request_range: { key: this._keyBuffer } }],
        failure: requests,
      }));
    } catch (err) {
      // Not sent again: after a lost answer the write may have landed, and sent again it could be refused as stale
      // (another holder raised the token meanwhile) though it was applied.
      throw new OutcomeUnknownError(
        `fence '${this._options.name}': the write with token ${token} was sent to etcd (key ${this.key}) and no answer came; it may have been applied. Read the resource before writing again`,
        { cause: err, data: { key: this.key, token } },
      );
    }
    if (response.succeeded) {
      const highest = this._decode(response.responses[0]?.response_range.kvs[0]?.value);
      throw new StaleTokenError(
        `Fence '${this._options.name}' refused token ${token}: token ${highest} was already accepted, so this holder was replaced`,
        { data: { token, highest, name: this._options.name } },
      );
    }
    return revisionOf(response.header.revision);
  }

  /**
   * The `@baton/lock` Fence interface: accepts the token (raising the highest, in etcd) and then
   * runs `work`. The work itself is outside etcd's transaction: a holder replaced *during* its
   * work is not stopped by the fence. For a resource kept in etcd, use `write()`, which is atomic.
   */
  async run<T>(token: number, work: () => Promise<T> | T, options: FenceRunOptions = {}): Promise<T> {
    await this.write(token, [], options);
    throwIfAborted(options.signal);
    return await work();
  }

  private _checkToken(token: number): void {
    if (!Number.isSafeInteger(token) || token < 0) {
      throw new InvalidArgumentError(`Fence '${this._options.name}': a token is a non-negative integer (an election's or lock's fencing token), got ${String(token)}`);
    }
  }

  private _decode(value: Buffer | undefined): number {
    if (value === undefined) return 0;
    const text = value.toString('utf8');
    if (!/^\d{20}$/.test(text) || !Number.isSafeInteger(Number(text))) {
      throw new FenceCorruptError(
        `Fence '${this._options.name}' key ${this.key} holds ${JSON.stringify(text.slice(0, 40))}, not a token. Remove it only if no stale writer can still run.`,
        { data: { key: this.key } },
      );
    }
    return Number(text);
  }
}

/** Creates a fence on etcd: its highest token is checked and raised in the same transaction as the guarded writes. */
export function createEtcdFence(options: EtcdFenceOptions): EtcdFence {
  return new EtcdFence(options);
}
