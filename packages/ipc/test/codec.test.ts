import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { FrameDecoder, FrameTooLargeError, MalformedFrameError, encodeFrames, encodePayload } from '../src/index.js';

function split(buffer: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => c % (buffer.length + 1)))].sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let last = 0;
  for (const p of points) {
    chunks.push(buffer.subarray(last, p));
    last = p;
  }
  chunks.push(buffer.subarray(last));
  return chunks;
}

const message = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.record({ t: fc.constant('pub'), topic: fc.string({ minLength: 1 }), p: fc.string({ unit: 'grapheme' }) }),
);

describe('frame codec', () => {
  it('yields the same messages in order however the stream is split or glued', () => {
    fc.assert(
      fc.property(fc.array(message, { maxLength: 30 }), fc.array(fc.nat(), { maxLength: 40 }), (messages, cuts) => {
        const encoded = encodeFrames(messages.map((m) => encodePayload(m)));
        const decoder = new FrameDecoder();
        const out: unknown[] = [];
        for (const chunk of split(encoded, cuts)) decoder.push(chunk, (v) => out.push(v));
        expect(out).toEqual(messages.map((m) => JSON.parse(JSON.stringify(m))));
        expect(decoder.bufferedBytes).toBe(0);
      }),
      { numRuns: 300 },
    );
  });

  it('fails cleanly on garbage prefixes: an error, never a crash, a hang or a bogus message', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 64 }), fc.array(message, { minLength: 1, maxLength: 5 }), (garbage, messages) => {
        const decoder = new FrameDecoder(1024);
        const data = Buffer.concat([Buffer.from(garbage), encodeFrames(messages.map((m) => encodePayload(m)))]);
        const out: unknown[] = [];
        try {
          decoder.push(data, (v) => out.push(v));
        } catch (err) {
          expect(err instanceof FrameTooLargeError || err instanceof MalformedFrameError).toBe(true);
          expect(() => decoder.push(Buffer.alloc(4), () => {})).toThrow(MalformedFrameError);
          return;
        }
        // The garbage happened to read as a frame length still waiting for bytes, or as valid frames.
        expect(decoder.bufferedBytes).toBeLessThanOrEqual(1024 + 4 + data.length);
      }),
      { numRuns: 300 },
    );
  });

  it('refuses an incoming frame over the limit as soon as its header arrives', () => {
    const decoder = new FrameDecoder(100);
    const header = Buffer.alloc(4);
    header.writeUInt32BE(101);
    expect(() => decoder.push(header, () => {})).toThrow(FrameTooLargeError);
  });

  it('refuses to encode an outgoing message over the limit', () => {
    expect(() => encodePayload({ data: 'x'.repeat(200) }, 100)).toThrow(FrameTooLargeError);
  });

  it('names the problem for a frame that is not JSON', () => {
    const bad = Buffer.from('\u0000\u0000\u0000\u0003{x}', 'latin1');
    expect(() => new FrameDecoder().push(bad, () => {})).toThrow(/not valid JSON/);
  });

  it('reassembles a large frame arriving byte by byte', () => {
    const big = { data: 'é'.repeat(100_000) };
    const encoded = encodeFrames([encodePayload(big)]);
    const decoder = new FrameDecoder();
    const out: unknown[] = [];
    for (let i = 0; i < encoded.length; i += 997) decoder.push(encoded.subarray(i, i + 997), (v) => out.push(v));
    expect(out).toEqual([big]);
  });
});
