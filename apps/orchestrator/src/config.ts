import { isPair, isSeq, parse as parseYaml, parseDocument, visit, YAMLParseError } from 'yaml';
import * as z from 'zod/mini';
import en from 'zod/v4/locales/en.js';
import { parseServices, type Issue, type ServiceSpec } from '@baton/supervisor';
import { expandReplicas, type ReplicaGroups } from './replicas.js';

export interface OrchestratorConfig {
  services: ServiceSpec[];
  /** The services with `replicas:`, by name, and the names of their copies (`api-1`, `api-2`). */
  replicas: ReplicaGroups;
  reload: { debounceMs: number; maxPerMinute: number; windowMs: number };
  telemetry: { file: string | undefined; batchSize: number; flushMs: number };
  /**
   * Where the single-instance election runs: this machine's files (default), or etcd, so that
   * orchestrators on several hosts sharing a workspace cannot both run the stack.
   */
  instance: { etcd: { hosts: string[]; name: string | undefined; ttlMs: number } | undefined };
  /** Per-service log files (`<dir>/<service>.log`), rotated by size. */
  logs: { dir: string | undefined; maxBytes: number; keep: number };
  /** A Prometheus endpoint, off unless `metrics.listen` is set. */
  metrics: { host: string; port: number } | undefined;
}

// zod/mini, as @baton/supervisor uses: classic zod would load several MiB more code into the
// long-running orchestrator for the same checks.
const englishErrors = { error: en().localeError };
const positiveInt = (fallback: number) => z._default(z.int().check(z.positive()), fallback);

/**
 * The bound of every file the orchestrator appends to (each service's log, its own `orchestrator.log`,
 * `events.ndjson`): rotated at `maxBytes`, `keep` rotated files kept beside each. `logs:` in the config changes it.
 */
export const logDefaults = { maxBytes: 10 * 1024 * 1024, keep: 3 } as const;

const topLevel = z.strictObject({
  services: z.unknown(),
  reload: z.prefault(z.strictObject({ debounceMs: z._default(z.int().check(z.nonnegative()), 300), maxPerMinute: positiveInt(10), windowMs: positiveInt(60_000) }), {}),
  telemetry: z.prefault(z.strictObject({ file: z.optional(z.string()), batchSize: positiveInt(512), flushMs: positiveInt(1000) }), {}),
  logs: z.prefault(z.strictObject({ dir: z.optional(z.string().check(z.minLength(1))), maxBytes: positiveInt(logDefaults.maxBytes), keep: z._default(z.int().check(z.gte(0), z.lte(100)), logDefaults.keep) }), {}),
  metrics: z.optional(
    z.strictObject({
      // host:port, or a port alone (loopback then).
      listen: z.union([
        z.int().check(z.gte(0), z.lte(65535)),
        z.string().check(
          z.regex(/^(\[[0-9a-fA-F:]+\]|[^:]+):\d{1,5}$|^\d{1,5}$/, { message: 'expected "host:port" (for example "127.0.0.1:9464") or a port' }),
          // Only a number above the range: other shapes are the pattern's to report.
          z.refine((v) => !(Number(v.split(':').pop()) > 65535), { message: 'the port must be 0 to 65535' }),
        ),
      ]),
    }),
  ),
  instance: z.prefault(
    z.strictObject({
      etcd: z.optional(
        z.strictObject({
          // A list, or one string of comma-separated URLs (as an environment variable gives it).
          hosts: z.union([z.string().check(z.minLength(1)), z.array(z.string().check(z.minLength(1))).check(z.minLength(1))]),
          name: z.optional(z.string().check(z.minLength(1))),
          ttlMs: z._default(z.int().check(z.gte(1000)), 5000),
        }),
      ),
    }),
    {},
  ),
});

const reference = /\$?\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

type Reference = { kind: 'variable'; name: string; fallback: string | undefined } | { kind: 'literal'; text: string };

/**
 * `${VAR}` and `${VAR:-default}` in the config's values, from `env`, after YAML parsing: a value can
 * never add YAML structure, and references in comments are left alone. A plain (unquoted) value
 * that is exactly one reference takes the type its text has in YAML when that is a number, a
 * boolean or null (`port: ${PORT:-3000}` is a number); anything else is a string. `$${` is a
 * literal `${`. An unset variable with no default is an issue naming it and the field.
 *
 * The references are swapped for placeholders before parsing (so that `{ port: ${PORT} }` in a flow
 * mapping still parses), and the placeholders for the values after.
 */
export function interpolate(text: string, env: Record<string, string | undefined>): { value: unknown; issues: Issue[] } {
  const nonce = Math.random().toString(36).slice(2, 10);
  const references: Reference[] = [];
  const token = (i: number) => `__baton_${nonce}_${i}__`;
  const tokenized = text.replace(reference, (match, name: string, fallback: string | undefined) => {
    references.push(match.startsWith('$$') ? { kind: 'literal', text: match.slice(1) } : { kind: 'variable', name, fallback });
    return token(references.length - 1);
  });
  const issues: Issue[] = [];
  const document = parseDocument(tokenized, { prettyErrors: true });
  if (document.errors.length > 0) return { value: undefined, issues: document.errors.map(yamlIssue) };
  const tokenPattern = new RegExp(`__baton_${nonce}_(\\d+)__`, 'g');
  const resolve = (ref: Reference, path: string): string => {
    if (ref.kind === 'literal') return ref.text;
    const value = env[ref.name];
    if (value !== undefined && value !== '') return value;
    if (ref.fallback !== undefined) return ref.fallback;
    issues.push({ path, message: `\${${ref.name}} is not set; set it or give a default: \${${ref.name}:-value}` });
    return '';
  };
  visit(document, {
    Scalar(_key, node, ancestors) {
      if (typeof node.value !== 'string' || !node.value.includes(`__baton_${nonce}_`)) return;
      const path = fieldPath(ancestors, node);
      const whole = new RegExp(`^__baton_${nonce}_(\\d+)__$`).exec(node.value);
      const substituted = node.value.replace(tokenPattern, (_m, i: string) => resolve(references[Number(i)]!, path));
      if (whole && node.type === 'PLAIN' && references[Number(whole[1])]!.kind === 'variable') {
        const typed: unknown = parseScalar(substituted);
        node.value = typeof typed === 'number' || typeof typed === 'boolean' || typed === null ? typed : substituted;
      } else {
        node.value = substituted;
      }
    },
  });
  return { value: document.toJS(), issues };
}

/**
 * A YAML syntax error as an issue: `line 4, column 1` and the parser's message, without the position it repeats
 * and the snippet it announces with a trailing colon.
 */
function yamlIssue(error: YAMLParseError): Issue {
  const message = error.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?\s*$/, '').replace(/:\s*$/, '');
  const at = error.linePos?.[0];
  return { path: at ? `line ${at.line}, column ${at.col}` : 'config', message };
}

/** What `text` is as a YAML scalar (a number, a boolean, null), or the text itself. */
function parseScalar(text: string): unknown {
  try {
    return parseYaml(text);
  } catch {
    return text;
  }
}

/** `services.api.env.TOKEN`, from the ancestors the YAML visitor passes. */
function fieldPath(ancestors: readonly unknown[], node: unknown): string {
  const parts: string[] = [];
  const chain = [...ancestors, node];
  for (let i = 0; i < chain.length; i++) {
    const here = chain[i];
    if (isPair(here) && here.key !== null && chain[i + 1] === here.value) parts.push(String((here.key as { value?: unknown }).value ?? here.key));
    if (isSeq(here)) parts.push(String(here.items.indexOf(chain[i + 1] as never)));
  }
  return parts.length > 0 ? parts.join('.') : 'config';
}

/**
 * Pure: text -> config or every problem with its path (`services.api.readiness.port: expected
 * number`). YAML, or JSON (a YAML subset).
 */
export function parseConfig(text: string, env: Record<string, string | undefined> = {}, scale: Readonly<Record<string, number>> = {}): { config: OrchestratorConfig } | { issues: Issue[] } {
  let raw: unknown;
  try {
    const substituted = interpolate(text, env);
    if (substituted.issues.length > 0) return { issues: substituted.issues };
    raw = substituted.value;
  } catch (err) {
    if (err instanceof YAMLParseError) return { issues: [yamlIssue(err)] };
    return { issues: [{ path: 'config', message: (err as Error).message.split('\n')[0]! }] };
  }
  if (raw === null || raw === undefined) return { issues: [{ path: 'config', message: 'the file is empty; it needs at least `services:`' }] };
  // Every problem at once: the top level and each service.
  const top = topLevel.safeParse(raw, englishErrors);
  const issues: Issue[] = top.success ? [] : top.error.issues.map((i) => ({ path: i.path.length ? i.path.join('.') : 'config', message: i.message }));
  const replicated = expandReplicas((raw as { services?: unknown }).services, scale);
  issues.push(...replicated.issues);
  const rawServices = replicated.services;
  const services = rawServices === undefined || replicated.issues.length > 0 ? undefined : parseServices(rawServices, 'services');
  if (rawServices === undefined) issues.push({ path: 'services', message: 'required: the services to run' });
  else if (services && 'issues' in services) issues.push(...services.issues);
  if (issues.length > 0 || !top.success || !services || 'issues' in services) return { issues };
  const etcd = top.data.instance.etcd;
  const instance = {
    etcd: etcd && {
      hosts: (Array.isArray(etcd.hosts) ? etcd.hosts : etcd.hosts.split(',')).map((h) => h.trim()).filter(Boolean),
      name: etcd.name,
      ttlMs: etcd.ttlMs,
    },
  };
  const listen = top.data.metrics?.listen;
  const metrics = listen === undefined ? undefined : parseListen(listen);
  return { config: { services: services.specs, replicas: replicated.groups, reload: top.data.reload, telemetry: { file: top.data.telemetry.file, batchSize: top.data.telemetry.batchSize, flushMs: top.data.telemetry.flushMs }, logs: { dir: top.data.logs.dir, maxBytes: top.data.logs.maxBytes, keep: top.data.logs.keep }, instance, metrics } };
}

/** `9464`, `"9464"`, `"127.0.0.1:9464"`, `"[::1]:9464"` -> host and port (loopback when only a port). */
function parseListen(listen: number | string): { host: string; port: number } {
  if (typeof listen === 'number' || /^\d+$/.test(listen)) return { host: '127.0.0.1', port: Number(listen) };
  const at = listen.lastIndexOf(':');
  return { host: listen.slice(0, at).replace(/^\[|\]$/g, ''), port: Number(listen.slice(at + 1)) };
}
