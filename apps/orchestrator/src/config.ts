import { parse as parseYaml, YAMLParseError } from 'yaml';
import * as z from 'zod/mini';
import en from 'zod/v4/locales/en.js';
import { parseServices, type Issue, type ServiceSpec } from '@baton/supervisor';

export interface OrchestratorConfig {
  services: ServiceSpec[];
  reload: { debounceMs: number; maxPerMinute: number };
  telemetry: { file: string | undefined; batchSize: number; flushMs: number };
}

// zod/mini, as @baton/supervisor uses: classic zod would load several MiB more code into the
// long-running orchestrator for the same checks.
const englishErrors = { error: en().localeError };
const positiveInt = (fallback: number) => z._default(z.int().check(z.positive()), fallback);

const topLevel = z.strictObject({
  services: z.unknown(),
  reload: z.prefault(z.strictObject({ debounceMs: z._default(z.int().check(z.nonnegative()), 300), maxPerMinute: positiveInt(10) }), {}),
  telemetry: z.prefault(z.strictObject({ file: z.optional(z.string()), batchSize: positiveInt(512), flushMs: positiveInt(1000) }), {}),
});

/**
 * `${VAR}` and `${VAR:-default}` in the raw text, before YAML parsing, so a number stays a number
 * (`port: ${API_PORT:-4000}`). `$${` escapes a literal `${`. An unset variable with no default is
 * an error naming it and its line.
 */
export function interpolate(text: string, env: Record<string, string | undefined>): { text: string; issues: Issue[] } {
  const issues: Issue[] = [];
  const out = text.replace(/\$?\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g, (match, name: string, fallback: string | undefined, offset: number) => {
    if (match.startsWith('$$')) return match.slice(1);
    const value = env[name];
    if (value !== undefined && value !== '') return value;
    if (fallback !== undefined) return fallback;
    const line = text.slice(0, offset).split('\n').length;
    issues.push({ path: `line ${line}`, message: `\${${name}} is not set; set it or give a default: \${${name}:-value}` });
    return '';
  });
  return { text: out, issues };
}

/**
 * Pure: text -> config or every problem with its path (`services.api.readiness.port: expected
 * number`). YAML, or JSON (a YAML subset).
 */
export function parseConfig(text: string, env: Record<string, string | undefined> = {}): { config: OrchestratorConfig } | { issues: Issue[] } {
  const substituted = interpolate(text, env);
  if (substituted.issues.length > 0) return { issues: substituted.issues };
  let raw: unknown;
  try {
    raw = parseYaml(substituted.text, { prettyErrors: true });
  } catch (err) {
    const position = err instanceof YAMLParseError && err.linePos ? `line ${err.linePos[0].line}` : 'config';
    return { issues: [{ path: position, message: (err as Error).message.split('\n')[0]! }] };
  }
  if (raw === null || raw === undefined) return { issues: [{ path: 'config', message: 'the file is empty; it needs at least `services:`' }] };
  // Every problem at once: the top level and each service.
  const top = topLevel.safeParse(raw, englishErrors);
  const issues: Issue[] = top.success ? [] : top.error.issues.map((i) => ({ path: i.path.length ? i.path.join('.') : 'config', message: i.message }));
  const rawServices = (raw as { services?: unknown }).services;
  const services = rawServices === undefined ? undefined : parseServices(rawServices, 'services');
  if (rawServices === undefined) issues.push({ path: 'services', message: 'required: the services to run' });
  else if (services && 'issues' in services) issues.push(...services.issues);
  if (issues.length > 0 || !top.success || !services || 'issues' in services) return { issues };
  return { config: { services: services.specs, reload: top.data.reload, telemetry: { file: top.data.telemetry.file, batchSize: top.data.telemetry.batchSize, flushMs: top.data.telemetry.flushMs } } };
}
