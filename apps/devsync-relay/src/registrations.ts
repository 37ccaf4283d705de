import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '@baton/base';

/** A desktop that registered and has no paired browser yet. */
export interface UnpairedRecord {
  readonly userId: string;
  /** SHA-256 of the desktop's secret. */
  readonly desktop: string;
  /** The pending pairing token's hash, and when it expires (wall clock). */
  pairing: { hash: string; expiresAt: number } | undefined;
  readonly address: string;
  /** Wall-clock time of the registration, its last connection or token. */
  lastUsedAt: number;
}

/** Limits of the unpaired registrations. */
export interface UnpairedLimits {
  /** All unpaired registrations kept; past it, the oldest not connected is dropped. */
  max: number;
  /** The same, per remote address. */
  maxPerAddress: number;
  /** An unpaired registration not connected for this long is dropped. */
  ttlMs: number;
}

/** No unpaired registration could be dropped to make room: every one is connected. */
export class RegistrationLimitError extends Error {
  override name = 'RegistrationLimitError';
}

type Line =
  | { add: string; desktop: string; pairing: { hash: string; expiresAt: number } | null; address: string; at: number }
  | { token: string; pairing: { hash: string; expiresAt: number } }
  | { use: string; at: number }
  | { drop: string };

/**
 * Registrations of desktops not yet paired, bounded by design: at most `max` in all and `maxPerAddress` per remote
 * address, the oldest not connected going first, and dropped after `ttlMs` unused. Each change is one line appended
 * to `registrations.ndjson` (O(1), where the pairing store rewrites its whole file); the file is rewritten only when
 * dropped lines outnumber live ones (amortized O(1)), and at open. A line cut off by a crash is skipped; the
 * registration it held is lost, and its desktop is refused and registers again.
 */
export class UnpairedRegistrations {
  /** In registration order: the first not connected is the oldest unused. */
  private readonly _records = new Map<string, UnpairedRecord>();
  private readonly _byAddress = new Map<string, Set<string>>();
  private _fd: number;
  private _lines = 0;

  private constructor(
    private readonly _file: string,
    private readonly _limits: UnpairedLimits,
    private readonly _inUse: (userId: string) => boolean,
    private readonly _logger: Logger,
  ) {
    this._fd = -1;
  }

  static open(dir: string, limits: UnpairedLimits, inUse: (userId: string) => boolean, logger: Logger): UnpairedRegistrations {
    const registrations = new UnpairedRegistrations(join(dir, 'registrations.ndjson'), limits, inUse, logger);
    registrations._load();
    return registrations;
  }

  get size(): number {
    return this._records.size;
  }

  get(userId: string): UnpairedRecord | undefined {
    return this._records.get(userId);
  }

  values(): IterableIterator<UnpairedRecord> {
    return this._records.values();
  }

  /** Adds a registration, first dropping the oldest unused ones over the limits; throws RegistrationLimitError when none can go. */
  add(record: UnpairedRecord): void {
    const fromAddress = this._byAddress.get(record.address);
    if (fromAddress && fromAddress.size >= this._limits.maxPerAddress && !this._dropOldestUnused(fromAddress)) {
      throw new RegistrationLimitError(`${fromAddress.size} desktops from ${record.address} are waiting to be paired, each connected (pairing.maxUnpairedPerAddress ${this._limits.maxPerAddress})`);
    }
    if (this._records.size >= this._limits.max && !this._dropOldestUnused(this._records.keys())) {
      throw new RegistrationLimitError(`${this._records.size} desktops are waiting to be paired, each connected (pairing.maxUnpaired ${this._limits.max})`);
    }
    this._put(record);
    this._append({ add: record.userId, desktop: record.desktop, pairing: record.pairing ?? null, address: record.address, at: record.lastUsedAt });
  }

  /** A new pairing token for a registration. */
  setPairing(userId: string, pairing: { hash: string; expiresAt: number }, now: number): void {
    const record = this._records.get(userId);
    if (!record) return;
    record.pairing = pairing;
    record.lastUsedAt = now;
    this._append({ token: userId, pairing });
  }

  /** Its desktop connected: the registration counts as used from now. */
  used(userId: string, now: number): void {
    const record = this._records.get(userId);
    if (!record) return;
    record.lastUsedAt = now;
    this._append({ use: userId, at: now });
  }

  /** Removes a registration (paired, or dropped). */
  remove(userId: string): void {
    if (!this._delete(userId)) return;
    this._append({ drop: userId });
  }

  /** Drops the registrations unused for the TTL, their desktop not connected. Returns how many. */
  expire(now: number): number {
    let dropped = 0;
    for (const record of [...this._records.values()]) {
      if (now - record.lastUsedAt <= this._limits.ttlMs || this._inUse(record.userId)) continue;
      this._delete(record.userId);
      this._append({ drop: record.userId });
      dropped++;
    }
    return dropped;
  }

  close(): void {
    if (this._fd >= 0) closeSync(this._fd);
    this._fd = -1;
  }

  private _dropOldestUnused(userIds: Iterable<string>): boolean {
    for (const userId of userIds) {
      if (this._inUse(userId)) continue;
      this._logger.info({ userId, address: this._records.get(userId)?.address }, 'dropped the oldest unused unpaired registration to make room');
      this._delete(userId);
      this._append({ drop: userId });
      return true;
    }
    return false;
  }

  private _put(record: UnpairedRecord): void {
    this._records.set(record.userId, record);
    let set = this._byAddress.get(record.address);
    if (!set) this._byAddress.set(record.address, (set = new Set()));
    set.add(record.userId);
  }

  private _delete(userId: string): boolean {
    const record = this._records.get(userId);
    if (!record) return false;
    this._records.delete(userId);
    const set = this._byAddress.get(record.address);
    set?.delete(userId);
    if (set?.size === 0) this._byAddress.delete(record.address);
    return true;
  }

  /** Appends a change already made in memory; rewrites the file when dropped lines outnumber live ones. */
  private _append(line: Line): void {
    writeSync(this._fd, `${JSON.stringify(line)}\n`);
    this._lines++;
    if (this._lines > 2 * this._records.size + 256) this._rewrite();
  }

  private _load(): void {
    let text = '';
    try {
      text = readFileSync(this._file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    let skipped = 0;
    text.split('\n').forEach((raw, index) => {
      if (raw.trim() === '') return;
      let line: Line;
      try {
        line = JSON.parse(raw) as Line;
      } catch {
        skipped++;
        if (skipped <= 3) this._logger.warn({ file: this._file, line: index + 1 }, 'skipped an unreadable line of the unpaired registrations (cut off by a crash?)');
        return;
      }
      if ('add' in line && typeof line.add === 'string') {
        this._put({ userId: line.add, desktop: line.desktop, pairing: line.pairing ?? undefined, address: line.address, lastUsedAt: line.at });
      } else if ('token' in line) {
        const record = this._records.get(line.token);
        if (record) record.pairing = line.pairing;
      } else if ('use' in line) {
        const record = this._records.get(line.use);
        if (record) record.lastUsedAt = line.at;
      } else if ('drop' in line) this._delete(line.drop);
    });
    // Over the limits (lowered since), or expired while the relay was down: nothing is connected yet.
    const now = Date.now();
    for (const record of [...this._records.values()]) if (now - record.lastUsedAt > this._limits.ttlMs) this._delete(record.userId);
    for (const set of this._byAddress.values()) while (set.size > this._limits.maxPerAddress) this._delete(set.values().next().value!);
    while (this._records.size > this._limits.max) this._delete(this._records.keys().next().value!);
    this._rewrite();
  }

  /** Writes the live records to a new file and renames it over the old one (durable), then appends to it. */
  private _rewrite(): void {
    if (this._fd >= 0) closeSync(this._fd);
    const temp = `${this._file}.tmp`;
    const fd = openSync(temp, 'w', 0o600);
    try {
      let text = '';
      for (const r of this._records.values()) {
        text += `${JSON.stringify({ add: r.userId, desktop: r.desktop, pairing: r.pairing ?? null, address: r.address, at: r.lastUsedAt } satisfies Line)}\n`;
      }
      writeSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, this._file);
    this._fd = openSync(this._file, 'a', 0o600);
    this._lines = this._records.size;
  }
}
