import { createHash, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import * as z from 'zod/mini';
import type { Logger } from '@baton/base';
import { randomId } from '@baton/devsync-client';
import { openStore, type Store } from '@baton/state';

const hash = z.string().check(z.regex(/^[0-9a-f]{64}$/));
const userSchema = z.strictObject({
  desktop: hash,
  /** One per paired browser (page origin + profile), newest last. */
  browsers: z.array(hash),
  pairing: z.optional(z.strictObject({ hash, expiresAt: z.number() })),
  createdAt: z.number(),
});
const pairingsSchema = z.strictObject({ users: z.record(z.string(), userSchema) });
type Pairings = z.infer<typeof pairingsSchema>;

/** Browsers one user may have paired at once; pairing another drops the oldest. */
const maxBrowsersPerUser = 20;
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
 * Users, the hashes of their secrets, and pending pairing tokens, kept in a @baton/state store (atomic, durable
 * writes) so that a relay restart keeps every pairing. Only SHA-256 hashes are stored: the secrets are 256-bit
 * random, so a slow hash would add nothing, and a leaked file lets nobody connect.
 */
export class PairingStore {
  private constructor(private readonly _store: Store<Pairings>) {}

  static async open(dir: string, logger: Logger): Promise<PairingStore> {
    const store = await openStore<Pairings>({ dir, name: 'pairings', initial: { users: {} }, schema: pairingsSchema, watch: false, logger });
    return new PairingStore(store);
  }

  get userCount(): number {
    return Object.keys(this._store.get().users).length;
  }

  /** A new user for a desktop that has no credentials yet. */
  async registerDesktop(ttlMs: number): Promise<Registration & { pairingToken: string }> {
    const userId = randomId();
    const secret = randomBytes(32).toString('base64url');
    const pairingToken = newPairingToken();
    await this._store.update((current) => ({
      users: {
        ...current.users,
        [userId]: { desktop: sha256(secret), browsers: [], pairing: { hash: sha256(normalizePairingToken(pairingToken)), expiresAt: Date.now() + ttlMs }, createdAt: Date.now() },
      },
    }));
    return { userId, secret, pairingToken };
  }

  verifyDesktop(userId: string, secret: string): boolean {
    const user = Object.hasOwn(this._store.get().users, userId) ? this._store.get().users[userId] : undefined;
    return user !== undefined && sameHash(user.desktop, sha256(secret));
  }

  verifyBrowser(userId: string, secret: string): boolean {
    const user = Object.hasOwn(this._store.get().users, userId) ? this._store.get().users[userId] : undefined;
    if (!user) return false;
    const presented = sha256(secret);
    // Every entry is compared, so the time taken does not tell which one matched.
    return user.browsers.reduce((found, stored) => sameHash(stored, presented) || found, false);
  }

  /** A fresh token for a known desktop (replacing any earlier one). */
  async issuePairingToken(userId: string, ttlMs: number): Promise<string> {
    const pairingToken = newPairingToken();
    await this._store.update((current) => {
      const user = current.users[userId];
      if (!user) return current;
      return { users: { ...current.users, [userId]: { ...user, pairing: { hash: sha256(normalizePairingToken(pairingToken)), expiresAt: Date.now() + ttlMs } } } };
    });
    return pairingToken;
  }

  /**
   * Spends a pairing token: the browser gets credentials of its own. Undefined when no user has this token or it
   * expired. (Expiry uses the wall clock: it must hold across a restart, which a monotonic clock does not.)
   */
  async redeem(token: string): Promise<Registration | undefined> {
    const presented = sha256(normalizePairingToken(token));
    const now = Date.now();
    const match = Object.entries(this._store.get().users).find(([, user]) => user.pairing && user.pairing.expiresAt > now && sameHash(user.pairing.hash, presented));
    if (!match) return undefined;
    const [userId] = match;
    const secret = randomBytes(32).toString('base64url');
    let redeemed = false;
    await this._store.update((current) => {
      const user = current.users[userId];
      // Re-checked under the store's lock: two pages presenting the same token, only one wins.
      redeemed = Boolean(user?.pairing && user.pairing.expiresAt > now && sameHash(user.pairing.hash, presented));
      if (!user || !redeemed) return current;
      const { pairing: _spent, ...rest } = user;
      return { users: { ...current.users, [userId]: { ...rest, browsers: [...user.browsers, sha256(secret)].slice(-maxBrowsersPerUser) } } };
    });
    return redeemed ? { userId, secret } : undefined;
  }

  close(): Promise<void> {
    return this._store.close();
  }
}
