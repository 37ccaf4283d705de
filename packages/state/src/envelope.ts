import { crc32 } from 'node:zlib';
import { CorruptStateError } from './errors.js';

/** The format name written in every state file. */
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
  /** Present when this version was written by a recovery: what was recovered, from where. */
  recovery?: Recovery;
  /**
   * This write's own id, unique to one attempt of one writer (a store's id and a sequence number). A writer that
   * lost the answer to a write looks for it to learn whether the write landed, instead of writing again.
   */
  writeId?: string;
  payload: T;
}

/**
 * A recovery: the store found its file damaged, missing or gone back to an older version, and
 * wrote the best value it had under a new version, above every version seen. It is recorded in
 * the file it wrote, so every process learns of it, not only the one that did it.
 */
export interface Recovery {
  /**
   * `corrupt`: the file was damaged (moved aside); `missing`: it was deleted; `restored`: it went
   * back to an older version (restored by hand, or a version reused after the files were
   * replaced), and that older value is kept under a new version; `reset`: nothing readable was
   * left and the store started again from `initial` (only with `ifUnreadable: 'reset'`).
   */
  reason: 'corrupt' | 'missing' | 'restored' | 'reset';
  /** Where the value came from: the `.bak` copy, this process's memory, the (restored) file, or `initial`. */
  source: 'backup' | 'memory' | 'file' | 'initial';
  /** The version the value had where it came from (0 for `initial`). */
  fromVersion: number;
  /**
   * The highest version known before the recovery. Above `fromVersion`, the values of the versions
   * in between could not be recovered (for `restored`: were replaced by the restored value).
   */
  highestVersion: number;
  /** The version the recovered value was written as. */
  version: number;
  /** Where the damaged file was moved, when there was one. */
  movedAside?: string;
  /** The process that recovered. */
  writer: { id: string; pid: number };
}

/** Anything with zod's safeParse: the store validates payloads with it. */
export interface Schema<T> {
  /** Checks `value`: the parsed value, or the error. */
  safeParse(value: unknown): { success: true; data: T } | { success: false; error: { message: string } };
}

/** CRC-32 of a payload's JSON text, as stored in the envelope's `checksum`. */
export function checksumOf(payloadText: string): string {
  return crc32(payloadText).toString(16).padStart(8, '0');
}

/** Serializes a payload and its envelope; the payload text is written once and checksummed as is. */
export function encodeEnvelope(payloadText: string, version: number, writer: { id: string; pid: number }, recovery?: Recovery, writeId?: string): string {
  return encodeEnvelopeWithValue(payloadText, version, writer, recovery, writeId).text;
}

/**
 * encodeEnvelope, and the envelope its text decodes to (its payload parsed from `payloadText`, a copy of its own):
 * a writer knows its own write without decoding and checksumming it again.
 */
export function encodeEnvelopeWithValue<T>(payloadText: string, version: number, writer: { id: string; pid: number }, recovery?: Recovery, writeId?: string): { text: string; envelope: Envelope<T> } {
  const head = { format: stateFormat, version, writer, updatedAt: new Date().toISOString(), checksum: checksumOf(payloadText), recovery, writeId };
  const headText = JSON.stringify(head);
  const envelope: Envelope<T> = {
    format: stateFormat,
    version,
    writer: { id: writer.id, pid: writer.pid },
    updatedAt: head.updatedAt,
    checksum: head.checksum,
    ...(recovery ? { recovery: structuredClone(recovery) } : {}),
    ...(writeId !== undefined ? { writeId } : {}),
    payload: JSON.parse(payloadText) as T,
  };
  return { text: `${headText.slice(0, -1)},"payload":${payloadText}}\n`, envelope };
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
  if (envelope.recovery !== undefined && (typeof envelope.recovery !== 'object' || envelope.recovery === null || typeof envelope.recovery.reason !== 'string')) {
    throw new CorruptStateError('envelope', `${file} has a malformed recovery record`);
  }
  if (schema) {
    const result = schema.safeParse(envelope.payload);
    if (!result.success) throw new CorruptStateError('schema', `${file} payload does not match the schema: ${result.error.message}`);
    envelope.payload = result.data;
  }
  return envelope as Envelope<T>;
}
