import { describe, expect, it } from '@jest/globals';
import { parseRelayConfig } from '../src/index.js';

describe('parseRelayConfig', () => {
  it('has defaults for everything, and the environment wins over the file', () => {
    const result = parseRelayConfig('port: 9000\nallowedOrigins: [https://a.example]\n', { PORT: '9100', CORS_ORIGINS: 'https://b.example, http://localhost:3000' });
    if (!result.ok) throw new Error(result.errors.join('\n'));
    expect(result.config).toMatchObject({
      host: '127.0.0.1',
      port: 9100,
      allowedOrigins: ['https://b.example', 'http://localhost:3000'],
      heartbeatMs: 15_000,
      limits: { maxCodeBytes: 512 * 1024, messagesPerSecond: 50 },
      sessions: { idleTimeoutMs: 3_600_000 },
    });
    const none = parseRelayConfig(undefined, {});
    expect(none.ok && none.config.allowedOrigins).toBeUndefined();
  });

  it('names the field, the variable and the value of each error', () => {
    const result = parseRelayConfig('port: 70000\nlimits: { burst: 0, colour: red }\nallowedOrigins: ["*", "https://x.example/path"]\n', { DEVSYNC_ADMIN_TOKEN: 'short' }, 'relay.yaml');
    expect(result.ok).toBe(false);
    const errors = result.ok ? [] : result.errors;
    expect(errors).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^relay\.yaml: port: .*70000/),
        expect.stringMatching(/^relay\.yaml: limits\.burst: .*\(got 0\)/),
        expect.stringMatching(/^relay\.yaml: limits: .*colour/),
        expect.stringMatching(/^relay\.yaml: allowedOrigins\.0: '\*' would let any web page connect/),
        expect.stringMatching(/^relay\.yaml: allowedOrigins\.1: expected an origin/),
        expect.stringMatching(/^DEVSYNC_ADMIN_TOKEN \(adminToken\): an admin token needs at least 16 characters/),
      ]),
    );
    expect(parseRelayConfig('port: [', {})).toMatchObject({ ok: false, errors: [expect.stringMatching(/^config line 1: not valid YAML/)] });
    expect(parseRelayConfig('- a\n', {})).toMatchObject({ ok: false, errors: ['config: expected a mapping of settings at the top'] });
    expect(parseRelayConfig('', { PORT: 'eighty' })).toMatchObject({ ok: false, errors: [expect.stringMatching(/^PORT \(port\): .*"eighty"/)] });
  });
});
