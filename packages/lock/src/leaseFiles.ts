import { randomBytes } from 'node:crypto';
import { closeSync, linkSync, openSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { ensureSecureDirectory, syncDirectory, tryLockFd, unlockFd, type Logger } from '@baton/base';

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
 *
 * The metadata operations here (readdir, link, exclusive create, open) are synchronous: each takes
 * microseconds on a local file system, where an async call costs a thread-pool round trip ten times
 * that, on every poll. OS locks need a local file system anyway (see README). Only fsync, which can
 * take milliseconds, is asynchronous.
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

// Lock directories this process has created or checked; a name acquired again skips the checks.
const ensuredDirs = new Set<string>();

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
  private _watched: { term: number; fd: number | undefined } | undefined;

  constructor(
    readonly dir: string,
    private readonly _logger: Logger,
    private readonly _durable: boolean,
  ) {}

  /** Creates the name's directory (0700); a file in its place (an old or foreign lock file) is moved aside. */
  async ensure(): Promise<void> {
    if (ensuredDirs.has(this.dir)) return;
    try {
      const stats = statSync(this.dir);
      if (!stats.isDirectory()) {
        const aside = `${this.dir}.corrupt-${Date.now()}`;
        renameSync(this.dir, aside);
        this._logger.warn({ path: this.dir, movedTo: aside }, 'lock path held a file, not a lock directory; moved it aside');
      }
    } catch (err) {
      if (errno(err) !== 'ENOENT') throw err;
    }
    await ensureSecureDirectory(this.dir);
    ensuredDirs.add(this.dir);
  }

  /** Forget that the directory was checked (it vanished): the next ensure() recreates it. */
  invalidate(): void {
    ensuredDirs.delete(this.dir);
  }

  scan(): Scan {
    let names: string[];
    try {
      names = readdirSync(this.dir);
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
  readTerm(token: number): TermRecord | undefined {
    const file = join(this.dir, slotName(token, 'term'));
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
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
  isReleased(term: number): boolean {
    if (this._watched?.term !== term) {
      this._closeWatched();
      let fd: number | undefined;
      try {
        fd = openSync(join(this.dir, slotName(term, 'term')), 'r+');
      } catch (err) {
        // Gone (a newer term pruned it) or not writable (foreign): the next scan or the lease decides.
        if (errno(err) !== 'ENOENT') this._logger.debug({ err, term }, 'cannot probe the term lock');
      }
      this._watched = { term, fd };
    }
    const fd = this._watched.fd;
    if (fd === undefined) return false;
    if (!tryLockFd(fd)) return false;
    unlockFd(fd);
    return true;
  }

  private _closeWatched(): void {
    const fd = this._watched?.fd;
    this._watched = undefined;
    if (fd !== undefined) closeQuietly(fd);
  }

  /**
   * Tries to start a term at slot `index`. Returns the locked term file's descriptor, to keep open
   * for the whole term, or undefined when another process took the slot first.
   */
  async claim(index: number, record: TermRecord): Promise<number | undefined> {
    const temp = join(this.dir, `.claim-${process.pid}-${randomBytes(6).toString('hex')}.tmp`);
    const target = join(this.dir, slotName(index, 'term'));
    const fd = openSync(temp, 'wx+', 0o600);
    let linked = false;
    try {
      writeSync(fd, JSON.stringify(record) + '\n');
      // Locked before it is visible, so no waiter can see the new term unlocked.
      if (!tryLockFd(fd)) throw new Error(`fresh claim file ${temp} is already locked`);
      try {
        linkSync(temp, target);
        linked = true;
      } catch (err) {
        if (errno(err) === 'EEXIST') return undefined;
        throw err;
      }
    } finally {
      try {
        unlinkSync(temp);
      } catch {
        // Already gone.
      }
      if (!linked) closeQuietly(fd);
    }
    if (!this._isLatest(index, target)) {
      closeQuietly(fd);
      return undefined;
    }
    // The token is the slot's name: persisting the directory entry is what makes it survive a
    // power loss. The record inside is display data, and a torn record is tolerated.
    if (this._durable) await syncDirectory(this.dir);
    return fd;
  }

  /** Tries to record a renewal of the held term at slot `index`; false when the term was taken over. */
  renew(index: number): boolean {
    const target = join(this.dir, slotName(index, 'renew'));
    try {
      closeSync(openSync(target, 'wx', 0o600));
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
  private _isLatest(index: number, file: string): boolean {
    const { latest } = this.scan();
    if (latest === index) return true;
    try {
      unlinkSync(file);
    } catch {
      // Already gone.
    }
    return false;
  }

  /** Removes slots of older terms and old renewals of the current one; keeps the latest slots. */
  prune(term: number, scan: Scan, sweepTemp = false): void {
    const keepFrom = scan.latest - 2;
    for (const slot of scan.slots) {
      const old = slot.index < term || (slot.kind === 'renew' && slot.index < keepFrom);
      if (old) unlinkQuietly(join(this.dir, slot.file));
    }
    if (!sweepTemp) return;
    // Temp files of claimers that were killed mid-claim.
    let names: string[];
    try {
      names = readdirSync(this.dir);
    } catch {
      return;
    }
    for (const name of names) {
      if (!tempPattern.test(name)) continue;
      const file = join(this.dir, name);
      try {
        if (Date.now() - statSync(file).mtimeMs > staleTempMs) unlinkSync(file);
      } catch {
        // Gone meanwhile.
      }
    }
  }

  close(): void {
    this._closeWatched();
  }
}

export function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // Closing releases the OS lock; an already-closed descriptor has nothing left to release.
  }
}

function unlinkQuietly(file: string): void {
  try {
    unlinkSync(file);
  } catch {
    // Already gone.
  }
}
