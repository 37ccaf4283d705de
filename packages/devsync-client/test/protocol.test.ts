import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { encodeMessage, isCodeTooLarge, messageTypes, parseMessage, randomId } from '../src/index.js';
import { parseWithSchemas } from '../src/protocol.js';

const sid = 'session-000000000001';

describe('parseMessage', () => {
  it('accepts every message type in its documented shape', () => {
    const examples: Record<string, unknown> = {
      browser_connect: { type: 'browser_connect', payload: { protocol: 1, pairingToken: 'ABCD-EFGH' } },
      desktop_connect: { type: 'desktop_connect', payload: { protocol: 1 } },
      edit_request: { type: 'edit_request', sessionId: sid, payload: { fieldId: 'f', type: 'javascript', code: '', version: 0 } },
      code_update: { type: 'code_update', sessionId: sid, payload: { code: 'x', baseVersion: 0, version: 1, updateId: sid } },
      code_ack: { type: 'code_ack', sessionId: sid, payload: { updateId: sid, status: 'conflict', version: 1, code: 'x' } },
      session_end: { type: 'session_end', sessionId: sid, payload: { reason: 'expired' } },
      connection_ack: { type: 'connection_ack', connectionId: sid, userId: sid, payload: { role: 'desktop', heartbeatMs: 15000, maxCodeBytes: 1 } },
      error: { type: 'error', payload: { code: 'NO_DESKTOP', message: 'm', retryable: true } },
      heartbeat: { type: 'heartbeat' },
      desktop_status: { type: 'desktop_status', payload: { connected: true } },
    };
    expect(Object.keys(examples).sort()).toEqual([...messageTypes].sort());
    for (const example of Object.values(examples)) {
      const result = parseMessage(JSON.stringify(example));
      expect(result).toEqual({ ok: true, message: example });
      if (result.ok) expect(JSON.parse(encodeMessage(result.message))).toEqual(example);
    }
  });

  it('says what is wrong and where', () => {
    expect(parseMessage('{')).toMatchObject({ ok: false, error: expect.stringMatching(/^not JSON/) });
    expect(parseMessage('{"type":"x"}')).toMatchObject({ ok: false, type: 'x', error: expect.stringMatching(/unknown type 'x' \(known: browser_connect/) });
    expect(parseMessage('{"type":"edit_request","payload":{"fieldId":"f","type":"css","code":"","version":0}}')).toMatchObject({ error: 'edit_request needs a sessionId' });
    expect(parseMessage(JSON.stringify({ type: 'code_update', sessionId: sid, payload: { code: 1, baseVersion: -1, version: 1.5, updateId: sid, more: 1 } }))).toMatchObject({
      error: expect.stringMatching(/^bad code_update payload: .*code: expected string/),
    });
    expect(parseMessage(JSON.stringify({ type: 'heartbeat', sessionId: '../../x' }))).toMatchObject({ error: expect.stringMatching(/sessionId: expected an id/) });
  });

  it('measures code in UTF-8 bytes against the limit', () => {
    const message = (code: string) => JSON.stringify({ type: 'code_update', sessionId: sid, payload: { code, baseVersion: 0, version: 1, updateId: sid } });
    expect(parseMessage(message('é'.repeat(500)), { maxCodeBytes: 1000 }).ok).toBe(true);
    const tooLarge = parseMessage(message('é'.repeat(501)), { maxCodeBytes: 1000 });
    expect(isCodeTooLarge(tooLarge)).toBe(true);
  });

  it('makes URL-safe random ids the schema accepts', () => {
    const ids = new Set(Array.from({ length: 1000 }, () => randomId()));
    expect(ids.size).toBe(1000);
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });
});

describe('the hand-checked path for saves (code_update, code_ack)', () => {
  const id = fc.stringMatching(/^[A-Za-z0-9_-]{16,64}$/);
  // Each field either right or any JSON value (often wrong); keys sometimes left out or added.
  const field = <T>(right: fc.Arbitrary<T>) => fc.oneof({ weight: 4, arbitrary: right }, { weight: 1, arbitrary: fc.jsonValue() });
  const version = fc.oneof(fc.nat(), fc.constantFrom(-1, 1.5, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER + 1, -0));
  const update = fc.record({ code: field(fc.string()), baseVersion: field(version), version: field(version), updateId: field(id) }, { requiredKeys: [] });
  const ack = fc.record({ updateId: field(id), status: field(fc.constantFrom('applied', 'conflict', 'other')), version: field(version), code: field(fc.string()) }, { requiredKeys: [] });
  const message = fc.record(
    {
      type: fc.constantFrom('code_update', 'code_ack', 'heartbeat'),
      sessionId: field(id),
      connectionId: field(id),
      userId: field(id),
      payload: fc.oneof(update, ack, fc.jsonValue()),
      extra: fc.jsonValue(),
    },
    { requiredKeys: ['type'] },
  );

  it('gives what the schemas give, for any message near the shape of a save', () => {
    fc.assert(
      fc.property(message, (value) => {
        const text = JSON.stringify(value);
        const fast = parseMessage(text, { maxCodeBytes: 64 });
        const reference = parseWithSchemas(JSON.parse(text), { maxCodeBytes: 64 });
        expect(fast.ok).toBe(reference.ok);
        if (fast.ok && reference.ok) expect(fast.message).toEqual(reference.message);
        else if (!reference.ok && !fast.ok) expect(fast.error).toBe(reference.error);
      }),
      { numRuns: 5000 },
    );
  });
});
