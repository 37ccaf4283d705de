import { join } from 'node:path';
import { InvalidArgumentError, ensureSecureDirectory, lockFile, readFileIfExists, throwIfAborted, toFileName, writeFileAtomic } from '@baton/base';
import { FenceCorruptError, StaleTokenError } from './errors.js';

/** Options of `createFence`. */
export interface FenceOptions {
  /** Directory of the fence's files (the resource's side; may be the coordination directory). */
  dir: string;
  /** The resource this fence guards. */
  name: string;
  /** Longest wait between tries for the fence's critical section (default 1 ms). */
  pollMs?: number;
}

/** Options of `Fence.run`. */
export interface FenceRunOptions {
  /**
   * Cancels the wait for the critical section, and is checked once inside it: pass the holder's
   * `leadershipSignal` (or `lock.signal`) and a holder whose term ended meanwhile does not run.
   */
  signal?: AbortSignal;
}

/**
 * The resource's side of fencing: accepts work only with a token at least as large as every
 * token it has accepted before, so a leader that was paused and replaced cannot act after the
 * new leader has. The check, the update of the highest token and the work run in one critical
 * section (an OS lock, released by the kernel if the process dies), and the highest token is
 * persisted durably.
 */
export class Fence {
  private readonly _stateFile: string;
  private readonly _lockFile: string;
  private readonly _pollMs: number;
  private _ready: Promise<void> | undefined;

  constructor(private readonly _options: FenceOptions) {
    const base = toFileName(_options.name, 'fence name');
    this._stateFile = join(_options.dir, `${base}.fence`);
    this._lockFile = join(_options.dir, `${base}.fence.lock`);
    this._pollMs = _options.pollMs ?? 1;
  }

  /** The highest token accepted so far (0 when none). */
  async highest(): Promise<number> {
    const data = await readFileIfExists(this._stateFile);
    if (data === undefined) return 0;
    const text = data.toString('utf8').trim();
    const value = Number(text);
    if (!/^\d+$/.test(text) || !Number.isSafeInteger(value)) {
      throw new FenceCorruptError(
        `Fence '${this._options.name}' state file ${this._stateFile} holds ${JSON.stringify(text.slice(0, 40))}, not a token. Remove it only if no stale writer can still run.`,
        { data: { path: this._stateFile } },
      );
    }
    return value;
  }

  /**
   * Runs `work` if `token` is not older than any token accepted before; otherwise rejects with
   * StaleTokenError and does not run it.
   */
  async run<T>(token: number, work: () => Promise<T> | T, options: FenceRunOptions = {}): Promise<T> {
    if (!Number.isSafeInteger(token) || token < 0) {
      throw new InvalidArgumentError(`Fence '${this._options.name}': a token is a non-negative integer (an election's or lock's fencing token), got ${String(token)}`);
    }
    this._ready ??= ensureSecureDirectory(this._options.dir);
    await this._ready;
    const release = (await lockFile(this._lockFile, { signal: options.signal, maxDelayMs: this._pollMs }))!;
    try {
      throwIfAborted(options.signal);
      const highest = await this.highest();
      if (token < highest) {
        throw new StaleTokenError(
          `Fence '${this._options.name}' refused token ${token}: token ${highest} was already accepted, so this holder was replaced`,
          { data: { token, highest, name: this._options.name } },
        );
      }
      if (token > highest) await writeFileAtomic(this._stateFile, `${token}\n`);
      return await work();
    } finally {
      release();
    }
  }
}

/** Creates a fence: a guarded action runs only with a token at least the highest seen. */
export function createFence(options: FenceOptions): Fence {
  return new Fence(options);
}
