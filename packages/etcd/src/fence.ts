import { randomBytes } from 'node:crypto';
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
  /**
   * After a write whose answer was lost: how long to keep reading the fence key back to learn whether it landed
   * before failing with EOUTCOMEUNKNOWN (default 10000 ms).
   */
  settleTimeoutMs?: number;
}

/** A write to a key kept in etcd, made only if the fence accepts the token. */
export type FencedOp = { type: 'put'; key: string; value: string | Buffer } | { type: 'delete'; key: string };

/**
 * The fence key holds the highest token as fixed-width decimal, so that etcd's byte-wise comparison of values is
 * numeric, followed by `:` and the id of the write that set it (`<20 digits>:<16 hex>`), so that a write whose answer
 * was lost is settled by reading the key back. A key holding the digits alone (written before the ids) reads the same.
 */
const tokenWidth = 20;
const encodeToken = (token: number) => String(token).padStart(tokenWidth, '0');
/** Compared with `Greater`: above every value holding a smaller or equal token (':' and the end sort below 0xff), below every larger one. */
const tokenCeiling = (token: number) => Buffer.concat([Buffer.from(encodeToken(token)), Buffer.from([0xff])]);
const fenceValue = /^(\d{20})(?::([0-9a-f]{16}))?$/;

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
    const writeId = randomBytes(8).toString('hex');
    const requests: IRequestOp[] = [{ request_put: { key: this._keyBuffer, value: Buffer.from(`${encodeToken(token)}:${writeId}`) } }];
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
        compare: [{ key: this._keyBuffer, target: 'Value', result: 'Greater', value: tokenCeiling(token) }],
        success: [{ request_range: { key: this._keyBuffer } }],
        failure: requests,
      }));
    } catch (err) {
      // Not sent again: after a lost answer the write may have landed, and sent again it could be refused as stale
      // (another holder raised the token meanwhile) though it was applied. Read back instead: the key holds this
      // write's id if it landed and nothing was written since.
      const landedAt = await this._landedAt(writeId);
      if (landedAt !== undefined) return landedAt;
      throw new OutcomeUnknownError(
        `fence '${this._options.name}': the write with token ${token} was sent to etcd (key ${this.key}) and no answer came, and reading the key back did not show it (not applied, or written over since, or etcd did not answer); it may have been applied. Read the resource before writing again`,
        { cause: err, data: { key: this.key, token, writeId } },
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

  /**
   * The revision write `writeId` landed at, if the fence key still holds its id; undefined if it holds another (not
   * landed, or written over since) or etcd did not answer within `settleTimeoutMs`. Reads are tried again meanwhile.
   */
  private async _landedAt(writeId: string): Promise<number | undefined> {
    const readAttemptMs = 2000;
    const deadline = performance.now() + (this._options.settleTimeoutMs ?? 10_000);
    for (let wait = 50; ; wait = Math.min(1000, wait * 2)) {
      const left = deadline - performance.now();
      if (left <= 0) return undefined;
      let timer: ReturnType<typeof setTimeout> | undefined;
      try {
        const read = this._options.client.kv.range({ key: this._keyBuffer });
        // Each read gets at most `readAttemptMs`: one call stuck on a connection being made again must not use the
        // whole deadline (the next read may go through at once).
        const timedOut = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('no answer')), Math.min(left, readAttemptMs))));
        const kv = (await Promise.race([read, timedOut])).kvs[0];
        return kv !== undefined && fenceValue.exec(kv.value.toString('utf8'))?.[2] === writeId ? revisionOf(kv.mod_revision) : undefined;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, Math.min(wait, Math.max(0, deadline - performance.now()))));
      } finally {
        clearTimeout(timer);
      }
    }
  }

  private _checkToken(token: number): void {
    if (!Number.isSafeInteger(token) || token < 0) {
      throw new InvalidArgumentError(`Fence '${this._options.name}': a token is a non-negative integer (an election's or lock's fencing token), got ${String(token)}`);
    }
  }

  private _decode(value: Buffer | undefined): number {
    if (value === undefined) return 0;
    const text = value.toString('utf8');
    const digits = fenceValue.exec(text)?.[1];
    if (digits === undefined || !Number.isSafeInteger(Number(digits))) {
      throw new FenceCorruptError(
        `Fence '${this._options.name}' key ${this.key} holds ${JSON.stringify(text.slice(0, 40))}, not a token. Remove it only if no stale writer can still run.`,
        { data: { key: this.key } },
      );
    }
    return Number(digits);
  }
}

/** Creates a fence on etcd: its highest token is checked and raised in the same transaction as the guarded writes. */
export function createEtcdFence(options: EtcdFenceOptions): EtcdFence {
  return new EtcdFence(options);
}
