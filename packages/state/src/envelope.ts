import { crc32 } from 'node:zlib';
import { CorruptStateError } from './errors.js';

export const stateFormat = 1;

/** What a state file holds. */
export interface Envelope<T> {
  format: 1;
  version: number;
  writer: { id: string; pid: number };
  /** Wall-clock time of the write, ISO 8601 (display only). */
  updatedAt: string;
  /** CRC-32 of the payload's JSON text, hex. */
  checksum: string;
  payload: T;
}

/** Anything with zod's safeParse: the store validates payloads with it. */
export interface Schema<T> {
  safeParse(value: unknown): { success: true; data: T } | { success: false; error: { message: string } };
}

function checksumOf(payloadText: string): string {
  return crc32(payloadText).toString(16).padStart(8, '0');
}

/** Serializes a payload and its envelope; the payload text is written once and checksummed as is. */
export function encodeEnvelope(payloadText: string, version: number, writer: { id: string; pid: number }): string {
  const head = JSON.stringify({ format: stateFormat, version, writer, updatedAt: new Date().toISOString(), checksum: checksumOf(payloadText) });
  return `${head.slice(0, -1)},"payload":${payloadText}}\n`;
}

/** Parses and verifies a state file's bytes; throws CorruptStateError naming what is wrong. */
export function decodeEnvelope<T>(data: Buffer, file: string, maxBytes: number, schema: Schema<T> | undefined): Envelope<T> {
  if (data.length > maxBytes + 1024) {
    throw new CorruptStateError('size', `${file} is ${data.length} bytes, over the ${maxBytes}-byte limit (maxBytes)`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(data.toString('utf8'));
  } catch (err) {
    throw new CorruptStateError('json', `${file} is not valid JSON (${data.length} bytes): ${(err as Error).message}`, { cause: err });
  }
  const envelope = parsed as Partial<Envelope<unknown>>;
  if (typeof envelope !== 'object' || envelope === null) throw new CorruptStateError('envelope', `${file} does not hold a state envelope`);
  if (envelope.format !== stateFormat) {
    throw new CorruptStateError('format', `${file} has format ${JSON.stringify(envelope.format)}; this version of @baton/state reads format ${stateFormat}`);
  }
  if (!Number.isSafeInteger(envelope.version) || (envelope.version as number) < 0 || typeof envelope.checksum !== 'string' || !('payload' in envelope)) {
    throw new CorruptStateError('envelope', `${file} is missing version, checksum or payload`);
  }
  const actual = checksumOf(JSON.stringify(envelope.payload));
  if (actual !== envelope.checksum) {
    throw new CorruptStateError('checksum', `${file} failed its checksum (stored ${envelope.checksum}, computed ${actual}): the payload was changed or damaged`);
  }
  if (schema) {
    const result = schema.safeParse(envelope.payload);
    if (!result.success) throw new CorruptStateError('schema', `${file} payload does not match the schema: ${result.error.message}`);
    envelope.payload = result.data;
  }
  return envelope as Envelope<T>;
}
