import { describe, expect, it } from '@jest/globals';
import { parseEnvelope } from '../src/index.js';

describe('parseEnvelope', () => {
  it('names what is wrong with a method or topic: empty, not a string, or over 256 characters', () => {
    expect(parseEnvelope({ t: 'req', id: 1, m: 'x'.repeat(257) })).toBe('req.m (method) must be at most 256 characters, got 257');
    expect(parseEnvelope({ t: 'note', m: '' })).toBe('note.m (method) must be a non-empty string, got ""');
    expect(parseEnvelope({ t: 'sub', topic: 5 })).toBe('sub.topic must be a non-empty string, got 5');
    expect(parseEnvelope({ t: 'req', id: 1, m: 'x'.repeat(256) })).toEqual({ t: 'req', id: 1, m: 'x'.repeat(256) });
  });
});
