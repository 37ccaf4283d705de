import { randomBytes } from 'node:crypto';
import { link, open, readdir, readFile, rename, stat, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { ensureSecureDirectory, syncDirectory, type Logger } from '@baton/base';
import { tryLockFd, unlockFd } from './osLock.js';

/**
 * The on-disk protocol for one name: a directory of numbered slot files.
 *
 *   000000000000007.term    a term began at slot 7: fencing token 7, JSON record of its holder
 *   000000000000008.renew   the holder of term 7 renewed its lease
 *   000000000000009.renew   ...and again
 *
 * Every slot is created exclusively (link or O_EXCL), and both a renewal and a takeover try to
 * create the slot after the latest one, so they race for the same file name and exactly one wins:
 * that is the compare-and-swap that makes takeover atomic, with no mutex a paused process could
 * keep. The holder keeps an OS lock on its term file (taken before the file is linked into place),
 * which the kernel drops when the holder dies: a waiter whose tryLock succeeds knows the term is
 * over. The latest slot is never deleted, so tokens never go back. See README "Why it is safe".
 */

export interface TermRecord {
  token: number;
  id: string;
  pid: number;
  hostname: string;
  metadata?: unknown;
  /** Wall-clock start of the term, ISO 8601, for display only. */
  since: string;
}

export interface Slot {
  readonly index: number;
  readonly kind: 'term' | 'renew';
  readonly file: string;
}

export interface Scan {
  /** Highest slot index (0 when the name was never held). */
  readonly latest: number;
  /** Index (= token) of the latest term slot (0 when none). */
  readonly term: number;
  readonly slots: readonly Slot[];
}

const slotPattern = /^(\d{15})\.(term|renew)$/;
const tempPattern = /^\.claim-.*\.tmp$/;
const staleTempMs = 60_000;

export function slotName(index: number, kind: 'term' | 'renew'): string {
  return `${String(index).padStart(15, '0')}.${kind}`;
}

function errno(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | undefined)?.code;
}

export class LeaseFiles {
  private readonly _reported = new Set<string>();
  private _watched: { term: number; handle: FileHandle | undefined } | undefined;

  constructor(
    readonly dir: string,
    private readonly _logger: Logger,
    private readonly _durable: boolean,
  ) {}

  /** Creates the name's directory (0700); a file in its place (an old or foreign lock file) is moved aside. */
  async ensure(): Promise<void> {
    try {
      const stats = await stat(this.dir);
      if (!stats.isDirectory()) {
        const aside = `${this.dir}.corrupt-${Date.now()}`;
        await rename(this.dir, aside);
        this._logger.warn({ path: this.dir, movedTo: aside }, 'lock path held a file, not a lock directory; moved it aside');
      }
    } catch (err) {
      if (errno(err) !== 'ENOENT') throw err;
    }
    await ensureSecureDirectory(this.dir);
  }

  async scan(): Promise<Scan> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch (err) {
      if (errno(err) === 'ENOENT') return { latest: 0, term: 0, slots: [] };
      throw err;
    }
    let latest = 0;
    let term = 0;
    const slots: Slot[] = [];
    for (const file of names) {
      const match = slotPattern.exec(file);
      if (!match) {
        if (!tempPattern.test(file)) this._reportForeign(file);
        continue;
      }
      const index = Number(match[1]);
      if (!Number.isSafeInteger(index) || index <= 0) {
        this._reportForeign(file);
        continue;
      }
      const kind = match[2] as 'term' | 'renew';
      slots.push({ index, kind, file });
      if (index > latest) latest = index;
      if (kind === 'term' && index > term) term = index;
    }
    return { latest, term, slots };
  }

  private _reportForeign(file: string): void {
    if (this._reported.has(file)) return;
    this._reported.add(file);
    this._logger.warn({ dir: this.dir, file }, 'ignoring a file that is not a lock slot');
  }

  /** The holder record of term `token`; undefined (and reported once) when missing or unreadable. */
  async readTerm(token: number): Promise<TermRecord | undefined> {
    const file = join(this.dir, slotName(token, 'term'));
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      if (errno(err) !== 'ENOENT') this._logger.warn({ err, file }, 'could not read the term record');
      return undefined;
    }
    try {
      const record = JSON.parse(text) as Partial<TermRecord>;
      if (typeof record.id !== 'string' || typeof record.pid !== 'number') throw new Error('missing id or pid');
      return {
        token,
        id: record.id,
        pid: record.pid,
        hostname: typeof record.hostname === 'string' ? record.hostname : '',
        metadata: record.metadata,
        since: typeof record.since === 'string' ? record.since : '',
      };
    } catch (err) {
      const key = `corrupt:${token}`;
      if (!this._reported.has(key)) {
        this._reported.add(key);
        this._logger.warn({ err, file, bytes: text.length }, 'term record is corrupt; the term still ends by release, death or lease expiry');
      }
      return undefined;
    }
  }

  /**
   * Whether the holder of `term` has let go (died or released): the OS lock on its term file is
   * free. The descriptor is kept open between calls for the same term.
   */
  async isReleased(term: number): Promise<boolean> {
    if (this._watched?.term !== term) {
      await this._closeWatched();
      let handle: FileHandle | undefined;
      try {
        handle = await open(join(this.dir, slotName(term, 'term')), 'r+');
      } catch (err) {
        // Gone (a newer term pruned it) or not writable (foreign): the next scan or the lease decides.
        if (errno(err) !== 'ENOENT') this._logger.debug({ err, term }, 'cannot probe the term lock');
      }
      this._watched = { term, handle };
    }
    const handle = this._watched.handle;
    if (!handle) return false;
    if (!tryLockFd(handle.fd)) return false;
    unlockFd(handle.fd);
    return true;
  }

  private async _closeWatched(): Promise<void> {
    const handle = this._watched?.handle;
    this._watched = undefined;
    await handle?.close().catch(() => {});
  }

  /**
   * Tries to start a term at slot `index`. Returns the locked term file, to keep open for the
   * whole term, or undefined when another process took the slot first.
   */
  async claim(index: number, record: TermRecord): Promise<FileHandle | undefined> {
    const temp = join(this.dir, `.claim-${process.pid}-${randomBytes(6).toString('hex')}.tmp`);
    const target = join(this.dir, slotName(index, 'term'));
    const handle = await open(temp, 'wx+', 0o600);
    let linked = false;
    try {
      await handle.writeFile(JSON.stringify(record) + '\n');
      if (process.platform !== 'win32') await handle.chmod(0o600);
      if (this._durable) await handle.sync();
      // Locked before it is visible, so no waiter can see the new term unlocked.
      if (!tryLockFd(handle.fd)) throw new Error(`fresh claim file ${temp} is already locked`);
      try {
        await link(temp, target);
        linked = true;
      } catch (err) {
        if (errno(err) === 'EEXIST') return undefined;
        throw err;
      }
    } finally {
      await unlink(temp).catch(() => {});
      if (!linked) await handle.close();
    }
    if (!(await this._isLatest(index, target))) {
      unlockFd(handle.fd);
      await handle.close();
      return undefined;
    }
    if (this._durable) await syncDirectory(this.dir);
    return handle;
  }

  /** Tries to record a renewal of the held term at slot `index`; false when the term was taken over. */
  async renew(index: number): Promise<boolean> {
    const target = join(this.dir, slotName(index, 'renew'));
    try {
      const handle = await open(target, 'wx', 0o600);
      await handle.close();
    } catch (err) {
      if (errno(err) === 'EEXIST' || errno(err) === 'ENOENT') return false;
      throw err;
    }
    return this._isLatest(index, target);
  }

  /**
   * After creating slot `index`: it must be the latest. Slots below the latest are pruned, so a
   * process that was paused for long can recreate a pruned slot; then a higher slot exists, and
   * the slot it made is removed again and means nothing.
   */
  private async _isLatest(index: number, file: string): Promise<boolean> {
    const { latest } = await this.scan();
    if (latest === index) return true;
    await unlink(file).catch(() => {});
    return false;
  }

  /** Removes slots of older terms and old renewals of the current one; keeps the latest slots. */
  async prune(term: number, scan: Scan, sweepTemp = false): Promise<void> {
    const keepFrom = scan.latest - 2;
    for (const slot of scan.slots) {
      const old = slot.index < term || (slot.kind === 'renew' && slot.index < keepFrom);
      if (old) await unlink(join(this.dir, slot.file)).catch(() => {});
    }
    if (!sweepTemp) return;
    // Temp files of claimers that were killed mid-claim.
    const names = await readdir(this.dir).catch(() => [] as string[]);
    for (const name of names) {
      if (!tempPattern.test(name)) continue;
      const file = join(this.dir, name);
      const stats = await stat(file).catch(() => undefined);
      if (stats && Date.now() - stats.mtimeMs > staleTempMs) await unlink(file).catch(() => {});
    }
  }

  async close(): Promise<void> {
    await this._closeWatched();
  }
}
