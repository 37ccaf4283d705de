import { isUtf8 } from 'node:buffer';
import { defineErrorClass } from '@baton/base';

/** A frame's declared length is over the limit; the connection is closed. */
export class FrameTooLargeError extends defineErrorClass('EFRAMETOOLARGE') {}

/** Bytes that are not a frame of this protocol (bad JSON, bad envelope); the connection is closed. */
export class MalformedFrameError extends defineErrorClass('EMALFORMEDFRAME') {}

/** The default largest frame, in bytes. */
export const defaultMaxFrameBytes = 16 * 1024 * 1024;
const headerBytes = 4;
/** The deepest nesting of arrays and objects a payload may have (the envelope itself is level 1). */
export const maxNesting = 128;
/** A payload shorter than this cannot be nested deeper than maxNesting: each level takes two bytes. */
const nestingCheckBytes = 2 * (maxNesting + 1);

/** True when `value` has arrays or objects nested more than `left` levels deep. */
function deeperThan(value: object, left: number): boolean {
  if (left === 0) return true;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      if (typeof item === 'object' && item !== null && deeperThan(item, left - 1)) return true;
    }
    return false;
  }
  for (const key in value) {
    const item: unknown = (value as Record<string, unknown>)[key];
    if (typeof item === 'object' && item !== null && deeperThan(item, left - 1)) return true;
  }
  return false;
}

/**
 * The payload's JSON text, or why it is not a payload: bytes that are not UTF-8 (decoded, they
 * would silently become U+FFFD), text that is not JSON, or nesting deeper than maxNesting.
 */
function decodePayload(data: Buffer, start: number, end: number): unknown {
  const text = data.toString('utf8', start, end);
  // Only a text with a replacement character can come from invalid bytes: the check costs nothing otherwise.
  if (text.includes('\ufffd') && !isUtf8(data.subarray(start, end))) {
    throw new MalformedFrameError(`Frame of ${end - start} bytes is not valid UTF-8`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new MalformedFrameError(`Frame of ${end - start} bytes is not valid JSON: ${(err as Error).message}`, { cause: err });
  }
  if (end - start >= nestingCheckBytes && typeof value === 'object' && value !== null && deeperThan(value, maxNesting)) {
    throw new MalformedFrameError(`Frame of ${end - start} bytes nests arrays and objects more than ${maxNesting} levels deep`, { data: { max: maxNesting } });
  }
  return value;
}

/**
 * Frames are a 4-byte big-endian payload length followed by that many bytes of UTF-8 JSON.
 * Whatever the byte stream does (split a frame over many chunks, glue many frames into one),
 * the decoder yields the same values in order.
 */
export class FrameDecoder {
  private readonly _chunks: Buffer[] = [];
  private _buffered = 0;
  private _failed = false;

  constructor(private _maxFrameBytes = defaultMaxFrameBytes) {}

  /** The largest frame accepted from now on (a server raises it once a peer has authenticated). */
  setMaxFrameBytes(bytes: number): void {
    this._maxFrameBytes = bytes;
  }

  /** Bytes held waiting for the rest of a frame. */
  get bufferedBytes(): number {
    return this._buffered;
  }

  /**
   * Feeds bytes; calls `onFrame` with each complete value. Throws FrameTooLargeError or
   * MalformedFrameError, after which the decoder refuses further input (close the connection).
   */
  push(chunk: Buffer, onFrame: (value: unknown) => void): void {
    if (this._failed) throw new MalformedFrameError('decoder already failed; the connection must be closed');
    let data: Buffer;
    if (this._buffered === 0) data = chunk;
    else {
      this._chunks.push(chunk);
      this._buffered += chunk.length;
      // Only join once a whole frame is there: a large frame arriving in many chunks is copied once.
      const first = this._chunks[0]!;
      const needed = first.length >= headerBytes ? headerBytes + first.readUInt32BE(0) : headerBytes;
      if (this._buffered < needed) return;
      data = Buffer.concat(this._chunks, this._buffered);
      this._chunks.length = 0;
      this._buffered = 0;
    }
    let offset = 0;
    while (data.length - offset >= headerBytes) {
      const length = data.readUInt32BE(offset);
      if (length > this._maxFrameBytes) {
        this._failed = true;
        throw new FrameTooLargeError(`Incoming frame of ${length} bytes is over the ${this._maxFrameBytes}-byte limit (maxFrameBytes)`, { data: { length, max: this._maxFrameBytes } });
      }
      const end = offset + headerBytes + length;
      if (end > data.length) break;
      let value: unknown;
      try {
        value = decodePayload(data, offset + headerBytes, end);
      } catch (err) {
        this._failed = true;
        throw err;
      }
      offset = end;
      onFrame(value);
    }
    if (offset < data.length) {
      const rest = data.subarray(offset);
      this._chunks.push(rest);
      this._buffered = rest.length;
      if (rest.length >= headerBytes) {
        const length = rest.readUInt32BE(0);
        if (length > this._maxFrameBytes) {
          this._failed = true;
          throw new FrameTooLargeError(`Incoming frame of ${length} bytes is over the ${this._maxFrameBytes}-byte limit (maxFrameBytes)`, { data: { length, max: this._maxFrameBytes } });
        }
      }
    }
  }
}

/** Serializes a value to its frame payload; throws FrameTooLargeError over the limit. */
export function encodePayload(value: unknown, maxFrameBytes = defaultMaxFrameBytes): { text: string; bytes: number } {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (err) {
    if (err instanceof RangeError) throw tooDeepToSend();
    throw err;
  }
  if (text === undefined) throw new MalformedFrameError('cannot send undefined as a message');
  const bytes = Buffer.byteLength(text);
  if (bytes > maxFrameBytes) {
    throw new FrameTooLargeError(`Outgoing message of ${bytes} bytes is over the ${maxFrameBytes}-byte limit (maxFrameBytes); send it in parts`, { data: { bytes, max: maxFrameBytes } });
  }
  // The receiver would refuse the connection over it: refused here, where the sender can be told.
  if (bytes >= nestingCheckBytes && typeof value === 'object' && value !== null && deeperThan(value, maxNesting)) throw tooDeepToSend();
  return { text, bytes };
}

function tooDeepToSend(): MalformedFrameError {
  return new MalformedFrameError(`Outgoing message nests arrays and objects more than ${maxNesting} levels deep, the protocol's limit`, { data: { max: maxNesting } });
}

/** Bytes that `payloads` take as frames, headers included. */
export function framesLength(payloads: readonly { bytes: number }[]): number {
  let total = 0;
  for (const p of payloads) total += headerBytes + p.bytes;
  return total;
}

/** Writes many payloads as frames into one buffer (one write to the socket for a whole batch). */
export function encodeFrames(payloads: readonly { text: string; bytes: number }[]): Buffer {
  const out = Buffer.allocUnsafe(framesLength(payloads));
  encodeFramesInto(payloads, out);
  return out;
}

/** Writes `payloads` as frames at the start of `target`, which must hold framesLength(payloads) bytes. */
export function encodeFramesInto(payloads: readonly { text: string; bytes: number }[], target: Buffer): void {
  let offset = 0;
  for (const p of payloads) {
    target.writeUInt32BE(p.bytes, offset);
    offset += headerBytes;
    offset += target.write(p.text, offset, 'utf8');
  }
}
