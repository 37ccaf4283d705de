import { describe, expect, it } from '@jest/globals';
import {
  AbortError,
  BatonError,
  TimeoutError,
  defineErrorClass,
  deserializeError,
  errorCode,
  isAbortError,
  registerErrorClass,
  serializeError,
} from '../src/index.js';

class WidgetJammedError extends defineErrorClass('EWIDGETJAMMED') {}
registerErrorClass(WidgetJammedError);

describe('BatonError', () => {
  it('carries name, code, cause and data', () => {
    const cause = new Error('disk full');
    const err = new WidgetJammedError('widget 3 jammed; clear it and retry', { cause });
    expect(err).toBeInstanceOf(BatonError);
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe('WidgetJammedError');
    expect(err.code).toBe('EWIDGETJAMMED');
    expect(err.cause).toBe(cause);
    expect(new BatonError('EX', 'm', { data: { path: '/x' } }).data).toEqual({ path: '/x' });
  });
});

describe('serializeError / deserializeError', () => {
  it('round-trips a registered class through JSON, keeping instanceof, code, stack and cause', () => {
    const original = new WidgetJammedError('jammed', { cause: new TypeError('bad gear') });
    const wire = JSON.parse(JSON.stringify(serializeError(original)));
    const rebuilt = deserializeError(wire);
    expect(rebuilt).toBeInstanceOf(WidgetJammedError);
    expect(rebuilt).toBeInstanceOf(BatonError);
    expect(rebuilt.message).toBe('jammed');
    expect(errorCode(rebuilt)).toBe('EWIDGETJAMMED');
    expect(rebuilt.stack).toBe(original.stack);
    expect(rebuilt.cause).toBeInstanceOf(TypeError);
    expect((rebuilt.cause as Error).message).toBe('bad gear');
  });

  it('rebuilds an unknown class as a BatonError that keeps the name and code', () => {
    const rebuilt = deserializeError({ name: 'ElsewhereError', message: 'm', code: 'EELSEWHERE' });
    expect(rebuilt).toBeInstanceOf(BatonError);
    expect(rebuilt.name).toBe('ElsewhereError');
    expect(errorCode(rebuilt)).toBe('EELSEWHERE');
  });

  it('keeps the code of a Node system error', () => {
    const err = Object.assign(new Error('ENOENT: no such file'), { code: 'ENOENT' });
    const rebuilt = deserializeError(serializeError(err));
    expect(rebuilt).toBeInstanceOf(Error);
    expect(errorCode(rebuilt)).toBe('ENOENT');
  });

  it('serializes non-errors', () => {
    expect(serializeError('plain')).toEqual({ name: 'Error', message: 'plain' });
    expect(serializeError({ a: 1 }).message).toBe('{"a":1}');
  });
});

describe('isAbortError', () => {
  it('recognises Baton, Node and DOM cancellation but not other errors', () => {
    expect(isAbortError(new AbortError())).toBe(true);
    const controller = new AbortController();
    controller.abort();
    expect(isAbortError(controller.signal.reason)).toBe(true);
    expect(isAbortError(new TimeoutError('slow'))).toBe(false);
    expect(isAbortError('AbortError')).toBe(false);
  });
});
