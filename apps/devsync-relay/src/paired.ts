import * as z from 'zod/mini';
import type { Logger } from '@baton/base';
import { openLog, openStore, type EventLog, type Store } from '@baton/state';

const hash = z.string().check(z.regex(/^[0-9a-f]{64}$/));
const pairingSchema = z.strictObject({ hash, expiresAt: z.number() });
const userSchema = z.strictObject({
  desktop: hash,
  /** One per paired browser (page origin + profile), newest last. */
  browsers: z.array(hash),
  pairing: z.optional(pairingSchema),
  createdAt: z.number(),
});
const pairingsSchema = z.strictObject({ users: z.record(z.string(), userSchema) });

/** A paired user as stored: hashes only. */
export type PairedUser = z.infer<typeof userSchema>;
/** A pending pairing token: its hash, and when it expires (wall clock). */
export type PendingPairing = z.infer<typeof pairingSchema>;
/** The snapshot's value. */
export type Pairings = z.infer<typeof pairingsSchema>;

/** One change to the paired users: one record of the log. */
export type PairingEvent =
  /** A desktop's first browser: the user is paired (it moves here from the unpaired registrations). */
  | { kind: 'paired'; userId: string; desktop: string; browser: string; at: number }
  /** Another browser of a paired user; the pairing token it spent is gone. */
  | { kind: 'browser'; userId: string; browser: string }
  /** A new pairing token for a paired user (replacing any earlier one). */
  | { kind: 'token'; userId: string; pairing: PendingPairing };

/** Browsers one user may have paired at once; pairing another drops the oldest. */
export const maxBrowsersPerUser = 20;
/** Largest snapshot file: about 300,000 paired users of one browser each. */
const maxSnapshotBytes = 64 << 20;
/** Log records past which the log is folded into the snapshot (or past the user count, when that is larger). */
const minRecordsBeforeCompaction = 1024;

/** Applies one event to `state` in place (also the fold of compaction). Events for unknown users change nothing. */
export function applyPairingEvent(state: Pairings, event: PairingEvent): Pairings {
  const user = Object.hasOwn(state.users, event.userId) ? state.users[event.userId] : undefined;
  if (event.kind === 'paired') {
    state.users[event.userId] = { desktop: event.desktop, browsers: [event.browser], createdAt: event.at };
  } else if (event.kind === 'browser' && user) {
    delete user.pairing;
    user.browsers = [...user.browsers, event.browser].slice(-maxBrowsersPerUser);
  } else if (event.kind === 'token' && user) {
    user.pairing = event.pairing;
  }
  return state;
}

function isPairingEvent(value: unknown): value is PairingEvent {
  const event = value as Partial<Record<string, unknown>> | null;
  return typeof event === 'object' && event !== null && typeof event.userId === 'string' && (event.kind === 'paired' || event.kind === 'browser' || event.kind === 'token');
}

/**
 * Paired users, durable across restarts and crashes, at O(1) a change: each pairing is one record appended to
 * `pairings.log` (length and CRC framed, fsync'd before the pairing is answered), and the records are folded into
 * the snapshot `pairings.state.json` once they outnumber the users (amortized O(1); @baton/state's compaction loses
 * and doubles nothing at any crash). Appends run one at a time, so the order in memory is the order in the file.
 */
export class PairedUsers {
  private _tail: Promise<unknown> = Promise.resolve();
  private _records = 0;
  private _count: number;
  private _compaction: Promise<void> | undefined;

  private constructor(
    private readonly _snapshot: Store<Pairings>,
    private readonly _log: EventLog<PairingEvent>,
    private readonly _state: Pairings,
    private readonly _logger: Logger,
  ) {
    this._count = Object.keys(_state.users).length;
  }

  /**
   * Opens the snapshot and the log in `dir`, folds the log into the snapshot, and keeps the users in memory.
   * A store of an earlier relay (the snapshot alone) opens as it is.
   */
  static async open(dir: string, logger: Logger): Promise<PairedUsers> {
    const snapshot = await openStore<Pairings>({ dir, name: 'pairings', initial: { users: {} }, schema: pairingsSchema, watch: false, maxBytes: maxSnapshotBytes, logger });
    let log: EventLog<PairingEvent> | undefined;
    try {
      log = await openLog<PairingEvent>({ dir, name: 'pairings', durable: true, watch: false, logger });
      const { folded } = await log.compact(PairedUsers._fold(logger), snapshot);
      if (folded > 0) logger.info({ folded }, 'folded the pairing log into its snapshot');
    } catch (err) {
      await log?.close();
      await snapshot.close();
      throw err;
    }
    return new PairedUsers(snapshot, log, structuredClone(snapshot.get()), logger);
  }

  /** The fold, skipping (and reporting) a record that is no event this relay knows. */
  private static _fold(logger: Logger): (state: Pairings, event: PairingEvent) => Pairings {
    return (state, event) => {
      if (isPairingEvent(event)) return applyPairingEvent(state, event);
      logger.warn({ record: JSON.stringify(event)?.slice(0, 200) }, 'skipped a pairing log record that is no known event');
      return state;
    };
  }

  get size(): number {
    return this._count;
  }

  get(userId: string): PairedUser | undefined {
    return Object.hasOwn(this._state.users, userId) ? this._state.users[userId] : undefined;
  }

  entries(): Array<[string, PairedUser]> {
    return Object.entries(this._state.users);
  }

  /**
   * Records `event` (durably), then applies it here. Rejects, leaving memory unchanged, when the append fails.
   */
  record(event: PairingEvent): Promise<void> {
    const appended = this._tail.then(async () => {
      await this._log.append(event);
      if (event.kind === 'paired' && !this.get(event.userId)) this._count++;
      applyPairingEvent(this._state, event);
      this._records++;
      if (this._records > Math.max(minRecordsBeforeCompaction, this.size) && !this._compaction) this._compaction = this._compact();
    });
    this._tail = appended.catch(() => undefined);
    return appended;
  }

  /**
   * Takes a paired user's pending token away in memory, before its spending is recorded, so that a second page
   * presenting it meanwhile finds nothing. Returns it, for restorePairing if the record fails.
   */
  takePairing(userId: string): PendingPairing | undefined {
    const user = this.get(userId);
    const pairing = user?.pairing;
    if (user) delete user.pairing;
    return pairing;
  }

  /** Puts back a token takePairing took whose spending could not be recorded, unless a newer one came since. */
  restorePairing(userId: string, pairing: PendingPairing | undefined): void {
    const user = this.get(userId);
    if (user) user.pairing ??= pairing;
  }

  /** Removes paired users (in the snapshot; only at open, before any change is recorded). */
  async removeAtOpen(userIds: readonly string[]): Promise<void> {
    const gone = new Set(userIds);
    await this._snapshot.update((current) => ({ users: Object.fromEntries(Object.entries(current.users).filter(([userId]) => !gone.has(userId))) }));
    for (const userId of gone) delete this._state.users[userId];
    this._count = Object.keys(this._state.users).length;
  }

  /** Folds the log into the snapshot. A failure is logged: the records stay in the log, and a later fold takes them. */
  private async _compact(): Promise<void> {
    try {
      const { folded } = await this._log.compact(PairedUsers._fold(this._logger), this._snapshot);
      this._records = Math.max(0, this._records - folded);
    } catch (err) {
      this._logger.warn({ err }, 'could not fold the pairing log into its snapshot; pairings stay in the log');
    } finally {
      this._compaction = undefined;
    }
  }

  async close(): Promise<void> {
    await this._tail;
    await this._compaction;
    await this._log.close();
    await this._snapshot.close();
  }
}
