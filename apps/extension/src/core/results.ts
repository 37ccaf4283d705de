import type { Schema } from '@baton/state';
import * as z from 'zod/mini';
import { breakerAllows, breakerOnProbe, closedBreaker, nextBreaker, type BreakerOptions, type BreakerSnapshot } from '@baton/vscode/core';
import type { Endpoint } from './config.js';
import type { ProbeResult } from './probes.js';

export type EndpointState = 'up' | 'down' | 'unknown';

export interface HistoryPoint {
  /** Wall clock (ms since the epoch). */
  readonly at: number;
  readonly ok: boolean;
  readonly latencyMs: number;
}

export interface EndpointStatus {
  readonly id: string;
  readonly name: string;
  readonly type: Endpoint['type'];
  /** What is probed, for display (`http://...`, `host:port`, the command line). */
  readonly target: string;
  readonly state: EndpointState;
  readonly latencyMs: number | undefined;
  readonly detail: string | undefined;
  /** Wall clock of the last probe (ms since the epoch). */
  readonly lastCheck: number | undefined;
  readonly consecutiveFailures: number;
  readonly checks: number;
  readonly ups: number;
  readonly breaker: BreakerSnapshot;
  /** The newest last. */
  readonly history: readonly HistoryPoint[];
}

export interface Incident {
  readonly id: string;
  readonly endpoint: string;
  readonly name: string;
  readonly startedAt: number;
  readonly endedAt: number | undefined;
  readonly detail: string;
}

/** The results every window shows, written by the leader only. */
export interface Results {
  /** The fencing token of the leader that wrote last: a stale leader's writes are refused. */
  readonly term: number;
  readonly endpoints: Readonly<Record<string, EndpointStatus>>;
  /** The newest last. */
  readonly incidents: readonly Incident[];
}

export const emptyResults: Results = { term: 0, endpoints: {}, incidents: [] };

export const historyLength = 60;
export const incidentsKept = 200;

const num = () => z.number();

function isHistory(value: unknown): value is HistoryPoint[] {
  return (
    Array.isArray(value) &&
    value.every((p: unknown) => {
      const point = p as Partial<HistoryPoint> | null;
      return typeof point === 'object' && point !== null && typeof point.at === 'number' && typeof point.ok === 'boolean' && typeof point.latencyMs === 'number';
    })
  );
}
const breakerSchema = z.object({ state: z.enum(['closed', 'open', 'half-open']), consecutiveFailures: num(), retryAt: z.optional(num()) });
const statusSchema = z.object({
  id: z.string(),
  name: z.string(),
  type: z.enum(['http', 'tcp', 'command']),
  target: z.string(),
  state: z.enum(['up', 'down', 'unknown']),
  latencyMs: z.optional(num()),
  detail: z.optional(z.string()),
  lastCheck: z.optional(num()),
  consecutiveFailures: num(),
  checks: num(),
  ups: num(),
  breaker: breakerSchema,
  // Checked by one function, not a zod object per point: every window validates every version of the
  // results as it reads it, and 60 points per endpoint through zod cost about 1.5 ms a read (4.5 cold).
  history: z.custom<HistoryPoint[]>(isHistory, { message: 'expected a list of { at, ok, latencyMs }' }),
});
const incidentSchema = z.object({ id: z.string(), endpoint: z.string(), name: z.string(), startedAt: num(), endedAt: z.optional(num()), detail: z.string() });
export const resultsSchema = z.object({ term: num(), endpoints: z.record(z.string(), statusSchema), incidents: z.array(incidentSchema) });

/**
 * A zod schema as a store's schema for `T`: the schema checks the structure read from disk, and
 * `T` is the read-only view the code uses of the same structure (zod's output type spells the
 * optional fields and read-only arrays differently, not the shape).
 */
export function storeSchema<T>(schema: { safeParse(value: unknown): { success: boolean } }): Schema<T> {
  return schema as unknown as Schema<T>;
}

export function describeTarget(endpoint: Endpoint): string {
  if (endpoint.type === 'http') return endpoint.url;
  if (endpoint.type === 'tcp') return `${endpoint.host}:${endpoint.port}`;
  return [endpoint.command, ...endpoint.args].join(' ');
}

export function initialStatus(endpoint: Endpoint): EndpointStatus {
  return {
    id: endpoint.id,
    name: endpoint.name,
    type: endpoint.type,
    target: describeTarget(endpoint),
    state: 'unknown',
    latencyMs: undefined,
    detail: undefined,
    lastCheck: undefined,
    consecutiveFailures: 0,
    checks: 0,
    ups: 0,
    breaker: closedBreaker,
    history: [],
  };
}

/**
 * Whether `endpoint` is due (its interval passed since its last probe, or nearly: within a tenth of
 * it, at most a second) and its breaker lets a probe through. The slack keeps endpoints probed
 * together in one round, so the leader writes the results once per round, not once per endpoint
 * a few milliseconds apart (every write is a version every window reads).
 */
export function isDue(status: EndpointStatus | undefined, endpoint: Endpoint, now: number): boolean {
  if (!status || status.lastCheck === undefined) return true;
  const slack = Math.min(1000, endpoint.intervalMs / 10);
  return now + slack >= status.lastCheck + endpoint.intervalMs && breakerAllows(status.breaker, now + slack);
}

/** When `endpoint` is next due (wall clock), given its status. */
export function nextDue(status: EndpointStatus | undefined, endpoint: Endpoint): number {
  if (!status || status.lastCheck === undefined) return 0;
  const byInterval = status.lastCheck + endpoint.intervalMs;
  if (status.breaker.state === 'open' && status.breaker.retryAt !== undefined) return Math.max(byInterval, status.breaker.retryAt);
  return byInterval;
}

export type Transition = { kind: 'down'; incident: Incident } | { kind: 'recovered'; incident: Incident } | undefined;

/**
 * Pure: the results after one probe of `endpoint` by the leader of `term`: the status, its
 * history and breaker, and an incident opened when the endpoint went down (failureThreshold
 * consecutive failures) or closed when it came back. Returns the transition to announce.
 */
export function applyProbe(results: Results, endpoint: Endpoint, result: ProbeResult, term: number, now: number, breakerOptions?: BreakerOptions): { results: Results; transition: Transition } {
  const previous = results.endpoints[endpoint.id] ?? initialStatus(endpoint);
  const consecutiveFailures = result.ok ? 0 : previous.consecutiveFailures + 1;
  const down = !result.ok && consecutiveFailures >= endpoint.failureThreshold;
  const state: EndpointState = result.ok ? 'up' : down ? 'down' : previous.state === 'unknown' ? 'unknown' : previous.state;
  const status: EndpointStatus = {
    ...previous,
    name: endpoint.name,
    target: describeTarget(endpoint),
    state,
    latencyMs: result.latencyMs,
    detail: result.detail,
    lastCheck: now,
    consecutiveFailures,
    checks: previous.checks + 1,
    ups: previous.ups + (result.ok ? 1 : 0),
    breaker: nextBreaker(breakerOnProbe(previous.breaker, now), result.ok, now, breakerOptions),
    history: [...previous.history, { at: now, ok: result.ok, latencyMs: result.latencyMs }].slice(-historyLength),
  };
  let incidents = results.incidents;
  let transition: Transition;
  const open = incidents.findLast((i) => i.endpoint === endpoint.id && i.endedAt === undefined);
  if (state === 'down' && !open) {
    const incident: Incident = { id: `${endpoint.id}@${now}`, endpoint: endpoint.id, name: endpoint.name, startedAt: now, endedAt: undefined, detail: result.detail };
    incidents = [...incidents, incident].slice(-incidentsKept);
    transition = { kind: 'down', incident };
  } else if (state === 'up' && open) {
    const closed: Incident = { ...open, endedAt: now };
    incidents = incidents.map((i) => (i === open ? closed : i));
    transition = { kind: 'recovered', incident: closed };
  }
  return { results: { term, endpoints: { ...results.endpoints, [endpoint.id]: status }, incidents }, transition };
}

/** Drops the statuses of endpoints no window configures any more. */
export function pruneResults(results: Results, endpoints: readonly Endpoint[], term: number): Results {
  const ids = new Set(endpoints.map((e) => e.id));
  const kept = Object.fromEntries(Object.entries(results.endpoints).filter(([id]) => ids.has(id)));
  return Object.keys(kept).length === Object.keys(results.endpoints).length ? results : { ...results, term, endpoints: kept };
}
