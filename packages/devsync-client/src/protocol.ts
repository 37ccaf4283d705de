// The WebDevSync wire protocol, shared by the relay, the browser library and the desktop agent.
// Every message is one JSON text frame: { type, connectionId?, userId?, sessionId?, payload }.
// docs: packages/devsync-client/PROTOCOL.md (a stranger can implement a peer from it).
// zod/mini: the same checks as zod in a twentieth of the bytes, which matters in a page's bundle.
import * as z from 'zod/mini';

/** The version of the WebDevSync protocol this package speaks. */
export const PROTOCOL_VERSION = 1;
/** Where the relay accepts WebSocket upgrades. */
export const WS_PATH = '/web-dev-sync/ws';
/** Largest code text in one message (bytes of UTF-8); the relay may set a lower limit. */
export const DEFAULT_MAX_CODE_BYTES = 512 * 1024;
/** Largest frame the relay accepts; a bigger one closes the connection with 1009. */
export const DEFAULT_MAX_MESSAGE_BYTES = 1024 * 1024;

/** Every code of an error the relay sends (see PROTOCOL.md). */
export const errorCodes = [
  'INVALID_MESSAGE',
  'UNSUPPORTED_PROTOCOL',
  'NOT_PAIRED',
  'AUTH_FAILED',
  'PAIRING_FAILED',
  'FORBIDDEN',
  'SESSION_NOT_FOUND',
  'NO_DESKTOP',
  'NO_BROWSER',
  'CODE_TOO_LARGE',
  'RATE_LIMITED',
  'INTERNAL',
] as const;
/** A code of an error the relay sends. */
export type ErrorCode = (typeof errorCodes)[number];

/** Ids the relay and the clients generate: 16 to 64 URL-safe characters. */
const idSchema = z.string().check(z.regex(/^[A-Za-z0-9_-]{16,64}$/, 'expected an id of 16 to 64 characters [A-Za-z0-9_-]'));
/** A field's id on its page (the textarea's id); shown in file names only after sanitizing. */
const fieldIdSchema = z.string().check(z.minLength(1), z.maxLength(200));
/** The language of a field ("javascript", "css", ...); the desktop maps it to a file extension. */
const codeTypeSchema = z.string().check(z.regex(/^[a-z0-9+#-]{1,40}$/, 'expected a language name of 1 to 40 characters [a-z0-9+#-]'));
const versionSchema = z.int().check(z.minimum(0), z.maximum(Number.MAX_SAFE_INTEGER));
const secretSchema = z.string().check(z.minLength(16), z.maxLength(200));
const pairingTokenSchema = z.string().check(z.minLength(4), z.maxLength(64));

/** The schema of a browser's session. */
export const browserSessionSchema = z.strictObject({
  sessionId: idSchema,
  fieldId: fieldIdSchema,
  type: codeTypeSchema,
  version: versionSchema,
});
/** A browser's session as the relay sends it. */
export type BrowserSession = z.infer<typeof browserSessionSchema>;

const payloads = {
  /** Browser -> relay: pair with a token the desktop showed, or resume with the credentials of an earlier pairing. */
  browser_connect: z.strictObject({
    protocol: z.int(),
    pairingToken: z.optional(pairingTokenSchema),
    userId: z.optional(idSchema),
    secret: z.optional(secretSchema),
    /** Sessions this page still has open (after a reconnect); the relay routes them to this connection again. */
    sessions: z.optional(z.array(browserSessionSchema).check(z.maxLength(200))),
  }),
  /** Desktop -> relay: register (no credentials: a new user), or resume; `pair` asks for a fresh pairing token. */
  desktop_connect: z.strictObject({
    protocol: z.int(),
    userId: z.optional(idSchema),
    secret: z.optional(secretSchema),
    pair: z.optional(z.boolean()),
    name: z.optional(z.string().check(z.maxLength(100))),
  }),
  /** Browser -> desktop: open this field in the editor. */
  edit_request: z.strictObject({
    fieldId: fieldIdSchema,
    type: codeTypeSchema,
    code: z.string(),
    version: versionSchema,
    title: z.optional(z.string().check(z.maxLength(200))),
  }),
  /** Either way: the text changed. `version` is `baseVersion + 1`; `updateId` makes a resend idempotent. */
  code_update: z.strictObject({
    code: z.string(),
    baseVersion: versionSchema,
    version: versionSchema,
    updateId: idSchema,
  }),
  /** Answer to a code_update: applied, or refused as a conflict with the receiver's current text and version. */
  code_ack: z.strictObject({
    updateId: idSchema,
    status: z.enum(['applied', 'conflict']),
    version: versionSchema,
    code: z.optional(z.string()),
  }),
  /** Either way (and from the relay on expiry): the session is over. */
  session_end: z.strictObject({
    reason: z.enum(['closed', 'expired', 'browser_gone', 'desktop_gone', 'replaced']),
  }),
  /** Relay -> client: the connect was accepted. `secret`/`pairingToken` appear once, when issued. */
  connection_ack: z.strictObject({
    role: z.enum(['browser', 'desktop']),
    heartbeatMs: z.int().check(z.positive()),
    maxCodeBytes: z.int().check(z.positive()),
    secret: z.optional(secretSchema),
    pairingToken: z.optional(pairingTokenSchema),
    pairingExpiresInMs: z.optional(z.int().check(z.positive())),
    /** Sessions of a browser_connect the relay took back (others belong to nobody it knows, or were refused). */
    sessions: z.optional(z.array(idSchema)),
    desktopConnected: z.optional(z.boolean()),
  }),
  /** Relay -> browser: the user's desktop agent connected to the relay, or went away (the ack says how it was). */
  desktop_status: z.strictObject({ connected: z.boolean() }),
  error: z.strictObject({
    code: z.enum(errorCodes),
    message: z.string().check(z.maxLength(2000)),
    /** Whether the same message may succeed later (NO_DESKTOP, RATE_LIMITED, ...). */
    retryable: z.boolean(),
    /** The type of the message that failed, when it could be read. */
    inReplyTo: z.optional(z.string().check(z.maxLength(40))),
  }),
  /** Either way: keeps the connection known alive; the relay answers each one. */
  heartbeat: z.optional(z.strictObject({ at: z.optional(z.number()) })),
} as const;

/** The type of a message of the protocol. */
export type MessageType = keyof typeof payloads;
/** Every message type of the protocol. */
export const messageTypes = Object.keys(payloads) as MessageType[];
/** The payload of a message of type `T`. */
export type PayloadOf<T extends MessageType> = z.infer<(typeof payloads)[T]>;

/** Any message of the protocol: its type, and the payload of that type. */
export type Message = {
  [T in MessageType]: {
    type: T;
    connectionId?: string;
    userId?: string;
    sessionId?: string;
    payload: PayloadOf<T>;
  };
}[MessageType];
/** The message of type `T`. */
export type MessageOf<T extends MessageType> = Extract<Message, { type: T }>;

const envelopeSchema = z.strictObject({
  type: z.string().check(z.maxLength(40)),
  connectionId: z.optional(idSchema),
  userId: z.optional(idSchema),
  sessionId: z.optional(idSchema),
  payload: z.optional(z.unknown()),
});

/** Types that name a session; the others must not. */
const sessionTypes = new Set<MessageType>(['edit_request', 'code_update', 'code_ack', 'session_end']);

/** What `parseMessage` returns: the message, or what is wrong with it. */
export type ParseResult = { ok: true; message: Message } | { ok: false; error: string; type?: string };

type Issue = z.core.$ZodIssue;

const unit = (origin: string): string => (origin === 'string' ? ' character(s)' : origin === 'array' ? ' item(s)' : '');

/** zod/mini carries no message texts; this says what was expected, in a line. */
function describeIssue(issue: Issue): string {
  const where = issue.path.length > 0 ? issue.path.join('.') : '(message)';
  if (issue.message && issue.message !== 'Invalid input') return `${where}: ${issue.message}`;
  switch (issue.code) {
    case 'invalid_type':
      return `${where}: expected ${issue.expected}`;
    case 'invalid_value':
      return `${where}: expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'too_big':
      return `${where}: at most ${String(issue.maximum)}${unit(issue.origin)}`;
    case 'too_small':
      return `${where}: at least ${String(issue.minimum)}${unit(issue.origin)}`;
    case 'unrecognized_keys':
      return `${where}: unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.join(', ')}`;
    default:
      return `${where}: invalid (${issue.code})`;
  }
}

function describeIssues(error: { issues: readonly Issue[] }): string {
  return error.issues.slice(0, 3).map(describeIssue).join('; ');
}

const utf8 = new TextEncoder();

const idPattern = /^[A-Za-z0-9_-]{16,64}$/;
const isId = (v: unknown): boolean => typeof v === 'string' && idPattern.test(v);
const isVersion = (v: unknown): boolean => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const envelopeKeys = new Set(['type', 'connectionId', 'userId', 'sessionId', 'payload']);
const updateKeys = new Set(['code', 'baseVersion', 'version', 'updateId']);
const ackKeys = new Set(['updateId', 'status', 'version', 'code']);

/** Whether `value` is a plain object whose own keys are all in `allowed`. */
function onlyKeys(value: unknown, allowed: ReadonlySet<string>): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  for (const key in value) if (!allowed.has(key)) return false;
  return true;
}

/**
 * The two messages a save is made of (code_update and its code_ack), checked by hand: they are most of what a relay
 * reads, and the schemas cost twice JSON.parse for them. It only ever accepts what the schemas accept (a property
 * test holds it to that); anything it does not accept goes through the schemas, which also say what is wrong.
 */
function isSaveMessage(raw: unknown): raw is Message {
  if (!onlyKeys(raw, envelopeKeys) || !isId(raw.sessionId)) return false;
  if (raw.connectionId !== undefined && !isId(raw.connectionId)) return false;
  if (raw.userId !== undefined && !isId(raw.userId)) return false;
  const p = raw.payload as Record<string, unknown>;
  if (raw.type === 'code_update') {
    return onlyKeys(p, updateKeys) && typeof p.code === 'string' && isVersion(p.baseVersion) && isVersion(p.version) && isId(p.updateId);
  }
  if (raw.type === 'code_ack') {
    return (
      onlyKeys(p, ackKeys) &&
      isId(p.updateId) &&
      (p.status === 'applied' || p.status === 'conflict') &&
      isVersion(p.version) &&
      (p.code === undefined || typeof p.code === 'string')
    );
  }
  return false;
}

/**
 * Reads one frame: JSON, the envelope, the payload of its type, the code size. Never throws; the error says
 * which field is wrong, so the sender can be told.
 */
export function parseMessage(text: string, options: { maxCodeBytes?: number } = {}): ParseResult {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    return { ok: false, error: `not JSON: ${(err as Error).message}` };
  }
  if (isSaveMessage(raw)) return withinCodeLimit(raw, options.maxCodeBytes);
  return parseWithSchemas(raw, options);
}

/** The code of a message, if any, is within `maxCodeBytes`. */
function withinCodeLimit(message: Message, maxCodeBytes = DEFAULT_MAX_CODE_BYTES): ParseResult {
  const code = (message.payload as { code?: unknown } | undefined)?.code;
  // UTF-8 is at most 3 bytes per UTF-16 unit; only texts that could be too large are encoded.
  if (typeof code === 'string' && code.length * 3 > maxCodeBytes && utf8.encode(code).byteLength > maxCodeBytes) {
    return { ok: false, error: `code is larger than ${maxCodeBytes} bytes`, type: message.type };
  }
  return { ok: true, message };
}

/** parseMessage of a decoded value by the schemas alone (the reference the hand-checked fast path is held to). */
export function parseWithSchemas(raw: unknown, options: { maxCodeBytes?: number } = {}): ParseResult {
  const envelope = envelopeSchema.safeParse(raw);
  if (!envelope.success) {
    const type = typeof (raw as { type?: unknown })?.type === 'string' ? String((raw as { type: string }).type).slice(0, 40) : undefined;
    return { ok: false, error: `bad envelope: ${describeIssues(envelope.error)}`, ...(type ? { type } : {}) };
  }
  const { type } = envelope.data;
  if (!Object.hasOwn(payloads, type)) {
    return { ok: false, error: `unknown type '${type}' (known: ${messageTypes.join(', ')})`, type };
  }
  const payload = payloads[type as MessageType].safeParse(envelope.data.payload);
  if (!payload.success) return { ok: false, error: `bad ${type} payload: ${describeIssues(payload.error)}`, type };
  const needsSession = sessionTypes.has(type as MessageType);
  if (needsSession && envelope.data.sessionId === undefined) return { ok: false, error: `${type} needs a sessionId`, type };
  return withinCodeLimit({ ...envelope.data, type, payload: payload.data } as Message, options.maxCodeBytes);
}

/** Whether a parse failure was the code size (answered CODE_TOO_LARGE, not INVALID_MESSAGE). */
export function isCodeTooLarge(result: ParseResult): boolean {
  return !result.ok && result.error.startsWith('code is larger than');
}

/** Serializes a message; the relay and the clients send nothing else. */
export function encodeMessage<T extends MessageType>(message: MessageOf<T>): string {
  return JSON.stringify(message);
}

/** A URL-safe random id from the platform's CSPRNG (Web Crypto, in browsers and Node 20 alike). */
export function randomId(bytes = 16): string {
  const buffer = new Uint8Array(bytes);
  globalThis.crypto.getRandomValues(buffer);
  let text = '';
  for (const byte of buffer) text += String.fromCharCode(byte);
  return btoa(text).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
}
