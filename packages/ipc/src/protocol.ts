import { errorCode, type SerializedError } from '@baton/base';
import type { FramedChannel } from './channel.js';

/** Bumped when a message's meaning changes; a peer of another version is refused with EPROTOCOL. */
export const protocolVersion = 1;
/** The versions this implementation speaks, sent in the refusal of a hello of any other. */
export const supportedVersions: readonly number[] = [protocolVersion];

/** A message on the wire: the handshake (hello, welcome, refuse), requests, responses, cancels, and the rest (see PROTOCOL.md). */
export type Envelope =
  | { t: 'hello'; v: number; name: string; pid: number; token: string }
  | { t: 'welcome'; v: number; id: string }
  | { t: 'refuse'; code: string; message: string; versions?: number[] }
  | { t: 'req'; id: number; m: string; p?: unknown }
  | { t: 'res'; id: number; r?: unknown; e?: SerializedError }
  | { t: 'cancel'; id: number }
  | { t: 'note'; m: string; p?: unknown }
  | { t: 'sub'; topic: string }
  | { t: 'unsub'; topic: string }
  | { t: 'pub'; topic: string; p?: unknown }
  | { t: 'ping' }
  | { t: 'pong' };

const isString = (v: unknown): v is string => typeof v === 'string';
const isId = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const isName = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && v.length <= 256;
/** Why `v` is not a name: a string of 1 to 256 characters (UTF-16 code units). */
const nameProblem = (field: string, v: unknown): string =>
  typeof v === 'string' && v.length > 0 ? `${field} must be at most 256 characters, got ${v.length}` : `${field} must be a non-empty string, got ${JSON.stringify(v)}`;

/**
 * Checks a decoded frame against the envelope schema before anything acts on it; returns the
 * envelope or a reason naming the field. Hand-written rather than a schema library: it runs for
 * every message, and it checks only shape, as a schema would.
 */
export function parseEnvelope(value: unknown): Envelope | string {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'message is not an object';
  const m = value as Record<string, unknown>;
  switch (m.t) {
    case 'req':
      if (!isId(m.id)) return `req.id must be a non-negative integer, got ${JSON.stringify(m.id)}`;
      if (!isName(m.m)) return nameProblem('req.m (method)', m.m);
      return m as Envelope;
    case 'res':
      if (!isId(m.id)) return `res.id must be a non-negative integer, got ${JSON.stringify(m.id)}`;
      if (m.e !== undefined && (typeof m.e !== 'object' || m.e === null || !isString((m.e as SerializedError).message))) {
        return 'res.e must be a serialized error with a message';
      }
      return m as Envelope;
    case 'note':
      if (!isName(m.m)) return nameProblem('note.m (method)', m.m);
      return m as Envelope;
    case 'pub':
    case 'sub':
    case 'unsub':
      if (!isName(m.topic)) return nameProblem(`${m.t}.topic`, m.topic);
      return m as Envelope;
    case 'cancel':
      if (!isId(m.id)) return `cancel.id must be a non-negative integer, got ${JSON.stringify(m.id)}`;
      return m as Envelope;
    case 'ping':
    case 'pong':
      return m as Envelope;
    case 'hello':
      if (typeof m.v !== 'number') return 'hello.v (protocol version) must be a number';
      if (!isString(m.name) || m.name.length > 256) return 'hello.name must be a string of at most 256 characters';
      if (!isId(m.pid)) return 'hello.pid must be a non-negative integer';
      if (!isString(m.token)) return 'hello.token must be a string';
      return m as Envelope;
    case 'welcome':
      if (typeof m.v !== 'number' || !isString(m.id)) return 'welcome needs v and id';
      return m as Envelope;
    case 'refuse':
      if (!isString(m.code) || !isString(m.message)) return 'refuse needs code and message';
      return m as Envelope;
    default:
      return `unknown message type ${JSON.stringify(m.t)}`;
  }
}

/** The `refuse` message that tells a peer why the connection is being closed. */
export function refusal(error: Error, extra?: { versions?: readonly number[] }): Envelope {
  const message: Envelope = { t: 'refuse', code: errorCode(error) ?? 'EPROTOCOL', message: error.message };
  if (extra?.versions) message.versions = [...extra.versions];
  return message;
}

/** Tells the peer why (a `refuse`), then ends the connection with `error` as its reason. */
export function refuse(channel: FramedChannel, error: Error, extra?: { versions?: readonly number[] }): void {
  channel.endWith(error, refusal(error, extra));
}
