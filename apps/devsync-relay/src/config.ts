import { createRequire } from 'node:module';
import type * as Yaml from 'yaml';
import * as z from 'zod/mini';
import en from 'zod/v4/locales/en.js';
import { DEFAULT_MAX_CODE_BYTES, DEFAULT_MAX_MESSAGE_BYTES } from '@baton/devsync-client';

export interface RelayConfig {
  host: string;
  port: number;
  /** Origins whose pages may open the WebSocket (exact `scheme://host[:port]`). A connection without an Origin
   * header is not a browser page, and may only act as a desktop or pair with a token. Undefined: only the relay's
   * own pages (`http://localhost:<port>`, `http://127.0.0.1:<port>`, with the port it listens on). */
  allowedOrigins: string[] | undefined;
  /**
   * Names this relay is reached by over HTTP (a public name behind a proxy, a LAN address), beside loopback and the
   * hosts of `allowedOrigins`. An HTTP request whose Host header names anything else is refused (421): a web page
   * that rebinds its own name to this machine (DNS rebinding) reads nothing.
   */
  hostnames: string[];
  /**
   * Addresses of reverse proxies (a TLS terminator) in front of the relay: from them, the client's address is taken
   * from X-Forwarded-For, so that limits per address apply to clients and not to the proxy that all share.
   */
  trustedProxies: string[];
  /** Where pairings (hashed) are kept across restarts. */
  dataDir: string;
  /** Lets /debug and /metrics answer beyond loopback, to `Authorization: Bearer <token>`. */
  adminToken: string | undefined;
  heartbeatMs: number;
  limits: {
    maxMessageBytes: number;
    maxCodeBytes: number;
    messagesPerSecond: number;
    burst: number;
    maxConnections: number;
    /** Wrong pairing tokens per client address per minute answered at once; each further one waits twice as long as the last (1 s to 60 s). */
    pairingFailuresPerMinute: number;
    /** Wrong pairing tokens answered per second, from all addresses together. */
    pairingFailuresPerSecond: number;
  };
  sessions: {
    /** A session nobody sent anything in for this long ends ("expired"). */
    idleTimeoutMs: number;
    /** A session whose page went away ends after this long unless the page comes back ("browser_gone"). */
    browserGraceMs: number;
    maxPerUser: number;
  };
  pairing: {
    tokenTtlMs: number;
    /** Desktops registered and not yet paired, kept at most (the oldest not connected goes first). */
    maxUnpaired: number;
    /** The same, per remote address. */
    maxUnpairedPerAddress: number;
    /** A desktop not yet paired and not connected for this long is forgotten (it registers again). */
    unpairedTtlMs: number;
  };
}

export type ConfigResult = { ok: true; config: RelayConfig } | { ok: false; errors: string[] };

const englishErrors = { error: en().localeError };
const positiveInt = (fallback: number) => z._default(z.int().check(z.positive()), fallback);
const origin = z.string().check(
  z.refine((value) => value !== '*', { message: "'*' would let any web page connect; list the origins (scheme://host[:port])" }),
  z.regex(/^https?:\/\/[^/\s]+$/, { message: 'expected an origin: scheme://host[:port], no path (for example "https://app.example.com")' }),
);

const schema = z.strictObject({
  host: z._default(z.string().check(z.minLength(1)), '127.0.0.1'),
  port: z._default(z.int().check(z.gte(0), z.lte(65535)), 8787),
  allowedOrigins: z.optional(z.array(origin)),
  hostnames: z._default(z.array(z.string().check(z.regex(/^[A-Za-z0-9.:[\]-]+$/, { message: 'expected a host name or address, without scheme, port or path (for example "relay.example.com")' }))), []),
  trustedProxies: z._default(z.array(z.string().check(z.regex(/^[0-9A-Fa-f.:]+$/, { message: 'expected an IP address (for example "127.0.0.1")' }))), []),
  dataDir: z._default(z.string().check(z.minLength(1)), '.baton/devsync-relay'),
  adminToken: z.optional(z.string().check(z.minLength(16, { message: 'an admin token needs at least 16 characters' }))),
  heartbeatMs: z._default(z.int().check(z.gte(100)), 15_000),
  limits: z.prefault(
    z.strictObject({
      maxMessageBytes: positiveInt(DEFAULT_MAX_MESSAGE_BYTES),
      maxCodeBytes: positiveInt(DEFAULT_MAX_CODE_BYTES),
      messagesPerSecond: positiveInt(50),
      burst: positiveInt(200),
      maxConnections: positiveInt(20_000),
      pairingFailuresPerMinute: positiveInt(10),
      pairingFailuresPerSecond: positiveInt(5),
    }),
    {},
  ),
  sessions: z.prefault(z.strictObject({ idleTimeoutMs: positiveInt(3_600_000), browserGraceMs: positiveInt(30_000), maxPerUser: positiveInt(100) }), {}),
  pairing: z.prefault(
    z.strictObject({ tokenTtlMs: positiveInt(600_000), maxUnpaired: positiveInt(1000), maxUnpairedPerAddress: positiveInt(20), unpairedTtlMs: positiveInt(86_400_000) }),
    {},
  ),
});

/** Environment variables and the field each sets; they win over the file. */
const environment: Record<string, (value: string) => [path: string[], value: unknown]> = {
  HOST: (v) => [['host'], v],
  PORT: (v) => [['port'], /^\d+$/.test(v) ? Number(v) : v],
  CORS_ORIGINS: (v) => [['allowedOrigins'], v.split(',').map((o) => o.trim()).filter(Boolean)],
  DEVSYNC_HOSTNAMES: (v) => [['hostnames'], v.split(',').map((h) => h.trim()).filter(Boolean)],
  DEVSYNC_TRUSTED_PROXIES: (v) => [['trustedProxies'], v.split(',').map((h) => h.trim()).filter(Boolean)],
  DEVSYNC_DATA_DIR: (v) => [['dataDir'], v],
  DEVSYNC_ADMIN_TOKEN: (v) => [['adminToken'], v],
};

/**
 * A config's text as JSON, or else as YAML. The YAML parser is loaded only for a file that is not JSON: it costs the
 * relay's process about 3 MiB, for good.
 */
function parseJsonOrYaml(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    const yaml = createRequire(import.meta.url)('yaml') as typeof Yaml;
    return yaml.parse(text) as unknown;
  }
}

/**
 * The relay's config from a file's text (YAML or JSON; undefined: no file) and the environment. Pure: the caller
 * reads the file. Errors name the field (or the variable) and the value.
 */
export function parseRelayConfig(text: string | undefined, env: Record<string, string | undefined>, source = 'config'): ConfigResult {
  let raw: unknown = {};
  if (text !== undefined && text.trim() !== '') {
    try {
      raw = parseJsonOrYaml(text);
    } catch (err) {
      const where = err instanceof Error && 'linePos' in err && Array.isArray(err.linePos) ? ` line ${err.linePos[0].line}` : '';
      return { ok: false, errors: [`${source}${where}: not valid YAML or JSON: ${(err as Error).message.split('\n')[0]}`] };
    }
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return { ok: false, errors: [`${source}: expected a mapping of settings at the top`] };
  }
  const merged = structuredClone(raw) as Record<string, unknown>;
  const fromEnv = new Map<string, string>();
  for (const [name, apply] of Object.entries(environment)) {
    const value = env[name];
    if (value === undefined || value === '') continue;
    const [path, parsed] = apply(value);
    let target = merged;
    for (const key of path.slice(0, -1)) target = (target[key] ??= {}) as Record<string, unknown>;
    target[path.at(-1)!] = parsed;
    fromEnv.set(path.join('.'), name);
  }
  const result = schema.safeParse(merged, englishErrors);
  if (!result.success) {
    return {
      ok: false,
      errors: result.error.issues.map((issue) => {
        const field = issue.path.join('.');
        const top = String(issue.path[0] ?? '');
        const variable = fromEnv.get(field) ?? fromEnv.get(top);
        let value: unknown = merged;
        for (const key of issue.path) value = (value as Record<PropertyKey, unknown> | undefined)?.[key as string];
        const shown = value === undefined ? '' : ` (got ${JSON.stringify(value)})`;
        return `${variable ? `${variable} (${field || top})` : `${source}: ${field || '(top)'}`}: ${issue.message}${shown}`;
      }),
    };
  }
  const config = result.data;
  if (config.limits.maxCodeBytes > config.limits.maxMessageBytes) {
    return { ok: false, errors: [`${source}: limits.maxCodeBytes (${config.limits.maxCodeBytes}) must not exceed limits.maxMessageBytes (${config.limits.maxMessageBytes})`] };
  }
  return {
    ok: true,
    config: { ...config, allowedOrigins: config.allowedOrigins ? [...new Set(config.allowedOrigins)] : undefined, adminToken: config.adminToken },
  };
}
