import { randomBytes } from 'node:crypto';
import { closeSync, fstatSync, linkSync, openSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ensureSecureDirectory, syncDirectorySync, tryLockFd, unlockFd, type Logger } from '@baton/base';

/**
 * The on-disk protocol for one name: a directory of numbered slot files, one file name per index.
 *
 *   000000000000007.slot    {"kind":"term","token":7,"id":...}   a term began: fencing token 7
 *   000000000000008.slot    {"kind":"renew","term":7}            the holder of term 7 renewed
 *   000000000000009.slot    {"kind":"renew","term":7}            ...and again
 *
 * Every slot is a complete file linked into place under its index's only name (link fails with
 * EEXIST when the name exists), and a renewal and a takeover both try to create the slot after
 * the latest one: whatever their kinds, they race for the same name and exactly one wins. That is
 * the compare-and-swap that makes takeover atomic, with no mutex a paused process could keep. The
 * kind is inside the file, written before the link, so a reader never sees a slot without it; a
 * slot whose content cannot be read as a renewal counts as a term (which, unlocked, any waiter
 * may end at once: the safe reading). The holder keeps an OS lock on its term file (taken before
 * the file is linked), which the kernel drops when the holder dies: a waiter whose tryLock
 * succeeds knows the term is over. The latest slot is never deleted, so tokens never go back.
 * See README "Why it is safe".
 *
 * If the directory is removed while in use (its latest slot is then below one a process saw), a
 * process that had seen slots in it recreates it with a reset slot above the highest index it saw:
 *
 *   000000000000012.slot    {"kind":"reset"}                     history lost; nobody holds
 *
 * A reset slot counts as a term nobody can be seen to hold or release: it ends by lease expiry
 * only, so no process claims until a lease after it saw the reset, by when every holder of the
 * lost history has stopped trusting its lease (a holder also finds its own term slot gone at its
 * next renewal and steps down). Tokens go on above the reset slot.
 *
 * Earlier versions named slots `<n>.term` and `<n>.renew`; such files still count toward the
 * latest index (tokens continue above them) but are never created.
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
  readonly file: string;
}

export interface Scan {
  /** Highest slot index (0 when the name was never held). */
  readonly latest: number;
  /** Index (= token) of the latest term slot (0 when none). */
  readonly term: number;
  readonly slots: readonly Slot[];
  /** Beacon sockets (`<term>.beacon`), left behind by holders that died. */
  readonly beacons: readonly Slot[];
  /** The latest slot is a reset slot: the directory was recreated after it was removed in use. */
  readonly reset?: boolean;
}

/** What became of an attempt to renew. */
export type RenewResult = 'renewed' | 'taken' | 'gone';

// Lock directories this process has created or checked; a name acquired again skips the checks.
const ensuredDirs = new Set<string>();

const slotPattern = /^(\d{15})\.(slot|term|renew)$/;
const tempPattern = /^\.claim-.*\.tmp$/;
/** A term's beacon socket (see beacon.ts). */
const beaconPattern = /^(\d+)\.beacon$/;
const staleTempMs = 60_000;

export function slotName(index: number): string {
  return `${String(index).padStart(15, '0')}.slot`;
}

/** Test-only fault points: a test sets one to pause or interleave at that exact place. */
export const faultPoints: {
  /** In the holder, after it read the clock for a renewal and before it creates the slot. */
  beforeRenew?: (index: number) => void | Promise<void>;
  /** In a waiter that decided to take over, before it creates the slot. */
  beforeClaim?: (index: number) => void | Promise<void>;
  /**
   * In a claimer, after its slot is linked (and onLinked ran), before the fsync that makes it
   * durable. Synchronous, as the fsync is: a test stalls here as a slow disk would.
   */
  beforeDurable?: (index: number) => void;
} = {};

function errno(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | undefined)?.code;
}

export class LeaseFiles {
  private readonly _reported = new Set<string>();
  /**
   * Slot index -> the term it belongs to. A slot's content never changes once linked; a slot
   * whose index was used again (the directory removed and recreated, or a slot removed) is told
   * apart by its term slot missing from the directory, and read again.
   */
  private readonly _termOf = new Map<number, number>();
  /** Indexes of reset slots among those in _termOf. */
  private readonly _resets = new Set<number>();
  /** Slot index -> its file name, for the slots of the last scan (legacy names included). */
  private _files = new Map<number, string>();
  private _watched: { term: number; fd: number | undefined } | undefined;
  /** The latest slot as the last scan read it (a new term's record): readTerm right after reads it from here. */
  private _justRead: { index: number; text: string } | undefined;
  /**
   * The directory, held open across scans (not on Windows): one removed while open keeps its
   * inode with no links, which tells its removal, and a directory made again at the path, from
   * any change of its slots. Slot indexes in a directory made again mean other slots.
   */
  private _dirFd: number | undefined;
  private _generation = 0;

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
    // The parent too: whoever can write there could replace the name's directory.
    await ensureSecureDirectory(dirname(this.dir));
    await ensureSecureDirectory(this.dir);
    ensuredDirs.add(this.dir);
  }

  /** Forget that the directory was checked (it vanished): the next ensure() recreates it. */
  invalidate(): void {
    ensuredDirs.delete(this.dir);
  }

  /**
   * Counts the times the directory was found removed (or made again) since this object first
   * listed it: whoever reasons from what it saw in the directory compares it before and after.
   */
  get generation(): number {
    return this._generation;
  }

  scan(): Scan {
    this._justRead = undefined;
    // Opened before the listing, so that a removal before or during it is seen after it.
    if (this._dirFd === undefined && process.platform !== 'win32') this._dirFd = openDirectory(this.dir);
    let names: string[];
    try {
      names = readdirSync(this.dir);
    } catch (err) {
      if (errno(err) !== 'ENOENT') throw err;
      // Gone: whatever was known of its slots no longer holds, and the next ensure() makes it again.
      this.invalidate();
      this._lostDirectory();
      return { latest: 0, term: 0, slots: [], beacons: [] };
    }
    // Removed before or during the listing: the listing may be of a directory made again since.
    if (this._dirFd !== undefined && linkCount(this._dirFd) === 0) this._lostDirectory();
    let latest = 0;
    const slots: Slot[] = [];
    const beacons: Slot[] = [];
    const files = new Map<number, string>();
    for (const file of names) {
      const match = slotPattern.exec(file);
      if (!match) {
        const beacon = beaconPattern.exec(file);
        if (beacon) beacons.push({ index: Number(beacon[1]), file });
        else if (!tempPattern.test(file)) this._reportForeign(file);
        continue;
      }
      const index = Number(match[1]);
      if (!Number.isSafeInteger(index) || index <= 0 || files.has(index)) {
        this._reportForeign(file);
        continue;
      }
      files.set(index, file);
      slots.push({ index, file });
      if (index > latest) latest = index;
    }
    this._files = files;
    if (latest === 0) return { latest, term: 0, slots, beacons };
    let term = this._termAt(latest);
    // A renewal whose term slot is not there: the term slot is never pruned while its term lasts,
    // so the index may have been used again since it was read (see _termOf). Read it again.
    if (term !== latest && !files.has(term)) {
      this._termOf.delete(latest);
      term = this._termAt(latest);
    }
    return { latest, term, slots, beacons, reset: this._resets.has(term) };
  }

  /** The term slot `index` belongs to: its own index for a term or a reset, the renewed term for a renewal. */
  private _termAt(index: number): number {
    const known = this._termOf.get(index);
    if (known !== undefined) return known;
    let term = index;
    this._resets.delete(index);
    try {
      const text = readFileSync(join(this.dir, this._fileOf(index)), 'utf8');
      this._justRead = { index, text };
      const content = JSON.parse(text) as { kind?: unknown; term?: unknown };
      if (content.kind === 'renew' && Number.isSafeInteger(content.term) && (content.term as number) > 0 && (content.term as number) < index) {
        term = content.term as number;
      } else if (content.kind === 'reset') {
        this._resets.add(index);
      }
    } catch {
      // Empty, torn, foreign or gone: read as a term. Unlocked, it ends at the next poll.
    }
    if (this._termOf.size > 256) this._forgetSlots();
    this._termOf.set(index, term);
    return term;
  }

  /** The directory listed before is gone: forget what was read of its slots, and count a generation. */
  private _lostDirectory(): void {
    this._forgetSlots();
    if (this._dirFd === undefined) return;
    closeQuietly(this._dirFd);
    this._dirFd = undefined;
    this._generation += 1;
  }

  /** Drops what was read of slots (their terms, the watched term file): their indexes may be used again. */
  private _forgetSlots(): void {
    this._termOf.clear();
    this._resets.clear();
    this._justRead = undefined;
    this._files = new Map();
    this._closeWatched();
  }

  private _fileOf(index: number): string {
    return this._files.get(index) ?? slotName(index);
  }

  private _reportForeign(file: string): void {
    if (this._reported.has(file)) return;
    this._reported.add(file);
    this._logger.warn({ dir: this.dir, file }, 'ignoring a file that is not a lock slot');
  }

  /** The holder record of term `token`; undefined (and reported once) when missing or unreadable. */
  readTerm(token: number): TermRecord | undefined {
    const file = join(this.dir, this._fileOf(token));
    // A term seen for the first time: the scan just read its slot (slot files never change once linked).
    const read = this._justRead;
    this._justRead = undefined;
    let text: string;
    if (read?.index === token) text = read.text;
    else {
      try {
        text = readFileSync(file, 'utf8');
      } catch (err) {
        if (errno(err) !== 'ENOENT') this._logger.warn({ err, file }, 'could not read the term record');
        return undefined;
      }
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
        fd = openSync(join(this.dir, this._fileOf(term)), 'r+');
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
   * for the whole term, or undefined when another process created the slot first. `onLinked` runs
   * as soon as the slot is visible, before the wait for the directory's fsync.
   */
  async claim(index: number, record: TermRecord, onLinked?: () => void): Promise<number | undefined> {
    const fault = faultPoints.beforeClaim;
    if (fault) await fault(index);
    const fd = this._link(index, { kind: 'term', ...record }, true);
    if (typeof fd !== 'number') return undefined;
    this._termOf.set(index, index);
    this._resets.delete(index);
    onLinked?.();
    faultPoints.beforeDurable?.(index);
    // The token is the slot's name: persisting the directory entry is what makes it survive a
    // power loss. The record inside is display data, and a torn record is tolerated. Blocking:
    // every waiter of the name waits for this term to begin, and through the thread pool the
    // answer would queue behind whatever else this process has to do just then.
    if (this._durable) {
      try {
        syncDirectorySync(this.dir);
      } catch (err) {
        closeQuietly(fd);
        throw err;
      }
    }
    return fd;
  }

  /**
   * Tries to record a renewal of term `term` at slot `index`: 'taken' when another process
   * created that slot (or a later one) first, 'gone' when the directory or the term's own slot
   * is gone (removed in use: the term's history is lost, and a waiter that saw it starts afresh).
   */
  renew(index: number, term: number): RenewResult {
    const fd = this._link(index, { kind: 'renew', term }, false, term);
    if (typeof fd !== 'number') return fd;
    closeQuietly(fd);
    this._termOf.set(index, term);
    this._resets.delete(index);
    return 'renewed';
  }

  /**
   * Writes a reset slot at `index` in a directory that was recreated after it was removed in use
   * (see the top of this file). False when the slot exists or is not the latest: another process
   * wrote its reset, or a slot above it, first; its slots count the same.
   */
  reset(index: number): boolean {
    const fd = this._link(index, { kind: 'reset', at: new Date().toISOString() }, false);
    if (typeof fd !== 'number') return false;
    closeQuietly(fd);
    this._termOf.set(index, index);
    this._resets.add(index);
    return true;
  }

  /**
   * Creates slot `index` with `content`: a complete temp file (OS-locked first when `lock`),
   * linked into place under the index's only name. Returns the temp file's descriptor; 'taken'
   * when the slot exists or is not the latest; 'gone' when the directory is gone, or (with
   * `termSlot`) that slot is not in it.
   */
  private _link(index: number, content: object, lock: boolean, termSlot?: number): number | 'taken' | 'gone' {
    const generation = this._generation;
    const temp = join(this.dir, `.claim-${process.pid}-${randomBytes(6).toString('hex')}.tmp`);
    const target = join(this.dir, slotName(index));
    let fd: number;
    try {
      fd = openSync(temp, 'wx+', 0o600);
    } catch (err) {
      // The directory was removed: nothing can be created in it until it is made again.
      if (errno(err) === 'ENOENT') return 'gone';
      throw err;
    }
    let linked = false;
    try {
      writeFully(fd, JSON.stringify(content) + '\n');
      // Locked before it is visible, so no waiter can see the new term unlocked.
      if (lock && !tryLockFd(fd)) throw new Error(`fresh slot file ${temp} is already locked`);
      try {
        linkSync(temp, target);
        linked = true;
      } catch (err) {
        if (errno(err) === 'EEXIST') return 'taken';
        if (errno(err) === 'ENOENT') return 'gone';
        throw err;
      }
    } finally {
      unlinkQuietly(temp);
      if (!linked) closeQuietly(fd);
    }
    const result = this._checkLinked(index, target, termSlot, generation);
    if (result !== 'ok') {
      closeQuietly(fd);
      return result;
    }
    return fd;
  }

  /**
   * After creating slot `index`: it must be the latest. Slots below the latest are pruned, so a
   * process that was paused for long can recreate a pruned slot; then a higher slot exists, and
   * the slot it made is removed again and means nothing. If the directory was removed (and made
   * again) since the caller last looked, the slot was decided on what the old one showed: 'gone'.
   * A renewal also needs its term's slot (never pruned while the term lasts): without it the
   * directory lost its history (on Windows, where no generation is kept, this is what tells it),
   * and the renewal would extend a term nobody else can see.
   */
  private _checkLinked(index: number, file: string, termSlot: number | undefined, generation: number): 'ok' | 'taken' | 'gone' {
    const scan = this.scan();
    const lost = this._generation !== generation || (termSlot !== undefined && !scan.slots.some((slot) => slot.index === termSlot));
    const result = lost ? 'gone' : scan.latest !== index ? 'taken' : 'ok';
    if (result !== 'ok') unlinkQuietly(file);
    return result;
  }

  /**
   * Removes slots of older terms and old renewals of the current one; keeps the term slot and the
   * latest slots. Every slot above `term` is a renewal of it: the holder renews at the next index
   * only, so no other process created one in between. Only while the latest slot belongs to
   * `term`: a holder paused before it pruned may find another term there (taken over, or the
   * directory made again), whose slots are not its to judge.
   */
  prune(term: number, scan: Scan, sweepTemp = false): void {
    if (scan.term !== term) return;
    const keepFrom = scan.latest - 2;
    for (const slot of scan.slots) {
      const old = slot.index < term || (slot.index > term && slot.index < keepFrom);
      if (old) unlinkQuietly(join(this.dir, slot.file));
    }
    for (const beacon of scan.beacons) if (beacon.index < term) unlinkQuietly(join(this.dir, beacon.file));
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
    if (this._dirFd !== undefined) closeQuietly(this._dirFd);
    this._dirFd = undefined;
  }
}

function openDirectory(dir: string): number | undefined {
  try {
    return openSync(dir, 'r');
  } catch {
    // Not there yet (the listing says so too) or not readable (the listing fails with the reason).
    return undefined;
  }
}

function linkCount(fd: number): number {
  try {
    return fstatSync(fd).nlink;
  } catch {
    return 0;
  }
}

function writeFully(fd: number, text: string): void {
  const data = Buffer.from(text);
  for (let at = 0; at < data.length; ) at += writeSync(fd, data, at);
}

export function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // Closing releases the OS lock; an already-closed descriptor has nothing left to release.
  }
}

export function unlinkQuietly(file: string): void {
  try {
    unlinkSync(file);
  } catch {
    // Already gone.
  }
}
