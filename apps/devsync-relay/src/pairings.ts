import { createHash, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import { closeSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { BatonError, ensureSecureDirectory, tryLockFd, type Logger } from '@baton/base';
import { randomId } from '@baton/devsync-client';
import { PairedUsers } from './paired.js';
import { UnpairedRegistrations, type UnpairedLimits } from './registrations.js';

export { RegistrationLimitError, type UnpairedLimits } from './registrations.js';

/** No 0/O, 1/I/L: the token is read off a terminal and typed into a page. */
const tokenAlphabet = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function sameHash(a: string, b: string): boolean {
  return a.length === b.length && timingSafeEqual(Buffer.from(a, 'hex'), Buffer.from(b, 'hex'));
}

/** `ABCD-EFGH`: 8 characters of 31, about 40 bits, single use, expiring, and attempts per address are limited. */
function newPairingToken(): string {
  let token = '';
  for (let i = 0; i < 8; i++) token += tokenAlphabet[randomInt(tokenAlphabet.length)];
  return `${token.slice(0, 4)}-${token.slice(4)}`;
}

export function normalizePairingToken(token: string): string {
  return token.toUpperCase().replace(/[\s-]/g, '');
}

export interface Registration {
  userId: string;
  secret: string;
}

/**
 * Users, the hashes of their secrets, and pending pairing tokens, so that a relay restart keeps every pairing.
 * Paired users (a desktop with at least one browser) are kept by PairedUsers: a durable log of changes folded into a
 * snapshot, written when a browser pairs, O(1) a pairing. Desktops not yet paired are kept apart, bounded and
 * expiring, one appended line each (UnpairedRegistrations): registering costs O(1), and a flood of registrations
 * cannot fill what pairing and resuming need. Only SHA-256 hashes are stored: the secrets are 256-bit random, so a
 * slow hash would add nothing, and a leaked file lets nobody connect. One relay at a time uses a data directory: it
 * holds an OS lock on `relay.lock` there, which the kernel drops when the relay dies, however it dies.
 */
export class PairingStore {
  private constructor(
    private readonly _paired: PairedUsers,
    private readonly _unpaired: UnpairedRegistrations,
    private readonly _lockFd: number,
  ) {}

  /**
   * Opens both; `inUse(userId)` tells whether that user's desktop is connected now (a connected registration is
   * never the one dropped). Users of an earlier relay's store that have no browser are moved to the unpaired
   * registrations, within their limits. Throws EDATADIRBUSY when another relay uses `dir`.
   */
  static async open(dir: string, logger: Logger, limits: UnpairedLimits, inUse: (userId: string) => boolean): Promise<PairingStore> {
    await ensureSecureDirectory(dir);
    const lockFd = openSync(join(dir, 'relay.lock'), 'a+', 0o600);
    let paired: PairedUsers | undefined;
    try {
      if (!tryLockFd(lockFd)) {
        throw new BatonError('EDATADIRBUSY', `another devsync-relay is using the data directory ${dir}: stop it, or give this relay its own dataDir (DEVSYNC_DATA_DIR)`, { data: { path: dir } });
      }
      paired = await PairedUsers.open(dir, logger);
      const unpaired = UnpairedRegistrations.open(dir, limits, inUse, logger);
      const unpairedInStore = paired.entries().filter(([, user]) => user.browsers.length === 0);
      if (unpairedInStore.length > 0) {
        for (const [userId, user] of unpairedInStore.sort(([, a], [, b]) => a.createdAt - b.createdAt)) {
          try {
            unpaired.add({ userId, desktop: user.desktop, pairing: user.pairing, address: 'unknown', lastUsedAt: user.createdAt });
          } catch {
            // Over the limits: the oldest go, as they would have.
          }
        }
        await paired.removeAtOpen(unpairedInStore.map(([userId]) => userId));
        logger.info({ moved: unpairedInStore.length, kept: unpaired.size }, 'moved unpaired desktops out of the pairing store');
      }
      return new PairingStore(paired, unpaired, lockFd);
    } catch (err) {
      await paired?.close();
      closeSync(lockFd);
      throw err;
    }
  }

  /** Users with at least one paired browser. */
  get userCount(): number {
    return this._paired.size;
  }

  /** Desktops registered and not yet paired (bounded: pairing.maxUnpaired). */
  get unpairedCount(): number {
    return this._unpaired.size;
  }

  /**
   * A new user for a desktop that has no credentials yet, registered from `address`. Throws RegistrationLimitError
   * when the limits are reached and every registration in the way is connected.
   */
  registerDesktop(ttlMs: number, address: string): Registration & { pairingToken: string } {
    const userId = randomId();
    const secret = randomBytes(32).toString('base64url');
    const pairingToken = newPairingToken();
    const now = Date.now();
    this._unpaired.add({ userId, desktop: sha256(secret), pairing: { hash: sha256(normalizePairingToken(pairingToken)), expiresAt: now + ttlMs }, address, lastUsedAt: now });
    return { userId, secret, pairingToken };
  }

  verifyDesktop(userId: string, secret: string): boolean {
    const user = this._paired.get(userId) ?? this._unpaired.get(userId);
    return user !== undefined && sameHash(user.desktop, sha256(secret));
  }

  /** `userId`'s desktop connected: an unpaired registration's time to live starts again. */
  desktopConnected(userId: string): void {
    this._unpaired.used(userId, Date.now());
  }

  /** Drops unpaired registrations unused for their time to live; returns how many. */
  expireUnpaired(): number {
    return this._unpaired.expire(Date.now());
  }

  verifyBrowser(userId: string, secret: string): boolean {
    const user = this._paired.get(userId);
    if (!user) return false;
    const presented = sha256(secret);
    // Every entry is compared, so the time taken does not tell which one matched.
    return user.browsers.reduce((found, stored) => sameHash(stored, presented) || found, false);
  }

  /** A fresh token for a known desktop (replacing any earlier one). */
  async issuePairingToken(userId: string, ttlMs: number): Promise<string> {
    const pairingToken = newPairingToken();
    const pairing = { hash: sha256(normalizePairingToken(pairingToken)), expiresAt: Date.now() + ttlMs };
    if (this._unpaired.get(userId)) this._unpaired.setPairing(userId, pairing, Date.now());
    else if (this._paired.get(userId)) await this._paired.record({ kind: 'token', userId, pairing });
    return pairingToken;
  }

  /**
   * Spends a pairing token: the browser gets credentials of its own. Undefined when no user has this token or it
   * expired. (Expiry uses the wall clock: it must hold across a restart, which a monotonic clock does not.) The
   * token is taken in memory before the change is written, so that a second page presenting it meanwhile finds
   * nothing; it is put back if the write fails.
   */
  async redeem(token: string): Promise<Registration | undefined> {
    const presented = sha256(normalizePairingToken(token));
    const now = Date.now();
    const secret = randomBytes(32).toString('base64url');
    for (const record of this._unpaired.values()) {
      if (!record.pairing || record.pairing.expiresAt <= now || !sameHash(record.pairing.hash, presented)) continue;
      // The desktop's first browser: the user moves to the paired users, and its registration is spent.
      const pairing = record.pairing;
      record.pairing = undefined;
      try {
        await this._paired.record({ kind: 'paired', userId: record.userId, desktop: record.desktop, browser: sha256(secret), at: now });
      } catch (err) {
        record.pairing = pairing;
        throw err;
      }
      this._unpaired.remove(record.userId);
      return { userId: record.userId, secret };
    }
    const match = this._paired.entries().find(([, user]) => user.pairing && user.pairing.expiresAt > now && sameHash(user.pairing.hash, presented));
    if (!match) return undefined;
    const [userId] = match;
    const pairing = this._paired.takePairing(userId);
    try {
      await this._paired.record({ kind: 'browser', userId, browser: sha256(secret) });
    } catch (err) {
      this._paired.restorePairing(userId, pairing);
      throw err;
    }
    return { userId, secret };
  }

  async close(): Promise<void> {
    this._unpaired.close();
    await this._paired.close();
    closeSync(this._lockFd);
  }
}
