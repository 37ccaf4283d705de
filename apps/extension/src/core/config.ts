import * as z from 'zod/mini';
import en from 'zod/v4/locales/en.js';

const englishErrors = { error: en().localeError };

const int = (...checks: z.core.$ZodCheck<number>[]) => z.int().check(...checks);
const nonEmpty = () => z.string().check(z.minLength(1));

const timing = {
  /** Seconds between probes (default 30). */
  intervalSeconds: z._default(z.number().check(z.minimum(1), z.maximum(86_400)), 30),
  /** Seconds before a probe counts as failed (default 5). */
  timeoutSeconds: z._default(z.number().check(z.positive(), z.maximum(600)), 5),
  /** Consecutive failures before the endpoint is down and an incident opens (default 1). */
  failureThreshold: z._default(int(z.minimum(1), z.maximum(100)), 1),
};

const statusList = z.union([int(z.minimum(100), z.maximum(599)), z.array(int(z.minimum(100), z.maximum(599))).check(z.minLength(1))]);

export const endpointSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('http'),
    name: nonEmpty(),
    url: z.url({ protocol: /^https?$/ }),
    /** Accepted status codes (default any 2xx or 3xx). */
    expectStatus: z.optional(statusList),
    /** A regular expression the response body must match. */
    bodyMatch: z.optional(nonEmpty().check(z.refine((pattern) => isRegExp(pattern), { message: 'not a valid regular expression' }))),
    ...timing,
  }),
  z.strictObject({
    type: z.literal('tcp'),
    name: nonEmpty(),
    host: z._default(nonEmpty(), '127.0.0.1'),
    port: int(z.minimum(1), z.maximum(65_535)),
    ...timing,
  }),
  z.strictObject({
    type: z.literal('command'),
    name: nonEmpty(),
    /** A program, run without a shell, with `args`. */
    command: nonEmpty(),
    args: z._default(z.array(z.string()), []),
    cwd: z.optional(nonEmpty()),
    /** The exit code that means up (default 0). */
    expectExitCode: z._default(int(z.minimum(0), z.maximum(255)), 0),
    ...timing,
  }),
]);

export type EndpointInput = z.input<typeof endpointSchema>;
type ParsedEndpoint = z.output<typeof endpointSchema>;

interface EndpointTiming {
  readonly name: string;
  /** Stable across windows: the same name and target in two windows is one endpoint, probed once. */
  readonly id: string;
  readonly intervalMs: number;
  readonly timeoutMs: number;
  readonly failureThreshold: number;
}

export type Endpoint =
  | (EndpointTiming & { readonly type: 'http'; readonly url: string; readonly expectStatus: readonly number[] | undefined; readonly bodyMatch: string | undefined })
  | (EndpointTiming & { readonly type: 'tcp'; readonly host: string; readonly port: number })
  | (EndpointTiming & { readonly type: 'command'; readonly command: string; readonly args: readonly string[]; readonly cwd: string | undefined; readonly expectExitCode: number });

/** A problem in a configuration source, named by where it is: `settings healthWatch.endpoints[2].url: ...`. */
export interface ConfigIssue {
  readonly source: string;
  readonly path: string;
  readonly message: string;
}

export interface ConfigSource {
  /** Shown in issues: `settings` or the workspace file's path. */
  readonly source: string;
  /** Where the list is inside the source, for issue paths (`healthWatch.endpoints`, `endpoints`). */
  readonly path: string;
  /** The list as read (anything: it is validated here). */
  readonly endpoints: unknown;
}

export interface ParsedConfig {
  readonly endpoints: readonly Endpoint[];
  /** Endpoints with problems are left out; the others are kept. */
  readonly issues: readonly ConfigIssue[];
}

function isRegExp(pattern: string): boolean {
  try {
    new RegExp(pattern);
    return true;
  } catch {
    return false;
  }
}

function target(e: ParsedEndpoint): string {
  if (e.type === 'http') return e.url;
  if (e.type === 'tcp') return `${e.host}:${e.port}`;
  return JSON.stringify([e.command, ...e.args, e.cwd ?? '']);
}

function normalize(e: ParsedEndpoint): Endpoint {
  const common: EndpointTiming = {
    name: e.name,
    id: `${e.type}:${e.name}:${target(e)}`,
    intervalMs: Math.round(e.intervalSeconds * 1000),
    timeoutMs: Math.round(e.timeoutSeconds * 1000),
    failureThreshold: e.failureThreshold,
  };
  if (e.type === 'http') {
    const expectStatus = e.expectStatus === undefined ? undefined : Array.isArray(e.expectStatus) ? e.expectStatus : [e.expectStatus];
    return { ...common, type: 'http', url: e.url, expectStatus, bodyMatch: e.bodyMatch };
  }
  if (e.type === 'tcp') return { ...common, type: 'tcp', host: e.host, port: e.port };
  return { ...common, type: 'command', command: e.command, args: e.args, cwd: e.cwd, expectExitCode: e.expectExitCode };
}

/**
 * Pure: the endpoint lists from settings and the workspace file -> the endpoints, or the problems
 * with where they are. A bad entry is reported and left out; the good ones are kept (a typo in one
 * endpoint does not stop the others being watched). Names must be unique across the sources.
 */
export function parseEndpoints(sources: readonly ConfigSource[]): ParsedConfig {
  const endpoints: Endpoint[] = [];
  const issues: ConfigIssue[] = [];
  const seen = new Map<string, string>();
  for (const { source, path, endpoints: list } of sources) {
    if (list === undefined || list === null) continue;
    if (!Array.isArray(list)) {
      issues.push({ source, path, message: `expected a list of endpoints, got ${describe(list)}` });
      continue;
    }
    list.forEach((raw: unknown, index) => {
      const at = `${path}[${index}]`;
      const parsed = endpointSchema.safeParse(raw, englishErrors);
      if (!parsed.success) {
        for (const issue of parsed.error.issues) {
          issues.push({ source, path: [at, ...issue.path.map(String)].join('.'), message: issue.message });
        }
        return;
      }
      const endpoint = normalize(parsed.data);
      const first = seen.get(endpoint.name);
      if (first !== undefined) {
        issues.push({ source, path: `${at}.name`, message: `'${endpoint.name}' is already the name of an endpoint in ${first}; names must be unique` });
        return;
      }
      seen.set(endpoint.name, source);
      endpoints.push(endpoint);
    });
  }
  return { endpoints, issues };
}

/** Parses the workspace file's text (`{ "endpoints": [...] }`); a syntax error is one issue naming the file. */
export function parseWorkspaceFile(file: string, text: string): ConfigSource | ConfigIssue {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { source: file, path: '(file)', message: `not valid JSON: ${(err as Error).message}` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { source: file, path: '(file)', message: `expected an object with an "endpoints" list, got ${describe(value)}` };
  }
  const unknownKeys = Object.keys(value).filter((key) => key !== 'endpoints' && key !== '$schema');
  if (unknownKeys.length > 0) return { source: file, path: unknownKeys[0]!, message: 'unknown key; the file has only "endpoints"' };
  return { source: file, path: 'endpoints', endpoints: (value as { endpoints?: unknown }).endpoints };
}

export function formatIssue(issue: ConfigIssue): string {
  return `${issue.source} ${issue.path}: ${issue.message}`;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'string') return `the string ${JSON.stringify(value.slice(0, 40))}`;
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}
