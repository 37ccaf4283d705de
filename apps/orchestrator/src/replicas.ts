// `replicas: N` in a service: N copies of it, `<name>-1` ... `<name>-N`, each told its index. Expanded before the
// services are validated, so the supervisor sees plain services; `scale` changes N on a running stack.
import type { Issue } from '@baton/supervisor';

/** Most copies of one service. */
export const maxReplicas = 100;

/** The replicated services of a config: base name -> replica names (in index order). */
export type ReplicaGroups = Readonly<Record<string, readonly string[]>>;

/**
 * `services` (the raw `services:` mapping) with each service that has `replicas` replaced by its copies, `scale`
 * overriding the counts (an entry for a service without `replicas` is ignored). In each copy `BATON_REPLICA` (1..N) and `BATON_REPLICAS` (N) are added to `env`, and
 * `{{replica}}` in any string of its definition becomes its index (a `port:` that is then a whole number, such as
 * `port: "300{{replica}}"`, becomes that number). `dependsOn` naming a replicated service names all its copies.
 */
export function expandReplicas(services: unknown, scale: Readonly<Record<string, number>> = {}): { services: unknown; groups: ReplicaGroups; issues: Issue[] } {
  if (typeof services !== 'object' || services === null || Array.isArray(services)) return { services, groups: {}, issues: [] };
  const issues: Issue[] = [];
  const groups: Record<string, string[]> = {};
  const input = services as Record<string, unknown>;
  for (const [name, spec] of Object.entries(input)) {
    if (typeof spec !== 'object' || spec === null || !('replicas' in spec)) continue;
    const declared = (spec as { replicas: unknown }).replicas;
    if (typeof declared !== 'number' || !Number.isInteger(declared) || declared < 1 || declared > maxReplicas) {
      issues.push({ path: `services.${name}.replicas`, message: `expected a whole number from 1 to ${maxReplicas}, got ${JSON.stringify(declared)}` });
      continue;
    }
    const count = scale[name] ?? declared;
    groups[name] = Array.from({ length: count }, (_, i) => `${name}-${i + 1}`);
    for (const replica of groups[name]!) {
      if (replica in input) issues.push({ path: `services.${name}.replicas`, message: `its copy '${replica}' has the name of another service; rename one of them` });
    }
  }
  if (issues.length > 0 || Object.keys(groups).length === 0) return { services, groups, issues };

  const expanded: Record<string, unknown> = {};
  const withDeps = (spec: Record<string, unknown>) => {
    const deps = spec.dependsOn;
    if (!Array.isArray(deps)) return spec;
    return { ...spec, dependsOn: deps.flatMap((d) => (typeof d === 'string' && groups[d] ? groups[d] : [d])) };
  };
  for (const [name, spec] of Object.entries(input)) {
    const members = groups[name];
    if (!members) {
      expanded[name] = typeof spec === 'object' && spec !== null ? withDeps(spec as Record<string, unknown>) : spec;
      continue;
    }
    const { replicas: _replicas, ...rest } = spec as Record<string, unknown>;
    members.forEach((replica, i) => {
      const copy = withDeps(substitute(rest, String(i + 1)) as Record<string, unknown>);
      const env = typeof copy.env === 'object' && copy.env !== null ? (copy.env as Record<string, unknown>) : {};
      expanded[replica] = { ...copy, env: { ...env, BATON_REPLICA: String(i + 1), BATON_REPLICAS: String(members.length) } };
    });
  }
  return { services: expanded, groups, issues };
}

/** `value` with `{{replica}}` replaced in every string; a `port` that becomes a whole number becomes that number. */
function substitute(value: unknown, index: string, key?: string): unknown {
  if (typeof value === 'string') {
    if (!value.includes('{{replica}}')) return value;
    const text = value.replaceAll('{{replica}}', index);
    return key === 'port' && /^\d+$/.test(text) ? Number(text) : text;
  }
  if (Array.isArray(value)) return value.map((item) => substitute(item, index));
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v, index, k)]));
  return value;
}
