import { describeValue, errorCode, type SerializedError } from '@baton/base';
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

/** The longest method, topic or client name, in characters (Unicode code points, as PROTOCOL.md counts them). */
export const maxNameCharacters = 256;

const isString = (v: unknown): v is string => typeof v === 'string';
const isId = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/** Characters (code points) in `s`, counted only as far as needed to tell whether it is over `max`. */
function isWithin(s: string, max: number): boolean {
  // Each code point is one or two UTF-16 units: most names are decided by their length alone.
  if (s.length <= max) return true;
  if (s.length > 2 * max) return false;
  return characters(s) <= max;
}

function characters(s: string): number {
  let count = 0;
  for (let i = 0; i < s.length; i++, count++) {
    const unit = s.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < s.length) {
      const next = s.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
    }
  }
  return count;
}

const isName = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && isWithin(v, maxNameCharacters);
/** Why `v` is not a name: a string of 1 to 256 characters (code points). */
const nameProblem = (field: string, v: unknown): string =>
  typeof v === 'string' && v.length > 0
    ? `${field} must be at most ${maxNameCharacters} characters, got ${characters(v)}`
    : `${field} must be a non-empty string, got ${describeValue(v, 40)}`;

/** Which side a connection is on: each side receives only the messages PROTOCOL.md section 4 sends its way. */
export type Side = 'server' | 'client';
const receivedBy: Record<Side, ReadonlySet<string>> = {
  server: new Set(['req', 'cancel', 'note', 'sub', 'unsub', 'pub', 'ping', 'pong', 'refuse']),
  client: new Set(['res', 'pub', 'ping', 'pong', 'refuse']),
};

/** Why an established connection's `side` may not receive a message of type `t`, or undefined when it may. */
export function directionProblem(side: Side, t: string): string | undefined {
  if (receivedBy[side].has(t)) return undefined;
  if (t === 'hello' || t === 'welcome') return `'${t}' after the handshake: it is sent once, first`;
  const from = side === 'server' ? 'client' : 'server';
  return `'${t}' from a ${from}: a ${from} does not send it (PROTOCOL.md section 4)`;
}

/**
 * Checks a decoded frame against the envelope schema before anything acts on it; returns the
 * envelope or a reason naming the field. Hand-written rather than a schema library: it runs for
 * every message, and it checks only shape, as a schema would.
 */
export function parseEnvelope(value: unknown): Envelope | string {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return `message must be a JSON object, got ${describeValue(value, 40)}`;
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
      if (!isString(m.name) || !isWithin(m.name, maxNameCharacters)) return `hello.name must be a string of at most ${maxNameCharacters} characters, got ${isString(m.name) ? `${characters(m.name)} characters` : describeValue(m.name, 40)}`;
      if (!isId(m.pid)) return `hello.pid must be a non-negative integer, got ${describeValue(m.pid, 40)}`;
      if (!isString(m.token)) return 'hello.token must be a string';
      return m as Envelope;
    case 'welcome':
      if (typeof m.v !== 'number' || !isString(m.id)) return 'welcome needs v and id';
      return m as Envelope;
    case 'refuse':
      if (!isString(m.code) || !isString(m.message)) return 'refuse needs code and message';
      return m as Envelope;
    default:
      return m.t === undefined ? 'message has no t (message type)' : `unknown message type ${describeValue(m.t, 40)}`;
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
