import { dirname } from 'node:path';
import WebSocket from 'ws';
import {
  BatonError,
  Disposable,
  Emitter,
  MutableDisposable,
  createBackoff,
  noopLogger,
  readFileIfExists,
  ensureSecureDirectory,
  systemClock,
  pathIdentity,
  watchDirectory,
  WatchedDirectoryGoneError,
  writeFileAtomic,
  type Backoff,
  type Clock,
  type FileVersion,
  type IDisposable,
  type Logger,
} from '@baton/base';
import {
  DEFAULT_MAX_CODE_BYTES,
  PROTOCOL_VERSION,
  RelayConnection,
  randomId,
  type ConnectionStatus,
  type Message,
  type MessageOf,
  type PayloadOf,
  type RelayError,
  type WebSocketConstructor,
} from '@baton/devsync-client';
import { EditDirectory, extensionFor, safeFileName } from './editFiles.js';
import { openInEditor } from './editor.js';

export interface DesktopAgentOptions {
  /** The relay's WebSocket URL (`ws://host:port/web-dev-sync/ws`). */
  url: string;
  /** Where this desktop's credentials for that relay are kept (0600). */
  credentialsFile: string;
  /** The directory fields are edited in (created 0700). */
  editDir: string;
  /** The editor command; the file's path is appended. */
  editor: string;
  /** Ask the relay for a new pairing token on connect (a first connect always gets one). */
  pair?: boolean;
  /** Quiet time after a save before it is sent (ms, default 40): editors write in more than one step. */
  debounceMs?: number;
  /** Files of ended sessions older than this are removed (ms, default one day). */
  maxFileAgeMs?: number;
  /**
   * Largest file sent back or field written (bytes). The relay names its own limit when the agent connects (its
   * `maxCodeBytes`, 512 KiB by default); the lower of the two applies.
   */
  maxFileBytes?: number;
  logger?: Logger;
  clock?: Clock;
  /** Default: the `ws` package. */
  WebSocket?: WebSocketConstructor;
}

export interface EditSession {
  readonly sessionId: string;
  readonly fieldId: string;
  readonly file: string;
  version: number;
}

/** A save that is kept for later, and why: said once per wait, not at every retry. */
export interface SaveWaiting {
  readonly sessionId: string;
  readonly fieldId: string;
  /** Why, in the user's words. */
  readonly reason: string;
}

export interface Conflict {
  sessionId: string;
  fieldId: string;
  /** The editor's file, left as the user saved it. */
  file: string;
  /** The page's text at the conflict, written next to it. */
  pageFile: string;
  version: number;
}

interface Session extends EditSession {
  readonly name: string;
  type: string;
  /** The text both sides agree was at `version`: a save that differs from it is sent. */
  synced: string;
  /**
   * The page's text, as far as this agent knows. The same as `synced` except after a conflict, where `synced` is the
   * editor's refused text (seen: not sent again on its own): a file that differs from it when the session ends holds
   * an edit the page does not have, and is kept.
   */
  pageText: string;
  /** Our save not yet acknowledged by the page: sent again (same id) until it is. */
  pending: PayloadOf<'code_update'> | undefined;
  lastAppliedUpdateId: string | undefined;
  retry: IDisposable | undefined;
  retryBackoff: Backoff;
  /** Since when the relay has not known this session (after a relay restart the page announces it again). */
  lostSince: number | undefined;
  /** Why the pending save waits, as last reported (onDidWait): said again only when the reason changes. */
  waitReason: string | undefined;
  /** Bumped before and after each write of the page's text into the file (see _writeOwn). */
  writeSeq: number;
  /** A read of the file raced one of those writes: look again once it is done. */
  recheck: boolean;
  /** The page's text this agent last wrote next to the editor's file in a conflict (its name and the text). */
  pageFile: { name: string; text: string } | undefined;
}

interface Credentials {
  relay: string;
  userId: string;
  secret: string;
}

/** How long a session the relay does not know is retried before it is given up (the page may come back). */
const lostSessionGraceMs = 60_000;

/** Test-only pauses, to force an interleaving a test names. */
export const agentFaultPoints: {
  /** Connected with new credentials, before they are written to the credentials file. */
  beforeCredentialsSaved?: () => void | Promise<void>;
} = {};

/**
 * The desktop side of WebDevSync: connects as its user's desktop, writes each requested field to a private file,
 * opens it in the user's editor and sends every save back; writes the page's changes into the file.
 */
export class DesktopAgent extends Disposable {
  private readonly _onDidChangeStatus = this._register(new Emitter<ConnectionStatus>());
  readonly onDidChangeStatus = this._onDidChangeStatus.event;
  private readonly _onDidIssuePairingToken = this._register(new Emitter<{ token: string; expiresInMs: number }>());
  /** The relay issued a pairing token: show it to the user, once. */
  readonly onDidIssuePairingToken = this._onDidIssuePairingToken.event;
  private readonly _onDidOpen = this._register(new Emitter<EditSession>());
  readonly onDidOpen = this._onDidOpen.event;
  private readonly _onDidSend = this._register(new Emitter<EditSession>());
  /** A save was sent to the page. */
  readonly onDidSend = this._onDidSend.event;
  private readonly _onDidConflict = this._register(new Emitter<Conflict>());
  readonly onDidConflict = this._onDidConflict.event;
  private readonly _onDidError = this._register(new Emitter<RelayError>());
  /** The relay refused something this agent does not handle by itself (those it handles are waits: onDidWait). */
  readonly onDidError = this._onDidError.event;
  private readonly _onDidWait = this._register(new Emitter<SaveWaiting>());
  /** A save waits: the relay is away, or the page (not connected, or not yet announced its field again). */
  readonly onDidWait = this._onDidWait.event;

  private readonly _logger: Logger;
  private readonly _clock: Clock;
  private readonly _sessions = new Map<string, Session>();
  private readonly _byName = new Map<string, Session>();
  private _connection!: RelayConnection;
  private _dir!: EditDirectory;
  private readonly _watch = this._register(new MutableDisposable());
  /** The edit directory the watch is on (inode and birth time: a new directory may get the old one's inode). */
  private _watched: string | undefined;
  /** How many times the watch was armed: a removal seen before the latest arming is dealt with already. */
  private _armed = 0;
  /** Looks at the directory one at a time: several signs of one removal come together. */
  private _directoryLook: Promise<void> = Promise.resolve();
  private _credentials: Credentials | undefined;
  private _wantPairing: boolean;
  private _closed: Promise<void> | undefined;

  private constructor(private readonly _options: DesktopAgentOptions) {
    super();
    this._logger = _options.logger ?? noopLogger;
    this._clock = _options.clock ?? systemClock;
    this._wantPairing = _options.pair ?? false;
  }

  /** Prepares the edit directory and credentials, then connects (and keeps reconnecting). */
  static async start(options: DesktopAgentOptions): Promise<DesktopAgent> {
    const agent = new DesktopAgent(options);
    agent._dir = await EditDirectory.open(options.editDir, options.maxFileBytes ?? DEFAULT_MAX_CODE_BYTES);
    const removed = await agent._dir.removeOlderThan(options.maxFileAgeMs ?? 86_400_000);
    if (removed > 0) agent._logger.info({ removed, dir: options.editDir }, 'removed old edit files');
    agent._credentials = await agent._loadCredentials();
    await agent._watchDirectory();
    agent._register(agent._dir.onDidRecreate(() => void agent._checkDirectory(true)));
    agent._register(agent._clock.setInterval(() => void agent._hourly(), 3_600_000, { unref: true }));
    agent._connection = agent._register(
      new RelayConnection({ url: options.url, hello: () => agent._hello(), WebSocket: options.WebSocket ?? (WebSocket as unknown as WebSocketConstructor), clock: agent._clock }),
    );
    agent._register(agent._connection.onDidChangeStatus((status) => agent._onDidChangeStatus.fire(status)));
    agent._register(agent._connection.onDidConnect((ack) => void agent._connected(ack)));
    agent._register(agent._connection.onDidReceive((message) => void agent._receive(message)));
    agent._register(agent._connection.onDidError((error) => agent._error(error)));
    agent._connection.open();
    return agent;
  }

  get status(): ConnectionStatus {
    return this._connection.status;
  }
  get userId(): string | undefined {
    return this._credentials?.userId;
  }
  get sessions(): EditSession[] {
    return [...this._sessions.values()].map(({ sessionId, fieldId, file, version }) => ({ sessionId, fieldId, file, version }));
  }

  /** Stops: the connection closes, and the files of open sessions are removed unless they hold unsent saves. */
  close(): Promise<void> {
    return (this._closed ??= (async () => {
      this._connection.close();
      super.dispose();
      for (const session of [...this._sessions.values()]) await this._end(session, 'agent stopped');
    })());
  }

  override dispose(): void {
    void this.close();
  }

  /** Watches the edit directory now at its path (at start, and again after it was removed and made anew). */
  private async _watchDirectory(): Promise<void> {
    const path = this._dir.path;
    this._watched = pathIdentity(path);
    this._armed++;
    this._watch.value = watchDirectory(
      path,
      {
        debounceMs: this._options.debounceMs ?? 40,
        filter: (name) => this._byName.has(name),
        onError: (err) => {
          // Removed (where the platform reports it): made anew and watched again at once.
          if (err instanceof WatchedDirectoryGoneError) return void this._checkDirectory(true);
          // Not armed again at once: a watch that keeps failing would loop. The hourly look arms it again.
          this._watched = undefined;
          this._logger.warn({ err, dir: path }, 'the watch on the edit directory failed; watching it again within the hour');
        },
      },
      (name) => {
        if (name === '') for (const session of this._sessions.values()) void this._fileChanged(session);
        else {
          const session = this._byName.get(name);
          if (session) void this._fileChanged(session);
        }
      },
    );
  }

  /**
   * Makes the edit directory anew if it was removed (a temp cleaner, while the agent ran for days) and watches the
   * one now at its path: a watch on a removed directory sees nothing, and saves there would never be sent.
   * `removed`: the watch or a write saw it go; otherwise (the hourly look) only a directory other than the watched
   * one is watched anew.
   */
  private _checkDirectory(removed = false): Promise<void> {
    const armed = this._armed;
    return (this._directoryLook = this._directoryLook.then(() => this._lookAtDirectory(removed && armed === this._armed)));
  }

  private async _lookAtDirectory(removed: boolean): Promise<void> {
    if (this._closed) return;
    const path = this._dir.path;
    try {
      await ensureSecureDirectory(path);
      if (this._closed || (!removed && pathIdentity(path) === this._watched)) return;
      this._logger.warn({ dir: path }, 'the edit directory was removed; made it anew and watching it again');
      await this._watchDirectory();
      // Saves made there before the new watch began.
      for (const session of this._sessions.values()) void this._fileChanged(session);
    } catch (err) {
      this._logger.error({ err, dir: path }, 'cannot make the edit directory anew; fields cannot be edited until it can be');
    }
  }

  private async _hourly(): Promise<void> {
    await this._checkDirectory();
    try {
      await this._dir.removeOlderThan(this._options.maxFileAgeMs ?? 86_400_000, new Set(this._byName.keys()));
    } catch (err) {
      this._logger.warn({ err, dir: this._dir.path }, 'could not remove old edit files');
    }
  }

  private async _loadCredentials(): Promise<Credentials | undefined> {
    const data = await readFileIfExists(this._options.credentialsFile);
    if (!data) return undefined;
    try {
      const parsed = JSON.parse(data.toString('utf8')) as Partial<Credentials>;
      if (parsed.relay === this._options.url && typeof parsed.userId === 'string' && typeof parsed.secret === 'string') {
        return { relay: parsed.relay, userId: parsed.userId, secret: parsed.secret };
      }
      this._logger.warn({ file: this._options.credentialsFile }, 'the credentials file is for another relay; registering anew');
    } catch (err) {
      this._logger.warn({ err, file: this._options.credentialsFile }, 'the credentials file is unreadable; registering anew (the file is replaced)');
    }
    return undefined;
  }

  private _hello(): MessageOf<'desktop_connect'> {
    const credentials = this._credentials;
    return {
      type: 'desktop_connect',
      payload: credentials
        ? { protocol: PROTOCOL_VERSION, userId: credentials.userId, secret: credentials.secret, ...(this._wantPairing ? { pair: true } : {}) }
        : { protocol: PROTOCOL_VERSION },
    };
  }

  private async _connected(ack: MessageOf<'connection_ack'>): Promise<void> {
    this._wantPairing = false;
    // The relay refuses a larger update: such a save is not sent (and said so in the log) rather than refused.
    this._dir.maxBytes = Math.min(this._options.maxFileBytes ?? Number.MAX_SAFE_INTEGER, ack.payload.maxCodeBytes);
    // The saves that found no connection go out first, before anything here waits: a save made after the connection
    // came up was sent by its own path, and a resend after the credentials' durable write would send it twice.
    for (const session of this._sessions.values()) if (session.pending) this._sendPending(session);
    if (ack.payload.pairingToken) this._onDidIssuePairingToken.fire({ token: ack.payload.pairingToken, expiresInMs: ack.payload.pairingExpiresInMs ?? 0 });
    if (ack.payload.secret && ack.userId) {
      this._credentials = { relay: this._options.url, userId: ack.userId, secret: ack.payload.secret };
      try {
        await agentFaultPoints.beforeCredentialsSaved?.();
        await ensureSecureDirectory(dirname(this._options.credentialsFile));
        await writeFileAtomic(this._options.credentialsFile, JSON.stringify(this._credentials), { mode: 0o600 });
      } catch (err) {
        this._logger.error({ err, file: this._options.credentialsFile }, 'cannot save the credentials; this desktop will register anew next time');
      }
    }
  }

  private async _receive(message: Message): Promise<void> {
    try {
      const session = message.sessionId ? this._sessions.get(message.sessionId) : undefined;
      switch (message.type) {
        case 'edit_request':
          return await this._editRequest(message.sessionId!, message.payload, session);
        case 'code_update':
          if (session) await this._pageChanged(session, message.payload);
          return;
        case 'code_ack':
          if (session) await this._acknowledged(session, message.payload);
          return;
        case 'session_end':
          if (session) await this._end(session, message.payload.reason);
          return;
      }
    } catch (err) {
      this._logger.error({ err, type: message.type, sessionId: message.sessionId }, 'failed to handle a message');
    }
  }

  private async _editRequest(sessionId: string, request: PayloadOf<'edit_request'>, existing: Session | undefined): Promise<void> {
    let session = existing;
    if (!session) {
      const name = safeFileName(request.fieldId, request.type);
      let file: string;
      try {
        file = await this._dir.write(name, request.code);
      } catch (err) {
        this._logger.error({ err, fieldId: request.fieldId }, 'cannot write the field to a file');
        this._connection.send('session_end', { reason: 'desktop_gone' }, sessionId);
        return;
      }
      session = {
        sessionId,
        fieldId: request.fieldId,
        name,
        file,
        type: request.type,
        version: request.version,
        synced: request.code,
        pageText: request.code,
        pending: undefined,
        lastAppliedUpdateId: undefined,
        retry: undefined,
        retryBackoff: createBackoff({ initialMs: 200, maxMs: 5000, jitter: 0.5 }),
        lostSince: undefined,
        waitReason: undefined,
        writeSeq: 0,
        recheck: false,
        pageFile: undefined,
      };
      this._sessions.set(sessionId, session);
      this._byName.set(name, session);
      this._logger.info({ fieldId: request.fieldId, file, language: request.type, extension: extensionFor(request.type) }, 'editing a field');
    } else if (request.version > session.version && !session.pending) {
      // The page opened it again with newer text: take it if the file holds nothing the page lacks (no save since,
      // no text a conflict refused; a save that comes in the meantime is kept, and sent).
      const pageHad = session.pageText;
      session.pageText = request.code;
      const found = await this._dir.readVersion(session.name);
      if (found !== undefined && found.text === pageHad && (await this._writeOwn(session, request.code, found.version))) {
        session.synced = request.code;
        session.version = request.version;
      }
    }
    try {
      await openInEditor(this._options.editor, session.file);
    } catch (err) {
      this._logger.error({ err, file: session.file }, 'cannot open the editor; the file is ready to open by hand');
    }
    this._onDidOpen.fire(this._public(session));
  }

  /**
   * Writes the page's text into the session's file; with `ifUnchanged`, only over the file read then, and false
   * when the editor saved since (its save stays). A save-detecting read that overlaps the write may see the old
   * text and compare it with the new state: such a read is dropped and done again afterwards (see _fileChanged),
   * after the caller has recorded the new text.
   */
  private async _writeOwn(session: Session, text: string, ifUnchanged?: FileVersion): Promise<boolean> {
    session.writeSeq++;
    try {
      await this._dir.write(session.name, text, ifUnchanged);
      return true;
    } catch (err) {
      if (err instanceof BatonError && err.code === 'ECHANGED') return false;
      throw err;
    } finally {
      session.writeSeq++;
      if (session.recheck) {
        session.recheck = false;
        // After the caller's continuation (a microtask) has set `synced` and `version`.
        setImmediate(() => void this._fileChanged(session));
      }
    }
  }

  private async _fileChanged(session: Session): Promise<void> {
    if (!this._sessions.has(session.sessionId)) return;
    const seq = session.writeSeq;
    let text: string | undefined;
    try {
      text = await this._dir.read(session.name, (bytes) =>
        this._logger.warn({ fieldId: session.fieldId, file: session.file, bytes, maxBytes: this._dir.maxBytes }, 'a save over the size limit is not sent'),
      );
    } catch (err) {
      // Called from the watch and timers: an error here must not end the agent. The next save looks again.
      this._logger.error({ err, fieldId: session.fieldId, file: session.file }, 'cannot read the edit file');
      return;
    }
    if (seq !== session.writeSeq || seq % 2 === 1) {
      // The page's text was being written meanwhile: this read may be of the old file.
      if (session.writeSeq % 2 === 1) session.recheck = true;
      else setImmediate(() => void this._fileChanged(session));
      return;
    }
    // A field's file gone: the directory may have gone with it (the only sign of that some platforms' watches give).
    if (text === undefined) void this._checkDirectory();
    if (text === undefined || text === session.synced || text === session.pending?.code) return;
    const update: PayloadOf<'code_update'> = { code: text, baseVersion: session.version, version: session.version + 1, updateId: randomId() };
    if (session.pending) {
      // A second save before the first was acknowledged: the newer text replaces it, on the same base.
      update.baseVersion = session.pending.baseVersion;
      update.version = session.pending.version;
    }
    session.pending = update;
    session.retryBackoff.reset();
    this._sendPending(session);
  }

  private _sendPending(session: Session): void {
    if (!session.pending) return;
    session.retry?.dispose();
    session.retry = undefined;
    if (this._connection.send('code_update', session.pending, session.sessionId)) this._onDidSend.fire(this._public(session));
    else this._waiting(session, 'the relay is not connected; it is sent when the relay is back');
  }

  /** Saves not yet acknowledged by the page. */
  get waitingSaves(): number {
    let count = 0;
    for (const session of this._sessions.values()) if (session.pending) count++;
    return count;
  }

  private _waiting(session: Session, reason: string): void {
    if (session.waitReason === reason) return;
    session.waitReason = reason;
    this._logger.info({ fieldId: session.fieldId, reason }, 'a save waits');
    this._onDidWait.fire({ sessionId: session.sessionId, fieldId: session.fieldId, reason });
  }

  private _retryLater(session: Session): void {
    session.retry?.dispose();
    session.retry = this._clock.setTimeout(() => {
      session.retry = undefined;
      this._sendPending(session);
    }, session.retryBackoff.next());
  }

  private async _pageChanged(session: Session, update: PayloadOf<'code_update'>): Promise<void> {
    if (update.updateId === session.lastAppliedUpdateId) {
      this._connection.send('code_ack', { updateId: update.updateId, status: 'applied', version: session.version }, session.sessionId);
      return;
    }
    for (;;) {
      // Our own save is in flight, based on an older version: the page answers it with a conflict, which says
      // what to do; taking the page's text now would overwrite that save in the editor.
      if (session.pending) return;
      const found = await this._dir.readVersion(session.name);
      const onDisk = found?.text;
      if (onDisk !== undefined && onDisk !== session.pageText) {
        // The file holds text the page does not have: a save not yet sent (the debounce), or the text the page
        // refused in a conflict that no save has settled yet. Both changed; the editor's text stays in its file.
        const pageFile = await this._keepPageText(session, update.code, update.version);
        session.version = update.version;
        session.synced = onDisk;
        session.pageText = update.code;
        this._connection.send('code_ack', { updateId: update.updateId, status: 'conflict', version: update.version, code: onDisk }, session.sessionId);
        this._conflict(session, pageFile);
        return;
      }
      // Written only over the file just read: a save that came in between is not overwritten, and is looked at again.
      if (await this._writeOwn(session, update.code, found?.version)) break;
    }
    session.synced = update.code;
    session.pageText = update.code;
    session.version = update.version;
    session.lastAppliedUpdateId = update.updateId;
    this._connection.send('code_ack', { updateId: update.updateId, status: 'applied', version: session.version }, session.sessionId);
  }

  private async _acknowledged(session: Session, ack: PayloadOf<'code_ack'>): Promise<void> {
    if (!session.pending || session.pending.updateId !== ack.updateId) return;
    const sent = session.pending;
    session.pending = undefined;
    session.lostSince = undefined;
    session.waitReason = undefined;
    if (ack.status === 'applied') {
      session.version = ack.version;
      session.synced = sent.code;
      session.pageText = sent.code;
      // A save that came while this one was in flight is sent now, on the new version.
      void this._fileChanged(session);
      return;
    }
    // Settled before anything is awaited: a change event that comes meanwhile (late, for the save the page
    // just refused) finds that text seen and sends nothing, and a new save goes out on the page's version.
    session.version = ack.version;
    session.synced = sent.code;
    session.pageText = ack.code ?? '';
    const pageFile = await this._keepPageText(session, ack.code ?? '', ack.version);
    // What is on disk now counts as seen: the next save (made knowing of the conflict) replaces the page's text.
    session.synced = (await this._dir.read(session.name)) ?? sent.code;
    this._conflict(session, pageFile);
  }

  /**
   * Writes the page's text next to the editor's file. The page's earlier text written there goes, unless the user
   * changed that file: a page that keeps changing the field during a conflict would leave one file per change.
   */
  private async _keepPageText(session: Session, text: string, version: number): Promise<string> {
    const name = session.name.replace(/\.([a-z0-9]+)$/, `.page-v${version}.$1`);
    const path = await this._dir.write(name, text);
    const earlier = session.pageFile;
    session.pageFile = { name, text };
    if (earlier && earlier.name !== name) {
      try {
        const found = await this._dir.readVersion(earlier.name);
        if (found?.text === earlier.text) this._dir.removeIfUnchanged(earlier.name, found.version);
      } catch (err) {
        this._logger.warn({ err, file: earlier.name }, 'could not look at the page text of an earlier conflict; it is kept');
      }
    }
    return path;
  }

  private _conflict(session: Session, pageFile: string): void {
    this._logger.warn(
      { fieldId: session.fieldId, file: session.file, pageFile, version: session.version },
      'conflict: the page changed this field while it was being edited here; the editor keeps its text, the page its own (in pageFile); save again to send the editor\'s text',
    );
    this._onDidConflict.fire({ sessionId: session.sessionId, fieldId: session.fieldId, file: session.file, pageFile, version: session.version });
  }

  private _error(error: RelayError): void {
    const session = error.sessionId ? this._sessions.get(error.sessionId) : undefined;
    const handled = session !== undefined && (error.code === 'NO_BROWSER' || error.code === 'RATE_LIMITED' || error.code === 'SESSION_NOT_FOUND');
    if (!handled) this._onDidError.fire(error);
    if (!session) {
      this._logger.warn({ code: error.code, message: error.message }, 'the relay refused a message');
      return;
    }
    if (error.code === 'NO_BROWSER' || error.code === 'RATE_LIMITED' || error.code === 'SESSION_NOT_FOUND') {
      // SESSION_NOT_FOUND right after a relay restart means the page has not announced it yet.
      const now = this._clock.now();
      session.lostSince ??= now;
      if (error.code === 'SESSION_NOT_FOUND' && now - session.lostSince > lostSessionGraceMs) {
        this._onDidError.fire(error);
        void this._end(session, 'the relay no longer knows this session');
        return;
      }
      this._waiting(
        session,
        error.code === 'NO_BROWSER'
          ? 'the page is not connected to the relay; it is sent when the page is back'
          : error.code === 'RATE_LIMITED'
            ? 'the relay asked to slow down; sent again shortly'
            : 'the relay does not know this field yet (after a relay restart the page tells it again when it reconnects); sent again shortly',
      );
      this._retryLater(session);
      return;
    }
    this._logger.warn({ code: error.code, message: error.message, fieldId: session.fieldId }, 'the relay refused a message of this session');
  }

  private async _end(session: Session, reason: string): Promise<void> {
    this._sessions.delete(session.sessionId);
    this._byName.delete(session.name);
    session.retry?.dispose();
    let tooLarge = false;
    let found: Awaited<ReturnType<EditDirectory['readVersion']>>;
    try {
      found = await this._dir.readVersion(session.name, () => (tooLarge = true));
    } catch (err) {
      this._logger.warn({ err, fieldId: session.fieldId, file: session.file, reason }, 'editing ended; the file could not be read, so it is kept');
      return;
    }
    // Removed only while it is still the file just read: a save that lands in between keeps it too. A conflict not
    // settled by a later save leaves the editor's refused text in the file: kept as well.
    const unsent = session.pending !== undefined || tooLarge || (found !== undefined && found.text !== session.pageText);
    if (unsent || (found !== undefined && !this._dir.removeIfUnchanged(session.name, found.version))) {
      this._logger.warn({ fieldId: session.fieldId, file: session.file, reason }, 'editing ended with a save the page did not get; the file is kept');
      return;
    }
    this._logger.info({ fieldId: session.fieldId, reason }, 'editing ended');
  }

  private _public(session: Session): EditSession {
    return { sessionId: session.sessionId, fieldId: session.fieldId, file: session.file, version: session.version };
  }
}
