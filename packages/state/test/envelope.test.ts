import { describe, expect, it } from '@jest/globals';
import { decodeEnvelope, encodeEnvelope, encodeEnvelopeWithValue, type Recovery } from '../src/index.js';

describe('encodeEnvelopeWithValue', () => {
  const writer = { id: 'w1', pid: 42 };
  const recovery: Recovery = { reason: 'corrupt', source: 'memory', fromVersion: 3, highestVersion: 4, version: 5, writer, movedAside: 'x.corrupt-9' };
  const cases: Array<[string, unknown, Recovery | undefined, string | undefined]> = [
    ['a plain value', { n: 1, list: [1, 'two', null], nested: { deep: true } }, undefined, 'w1:1'],
    ['a recovery, no write id', 'text', recovery, undefined],
    ['unicode and escapes', { s: 'é\u2028"\\\n', e: '' }, recovery, 'w1:2'],
    ['a bare number', 0, undefined, undefined],
  ];

  it.each(cases)('%s: its envelope is the one its text decodes to, and its text is what encodeEnvelope writes', (_name, value, rec, writeId) => {
    const payloadText = JSON.stringify(value);
    const { text, envelope } = encodeEnvelopeWithValue(payloadText, 5, writer, rec, writeId);
    expect(envelope).toStrictEqual(decodeEnvelope(Buffer.from(text), 'test', 1 << 20, undefined));
    // The same text as encodeEnvelope, but for the time of the write.
    const plain = encodeEnvelope(payloadText, 5, writer, rec, writeId);
    expect(text.replace(/"updatedAt":"[^"]+"/, '')).toBe(plain.replace(/"updatedAt":"[^"]+"/, ''));
  });

  it('the envelope is a copy: changing what was passed in changes nothing in it', () => {
    const value = { n: 1 };
    const mutableWriter = { ...writer };
    const mutableRecovery = structuredClone(recovery);
    const { envelope } = encodeEnvelopeWithValue<{ n: number }>(JSON.stringify(value), 5, mutableWriter, mutableRecovery, 'w1:3');
    value.n = 2;
    mutableWriter.id = 'other';
    mutableRecovery.fromVersion = 0;
    expect(envelope.payload.n).toBe(1);
    expect(envelope.writer.id).toBe('w1');
    expect(envelope.recovery?.fromVersion).toBe(3);
  });
});
