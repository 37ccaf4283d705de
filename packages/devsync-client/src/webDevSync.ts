import { Disposable, Emitter, systemClock, type Clock, type IDisposable } from '@baton/base/portable';
import { RelayConnection, type ConnectionStatus, type ReconnectOptions, type RelayError, type WebSocketConstructor } from './connection.js';
import { PROTOCOL_VERSION, WS_PATH, randomId, type BrowserSession, type Message, type MessageOf, type PayloadOf } from './protocol.js';

/** Where pairing credentials are kept between page loads (localStorage by default). */
export interface CredentialStorage {
  /** The value stored under `key`, or null. */
  getItem(key: string): string | null;
  /** Stores `value` under `key`. */
  setItem(key: string, value: string): void;
  /** Removes the value stored under `key`. */
  removeItem(key: string): void;
}

/** Options of `createWebDevSync`. */
export interface WebDevSyncOptions {
  /** The relay's WebSocket URL (default: `ws[s]://<this page's host>/web-dev-sync/ws`). */
  url?: string;
  /** Keeps the credentials a pairing returns (default `localStorage`; `null`: keep them in memory only). */
  storage?: CredentialStorage | null;
  /** Calls to `editCodeSnippet` for one field within this many ms send one request, and typing in an open field
   * is sent after this pause (default 100). */
  debounceMs?: number;
  reconnect?: ReconnectOptions;
  /** Default: the browser's WebSocket. */
  WebSocket?: WebSocketConstructor;
  clock?: Clock;
}

/** Where the page's connection to the relay stands. */
export type WebDevSyncStatus = 'disconnected' | 'connecting' | 'connected' | 'reconnecting';

/** A field's new code, from the desktop. */
export interface CodeUpdate {
  sessionId: string;
  fieldId: string;
  code: string;
  version: number;
}

/**
 * The page's text and the editor's text of one field diverged: both edits were based on the same version.
 * The page keeps `pageCode` (it is the field's owner and orders its versions); `editorCode` is what the editor
 * saved, still in the editor's file; saving again in the editor replaces the page's text deliberately.
 */
export interface CodeConflict {
  sessionId: string;
  fieldId: string;
  pageCode: string;
  editorCode: string;
  version: number;
}

/** A session that ended, and why. */
export interface SessionEnd {
  sessionId: string;
  fieldId: string;
  reason: PayloadOf<'session_end'>['reason'];
}

type Field = HTMLTextAreaElement | HTMLInputElement;

interface FieldSession {
  readonly sessionId: string;
  readonly fieldId: string;
  type: string;
  /** The field's current version; the page orders versions, so its own edits always take the next one. */
  version: number;
  /** The text at `version`. */
  code: string;
  /** Our last update not yet acknowledged by the desktop: sent again, same id, after a reconnect. */
  unacked?: PayloadOf<'code_update'>;
  lastAppliedUpdateId?: string;
  /** Typing not yet sent (the debounce is pending). */
  typingTimer?: IDisposable;
  element?: Field;
  detach?: () => void;
}

const storageKeyPrefix = 'baton.webdevsync:';

function defaultUrl(): string {
  const location = (globalThis as { location?: { protocol: string; host: string } }).location;
  if (!location) throw new Error('WebDevSync needs a url outside a page');
  return `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}${WS_PATH}`;
}

/**
 * The browser side of WebDevSync: pairs the page with the user's desktop agent through the relay, opens code
 * fields in the user's editor and writes every save back into the field (firing `input`, so frameworks notice).
 */
export class WebDevSync extends Disposable {
  private readonly _onDidChangeStatus = this._register(new Emitter<WebDevSyncStatus>());
  private readonly _onDidUpdateCode = this._register(new Emitter<CodeUpdate>());
  private readonly _onDidConflict = this._register(new Emitter<CodeConflict>());
  private readonly _onDidEndSession = this._register(new Emitter<SessionEnd>());
  private readonly _onDidError = this._register(new Emitter<RelayError>());
  private readonly _onDidChangeDesktop = this._register(new Emitter<boolean>());
  /** The user's desktop agent connected to the relay (true) or went away (false), as the relay says. */
  readonly onDesktopStatus = this._onDidChangeDesktop.event;
  private _desktopConnected: boolean | undefined;
  readonly onConflict = this._onDidConflict.event;
  readonly onSessionEnd = this._onDidEndSession.event;
  readonly onError = this._onDidError.event;

  private readonly _url: string;
  private readonly _storage: CredentialStorage | null;
  private readonly _debounceMs: number;
  private readonly _clock: Clock;
  private readonly _connection: RelayConnection;
  private readonly _sessions = new Map<string, FieldSession>();
  private readonly _byField = new Map<string, FieldSession>();
  private readonly _pendingRequests = new Map<string, { code: string; type: string; timer: IDisposable; waiters: Array<{ resolve: (id: string) => void; reject: (err: Error) => void }> }>();
  private _memoryCredentials: { userId: string; secret: string } | undefined;
  private _pairingToken: string | undefined;
  private _userId: string | undefined;
  private _applying = false;

  constructor(options: WebDevSyncOptions = {}) {
    super();
    this._url = options.url ?? defaultUrl();
    this._storage = options.storage === undefined ? ((globalThis as { localStorage?: CredentialStorage }).localStorage ?? null) : options.storage;
    this._debounceMs = options.debounceMs ?? 100;
    this._clock = options.clock ?? systemClock;
    this._connection = this._register(
      new RelayConnection({
        url: this._url,
        hello: () => this._hello(),
        ...(options.WebSocket ? { WebSocket: options.WebSocket } : {}),
        ...(options.reconnect ? { reconnect: options.reconnect } : {}),
        clock: this._clock,
      }),
    );
    this._register(this._connection.onDidChangeStatus(() => this._onDidChangeStatus.fire(this.status)));
    this._register(this._connection.onDidConnect((ack) => this._connected(ack)));
    this._register(this._connection.onDidReceive((message) => this._receive(message)));
    this._register(this._connection.onDidError((error) => this._error(error)));
    this._register({ dispose: () => this._endAll() });
  }

  get status(): WebDevSyncStatus {
    const status: ConnectionStatus = this._connection.status;
    return status === 'idle' || status === 'closed' ? 'disconnected' : status;
  }
  /** The user this page is paired with, once connected. */
  get userId(): string | undefined {
    return this._userId;
  }
  /** Whether this page holds credentials from an earlier pairing. */
  get isPaired(): boolean {
    return this._credentials() !== undefined;
  }

  /**
   * Connects (pairing first when `pairingToken` is given: the token the desktop agent printed). Resolves when the
   * relay accepted; rejects when it refused (a wrong or expired token, credentials it does not know).
   * After that the connection is kept: it reconnects with backoff until `disconnect()`.
   */
  connect(options: { pairingToken?: string } = {}): Promise<void> {
    if (options.pairingToken !== undefined) this._pairingToken = options.pairingToken.trim();
    if (this._pairingToken === undefined && !this._credentials()) {
      return Promise.reject(new Error('not paired: pass the pairing token the desktop agent shows (devsync-desktop prints it)'));
    }
    if (this.isConnected()) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const listeners: IDisposable[] = [];
      const done = (err?: Error) => {
        for (const listener of listeners) listener.dispose();
        if (err) reject(err);
        else resolve();
      };
      listeners.push(this._connection.onDidConnect(() => done()));
      listeners.push(
        this._connection.onDidChangeStatus((status) => {
          if (status === 'closed') {
            const error = this._connection.lastError;
            done(Object.assign(new Error(error ? `${error.code}: ${error.message}` : 'connection closed'), { code: error?.code }));
          }
        }),
      );
      this._connection.open();
    });
  }

  /** Closes the connection; open sessions stay known and are taken up again by the next `connect()`. */
  disconnect(): void {
    this._connection.close();
  }

  /** Whether the page is connected to the relay now. */
  isConnected(): boolean {
    return this._connection.status === 'connected';
  }

  /** Calls `callback` with every status change; returns the function that stops it. */
  statusChange(callback: (status: WebDevSyncStatus) => void): () => void {
    const listener = this._onDidChangeStatus.event(callback);
    return () => listener.dispose();
  }

  /** Calls `callback` with every text the editor sent that was applied; returns the function that stops it. */
  onCodeUpdate(callback: (update: CodeUpdate) => void): () => void {
    const listener = this._onDidUpdateCode.event(callback);
    return () => listener.dispose();
  }

  /**
   * Opens field `id` (a textarea's id) with `code` in the user's editor; `type` is its language ("javascript").
   * Calls for the same field within `debounceMs` send one request with the last code. Resolves with the session id
   * once sent. While the session is open, the editor's saves are written into the element with that id and typing
   * in it is sent to the editor.
   */
  editCodeSnippet(id: string, code: string, type: string): Promise<string> {
    if (!this.isConnected()) return Promise.reject(new Error('not connected to the relay: call connect() first'));
    return new Promise<string>((resolve, reject) => {
      const pending = this._pendingRequests.get(id);
      pending?.timer.dispose();
      const waiters = [...(pending?.waiters ?? []), { resolve, reject }];
      const timer = this._clock.setTimeout(() => this._sendEditRequest(id), this._debounceMs);
      this._pendingRequests.set(id, { code, type, timer, waiters });
    });
  }

  /**
   * Tells the library that field `id` changed in the page by other means than typing in its textarea (a script
   * set it, or the field is a code editor widget): the text is sent to the editor as typing would be.
   */
  setCode(id: string, code: string): void {
    const session = this._byField.get(id);
    if (!session) return;
    session.typingTimer?.dispose();
    session.typingTimer = undefined;
    this._sendLocal(session, code);
  }

  /** Ends the editing of field `id`; the desktop agent removes its file. */
  endSession(id: string): void {
    const session = this._byField.get(id);
    if (!session) return;
    this._connection.send('session_end', { reason: 'closed' }, session.sessionId);
    this._forget(session, 'closed');
  }

  /** Forgets the pairing (stored credentials): the next connect needs a new token. */
  unpair(): void {
    this._memoryCredentials = undefined;
    this._storage?.removeItem(storageKeyPrefix + this._url);
    this._connection.close();
  }

  private _credentials(): { userId: string; secret: string } | undefined {
    if (this._memoryCredentials) return this._memoryCredentials;
    const stored = this._storage?.getItem(storageKeyPrefix + this._url);
    if (!stored) return undefined;
    try {
      const parsed = JSON.parse(stored) as { userId?: unknown; secret?: unknown };
      if (typeof parsed.userId === 'string' && typeof parsed.secret === 'string') {
        this._memoryCredentials = { userId: parsed.userId, secret: parsed.secret };
        return this._memoryCredentials;
      }
    } catch {
      // Unreadable: as if not paired.
    }
    return undefined;
  }

  private _hello(): MessageOf<'browser_connect'> {
    const sessions: BrowserSession[] = [...this._sessions.values()].map((s) => ({ sessionId: s.sessionId, fieldId: s.fieldId, type: s.type, version: s.version }));
    const credentials = this._pairingToken === undefined ? this._credentials() : undefined;
    const payload: PayloadOf<'browser_connect'> = credentials
      ? { protocol: PROTOCOL_VERSION, userId: credentials.userId, secret: credentials.secret, sessions }
      : { protocol: PROTOCOL_VERSION, pairingToken: this._pairingToken ?? '', sessions };
    return { type: 'browser_connect', payload };
  }

  /** Whether the user's desktop agent is connected to the relay: undefined until the relay said (at connect). */
  get desktopConnected(): boolean | undefined {
    return this._desktopConnected;
  }

  private _setDesktop(connected: boolean | undefined): void {
    if (connected === undefined || connected === this._desktopConnected) return;
    this._desktopConnected = connected;
    this._onDidChangeDesktop.fire(connected);
  }

  private _connected(ack: MessageOf<'connection_ack'>): void {
    this._userId = ack.userId;
    this._setDesktop(ack.payload.desktopConnected);
    if (ack.payload.secret && ack.userId) {
      // A pairing: the token is spent, these credentials resume from now on.
      this._pairingToken = undefined;
      this._memoryCredentials = { userId: ack.userId, secret: ack.payload.secret };
      this._storage?.setItem(storageKeyPrefix + this._url, JSON.stringify(this._memoryCredentials));
    }
    const resumed = new Set(ack.payload.sessions ?? []);
    for (const session of [...this._sessions.values()]) {
      if (!resumed.has(session.sessionId)) {
        this._forget(session, 'browser_gone');
        continue;
      }
      if (session.unacked) this._connection.send('code_update', session.unacked, session.sessionId);
    }
  }

  private _sendEditRequest(id: string): void {
    const pending = this._pendingRequests.get(id);
    if (!pending) return;
    this._pendingRequests.delete(id);
    let session = this._byField.get(id);
    if (!session) {
      session = { sessionId: randomId(), fieldId: id, type: pending.type, version: 0, code: pending.code };
      this._sessions.set(session.sessionId, session);
      this._byField.set(id, session);
      this._bindElement(session);
    } else if (pending.code !== session.code) {
      // Opening again with other text: that text is the field's next version.
      session.version++;
      session.code = pending.code;
    }
    session.type = pending.type;
    const sent = this._connection.send('edit_request', { fieldId: id, type: pending.type, code: pending.code, version: session.version }, session.sessionId);
    for (const waiter of pending.waiters) {
      if (sent) waiter.resolve(session.sessionId);
      else waiter.reject(new Error('not connected to the relay'));
    }
  }

  private _element(session: FieldSession): Field | undefined {
    if (session.element?.isConnected) return session.element;
    const document = (globalThis as { document?: Document }).document;
    const element = document?.getElementById(session.fieldId);
    if (element && ('value' in element) && (element.tagName === 'TEXTAREA' || element.tagName === 'INPUT')) return element as Field;
    return undefined;
  }

  private _bindElement(session: FieldSession): void {
    const element = this._element(session);
    if (!element) return;
    session.element = element;
    const onInput = () => {
      if (this._applying) return;
      session.typingTimer?.dispose();
      session.typingTimer = this._clock.setTimeout(() => this._sendTyping(session), this._debounceMs);
    };
    element.addEventListener('input', onInput);
    session.detach = () => element.removeEventListener('input', onInput);
  }

  private _sendTyping(session: FieldSession): void {
    session.typingTimer?.dispose();
    session.typingTimer = undefined;
    const code = this._element(session)?.value;
    if (code !== undefined) this._sendLocal(session, code);
  }

  private _sendLocal(session: FieldSession, code: string): void {
    if (code === session.code) return;
    const update: PayloadOf<'code_update'> = { code, baseVersion: session.version, version: session.version + 1, updateId: randomId() };
    session.version = update.version;
    session.code = code;
    session.unacked = update;
    this._connection.send('code_update', update, session.sessionId);
  }

  private _setField(session: FieldSession, code: string): void {
    session.code = code;
    const element = this._element(session);
    if (!element) return;
    // Through the prototype's setter: React and others track the value they last set and would
    // otherwise ignore the event.
    const prototype = Object.getPrototypeOf(element) as object;
    const setter = Object.getOwnPropertyDescriptor(prototype, 'value')?.set;
    this._applying = true;
    try {
      if (setter) setter.call(element, code);
      else element.value = code;
      element.dispatchEvent(new Event('input', { bubbles: true }));
    } finally {
      this._applying = false;
    }
  }

  private _receive(message: Message): void {
    const session = message.sessionId ? this._sessions.get(message.sessionId) : undefined;
    switch (message.type) {
      case 'code_update': {
        const update = message.payload;
        if (!session) {
          // The page no longer has this field open (reloaded, ended): tell the desktop to stop.
          if (message.sessionId) this._connection.send('session_end', { reason: 'closed' }, message.sessionId);
          return;
        }
        this._applyUpdate(session, update);
        return;
      }
      case 'code_ack': {
        const ack = message.payload;
        if (!session || session.unacked?.updateId !== ack.updateId) return;
        session.unacked = undefined;
        if (ack.status === 'conflict') {
          this._onDidConflict.fire({ sessionId: session.sessionId, fieldId: session.fieldId, pageCode: session.code, editorCode: ack.code ?? '', version: session.version });
        }
        return;
      }
      case 'session_end':
        if (session) this._forget(session, message.payload.reason);
        return;
      case 'desktop_status':
        this._setDesktop(message.payload.connected);
        return;
    }
  }

  private _applyUpdate(session: FieldSession, update: PayloadOf<'code_update'>): void {
    if (update.updateId === session.lastAppliedUpdateId) {
      this._connection.send('code_ack', { updateId: update.updateId, status: 'applied', version: session.version }, session.sessionId);
      return;
    }
    // Typing not yet sent is a newer version than the one the editor's save was based on.
    if (session.typingTimer) this._sendTyping(session);
    if (update.baseVersion !== session.version) {
      this._connection.send('code_ack', { updateId: update.updateId, status: 'conflict', version: session.version, code: session.code }, session.sessionId);
      this._onDidConflict.fire({ sessionId: session.sessionId, fieldId: session.fieldId, pageCode: session.code, editorCode: update.code, version: session.version });
      return;
    }
    session.version = update.version;
    session.lastAppliedUpdateId = update.updateId;
    this._setField(session, update.code);
    this._connection.send('code_ack', { updateId: update.updateId, status: 'applied', version: session.version }, session.sessionId);
    this._onDidUpdateCode.fire({ sessionId: session.sessionId, fieldId: session.fieldId, code: update.code, version: session.version });
  }

  private _error(error: RelayError): void {
    if (error.code === 'AUTH_FAILED') {
      // Credentials the relay does not know (it was reset, or the desktop re-registered): pair again.
      this._memoryCredentials = undefined;
      this._storage?.removeItem(storageKeyPrefix + this._url);
    }
    if (error.code === 'SESSION_NOT_FOUND' && error.sessionId) {
      const session = this._sessions.get(error.sessionId);
      if (session) this._forget(session, 'closed');
    }
    for (const [id, pending] of error.code === 'NO_DESKTOP' ? this._pendingRequests : []) {
      pending.timer.dispose();
      this._pendingRequests.delete(id);
    }
    this._onDidError.fire(error);
  }

  private _forget(session: FieldSession, reason: SessionEnd['reason']): void {
    session.typingTimer?.dispose();
    session.detach?.();
    this._sessions.delete(session.sessionId);
    if (this._byField.get(session.fieldId) === session) this._byField.delete(session.fieldId);
    this._onDidEndSession.fire({ sessionId: session.sessionId, fieldId: session.fieldId, reason });
  }

  private _endAll(): void {
    for (const pending of this._pendingRequests.values()) {
      pending.timer.dispose();
      for (const waiter of pending.waiters) waiter.reject(new Error('WebDevSync disposed'));
    }
    this._pendingRequests.clear();
    for (const session of [...this._sessions.values()]) {
      session.typingTimer?.dispose();
      session.detach?.();
    }
    this._sessions.clear();
    this._byField.clear();
  }
}
