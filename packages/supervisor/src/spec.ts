import * as z from 'zod/mini';
import en from 'zod/v4/locales/en.js';
import { SpecError } from './errors.js';

// zod/mini: the same validation and issues as classic zod, with a fraction of the code loaded
// (classic zod costs a supervisor process about 3 MiB more). Its messages come from the English
// locale passed to each parse, rather than set globally for every user of zod in the process.
const englishErrors = { error: en().localeError };

const int = (...checks: z.core.$ZodCheck<number>[]) => z.int().check(...checks);
const positiveInt = (fallback: number) => z._default(int(z.positive()), fallback);
const nonnegativeInt = (fallback: number) => z._default(int(z.nonnegative()), fallback);
const nonEmpty = () => z.string().check(z.minLength(1));

const probeTiming = {
  /** Give up after this long (default 30000 ms). */
  timeoutMs: positiveInt(30_000),
  /** Time between attempts (default 250 ms). */
  periodMs: positiveInt(250),
  /** Wait this long after spawn before the first attempt (default 0). */
  initialDelayMs: nonnegativeInt(0),
};

/** The schema of a readiness check. */
export const readinessSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('exit0'), ...probeTiming }),
  z.strictObject({ type: z.literal('tcp'), port: int(z.minimum(1), z.maximum(65535)), host: z._default(z.string(), '127.0.0.1'), ...probeTiming }),
  z.strictObject({ type: z.literal('http'), url: z.url(), expectStatus: z.optional(int(z.minimum(100), z.maximum(599))), ...probeTiming }),
  z.strictObject({ type: z.literal('log'), pattern: nonEmpty(), ...probeTiming }),
  z.strictObject({ type: z.literal('exec'), command: nonEmpty(), ...probeTiming }),
  z.strictObject({ type: z.literal('ipc'), ...probeTiming }),
]);

const livenessTiming = {
  /** Time between checks once the service is ready (default 5000 ms). */
  periodMs: positiveInt(5000),
  /** Consecutive failed checks that make the service unhealthy (default 3). */
  failureThreshold: positiveInt(3),
  /** Wait this long after ready before the first check (default 0). */
  initialDelayMs: nonnegativeInt(0),
  /** One check may take this long (default 2000 ms). */
  timeoutMs: positiveInt(2000),
};

/** Checks after ready; an unhealthy service is stopped and restarted by its restart policy. */
export const livenessSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('tcp'), port: int(z.minimum(1), z.maximum(65535)), host: z._default(z.string(), '127.0.0.1'), ...livenessTiming }),
  z.strictObject({ type: z.literal('http'), url: z.url(), expectStatus: z.optional(int(z.minimum(100), z.maximum(599))), ...livenessTiming }),
  z.strictObject({ type: z.literal('exec'), command: nonEmpty(), ...livenessTiming }),
]);

/** The schema of a restart policy. */
export const restartSchema = z
  .strictObject({
    policy: z._default(z.enum(['always', 'on-failure', 'never']), 'on-failure'),
    /** At most this many restarts within windowMs (a sliding window), then the service fails. */
    maxRestarts: nonnegativeInt(5),
    windowMs: positiveInt(60_000),
    backoff: z.prefault(
      z.strictObject({
        initialMs: z._default(z.number().check(z.nonnegative()), 100),
        maxMs: z._default(z.number().check(z.nonnegative()), 10_000),
        factor: z._default(z.number().check(z.minimum(1)), 2),
        /** Fraction of the delay that is random (0 = exact, 1 = full jitter). */
        jitter: z._default(z.number().check(z.minimum(0), z.maximum(1)), 0.2),
      }),
      {},
    ),
    /** After this long up, a crash starts the backoff from the beginning again. */
    resetAfterMs: positiveInt(30_000),
    /** What to do when the limit is hit: stay failed (default) or stop everything (escalate). */
    onGiveUp: z._default(z.enum(['stay-failed', 'stop-all']), 'stay-failed'),
  })
  .check(z.refine((r) => r.backoff.maxMs >= r.backoff.initialMs, { message: 'backoff.maxMs must be >= backoff.initialMs', path: ['backoff', 'maxMs'] }));

/** The schema of a stop policy. */
export const stopSchema = z.strictObject({
  signal: z._default(z.enum(['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2']), 'SIGTERM'),
  /** Then SIGKILL to the whole process group. */
  timeoutMs: nonnegativeInt(10_000),
});

/** The schema of a service spec. */
export const serviceSpecSchema = z
  .strictObject({
    /** A program with `args`, or a shell command line without. */
    command: nonEmpty(),
    args: z.optional(z.array(z.string())),
    cwd: z.optional(z.string()),
    env: z.optional(z.record(z.string(), z.string())),
    tier: z.optional(int(z.nonnegative())),
    dependsOn: z.optional(z.array(nonEmpty())),
    readiness: z.optional(readinessSchema),
    liveness: z.optional(livenessSchema),
    /**
     * When a service this one depends on (dependsOn, or a lower tier) restarts: 'restart' this one
     * too once it is ready again; 'none' (default) leaves it running, shown as degraded meanwhile.
     */
    onDependencyRestart: z._default(z.enum(['restart', 'none']), 'none'),
    restart: z.prefault(restartSchema, {}),
    stop: z.prefault(stopSchema, {}),
    /** Output lines kept for `logs` and error messages (default 1000). */
    logLines: z._default(int(z.positive(), z.maximum(100_000)), 1000),
  })
  .check(z.refine((s) => !(s.tier !== undefined && s.dependsOn !== undefined), { message: 'use either tier or dependsOn, not both', path: ['dependsOn'] }));

/** A service spec as written, before defaults are applied. */
export type ServiceSpecInput = z.input<typeof serviceSpecSchema>;
/** How a service says it is ready. */
export type ReadinessSpec = z.output<typeof readinessSchema>;
export type LivenessSpec = z.output<typeof livenessSchema>;
/** When and how a service is restarted. */
export type RestartSpec = z.output<typeof restartSchema>;
/** A service as the supervisor runs it: the command, restart and stop policies, readiness, liveness, and dependencies. */
export interface ServiceSpec extends z.output<typeof serviceSpecSchema> {
  name: string;
}

/** A problem in a spec: where, and what. */
export interface Issue {
  path: string;
  message: string;
}

const namePattern = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/**
 * Validates services given as `{ name: spec }`. Pure: returns the specs, or every problem with
 * its path (`<prefix>.<name>.<field>`), so a config file can be checked without running it.
 */
export function parseServices(input: unknown, prefix = 'services'): { specs: ServiceSpec[] } | { issues: Issue[] } {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return { issues: [{ path: prefix, message: 'expected an object of services keyed by name' }] };
  }
  const issues: Issue[] = [];
  const specs: ServiceSpec[] = [];
  for (const [name, raw] of Object.entries(input)) {
    if (!namePattern.test(name)) issues.push({ path: `${prefix}.${name}`, message: 'a service name is 1-64 letters, digits, dots, dashes or underscores' });
    const result = serviceSpecSchema.safeParse(raw, englishErrors);
    if (!result.success) {
      for (const issue of result.error.issues) {
        issues.push({ path: [prefix, name, ...issue.path.map(String)].join('.'), message: issue.message });
      }
    } else specs.push({ ...result.data, name });
  }
  const names = new Set(specs.map((s) => s.name));
  for (const spec of specs) {
    for (const dep of spec.dependsOn ?? []) {
      if (!names.has(dep) && !(dep in (input as object))) issues.push({ path: `${prefix}.${spec.name}.dependsOn`, message: `unknown service '${dep}'` });
    }
  }
  if (issues.length === 0) {
    const cycle = findCycle(specs);
    if (cycle) issues.push({ path: `${prefix}.${cycle[0]}.dependsOn`, message: `dependency cycle: ${cycle.join(' -> ')}` });
  }
  return issues.length > 0 ? { issues } : { specs };
}

/** parseServices, throwing SpecError. */
export function validateServices(input: unknown, prefix = 'services'): ServiceSpec[] {
  const result = parseServices(input, prefix);
  if ('issues' in result) throw new SpecError(result.issues);
  return result.specs;
}

function findCycle(specs: readonly ServiceSpec[]): string[] | undefined {
  const deps = new Map(specs.map((s) => [s.name, s.dependsOn ?? []]));
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (name: string): string[] | undefined => {
    if (state.get(name) === 'done') return undefined;
    if (state.get(name) === 'visiting') return [...stack.slice(stack.indexOf(name)), name];
    state.set(name, 'visiting');
    stack.push(name);
    for (const dep of deps.get(name) ?? []) {
      const cycle = visit(dep);
      if (cycle) return cycle;
    }
    stack.pop();
    state.set(name, 'done');
    return undefined;
  };
  for (const spec of specs) {
    const cycle = visit(spec.name);
    if (cycle) return cycle;
  }
  return undefined;
}

/**
 * The start order: services grouped in tiers. With `tier`, as given; with `dependsOn`, a service
 * goes one tier after the highest of its dependencies (none: tier 0). Mixed configs work too.
 */
export function computeTiers(specs: readonly ServiceSpec[]): ServiceSpec[][] {
  const byName = new Map(specs.map((s) => [s.name, s]));
  const level = new Map<string, number>();
  const levelOf = (spec: ServiceSpec): number => {
    const known = level.get(spec.name);
    if (known !== undefined) return known;
    const value =
      spec.tier ?? (spec.dependsOn?.length ? 1 + Math.max(...spec.dependsOn.map((d) => (byName.has(d) ? levelOf(byName.get(d)!) : -1))) : 0);
    level.set(spec.name, value);
    return value;
  };
  const tiers: ServiceSpec[][] = [];
  for (const spec of specs) (tiers[levelOf(spec)] ??= []).push(spec);
  return tiers.filter((t) => t !== undefined && t.length > 0);
}

/** Whether two specs would run the same way (a changed spec means a restart on apply). */
export function sameSpec(a: ServiceSpec, b: ServiceSpec): boolean {
  return JSON.stringify(sortKeys(a)) === JSON.stringify(sortKeys(b));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(Object.keys(value).sort().map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]));
}
