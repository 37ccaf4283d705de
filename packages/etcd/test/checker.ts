// The checker of the chaos tests, for etcd: accepted writes (kept in etcd, in revision order)
// never go back in token and each token belongs to one process; the spans over which different
// terms believed they led never overlap.
import type { Etcd3 } from 'etcd3';
import type { Fixture } from '@baton/test-utils';

export interface Spans {
  readonly spans: Map<number, { first: bigint; last: bigint; ids: Set<string> }>;
  /** Follows a fixture's `observed` lines (past and future). */
  watch(fixture: Fixture, id: string): void;
}

export function collectSpans(): Spans {
  const spans = new Map<number, { first: bigint; last: bigint; ids: Set<string> }>();
  return {
    spans,
    watch(fixture, id) {
      const handle = (line: string) => {
        const parts = line.split(' ');
        if (parts[0] !== 'observed') return;
        const token = Number(parts[1]);
        const first = BigInt(parts[2]!);
        const last = BigInt(parts[3]!);
        const span = spans.get(token) ?? { first, last, ids: new Set<string>() };
        span.first = first < span.first ? first : span.first;
        span.last = last > span.last ? last : span.last;
        span.ids.add(id);
        spans.set(token, span);
      };
      fixture.lines.forEach(handle);
      fixture.onLine(handle);
    },
  };
}

export async function check(client: Etcd3, name: string, spans: Spans): Promise<{ violations: string[]; writes: number; terms: number }> {
  const response = await client.getAll().prefix(`chaos/${name}/writes/`).sort('Mod', 'Ascend').exec();
  const writes = response.kvs.map((kv) => {
    const [token, id] = kv.value.toString('utf8').split(' ');
    return { token: Number(token), id: id! };
  });
  const violations: string[] = [];
  const ownerOf = new Map<number, string>();
  for (let i = 0; i < writes.length; i++) {
    const w = writes[i]!;
    if (i > 0 && w.token < writes[i - 1]!.token) violations.push(`write ${i}: token ${w.token} after ${writes[i - 1]!.token}`);
    const owner = ownerOf.get(w.token);
    if (owner && owner !== w.id) violations.push(`token ${w.token} used by ${owner} and ${w.id}`);
    ownerOf.set(w.token, w.id);
  }
  const ordered = [...spans.spans.entries()].sort((a, b) => (a[1].first < b[1].first ? -1 : 1));
  for (let i = 1; i < ordered.length; i++) {
    const [prevToken, prev] = ordered[i - 1]!;
    const [token, span] = ordered[i]!;
    if (span.first <= prev.last) violations.push(`terms ${prevToken} and ${token} both believed they led for ${Number(prev.last - span.first) / 1e6} ms`);
    if (token < prevToken) violations.push(`term ${token} led after term ${prevToken}`);
  }
  for (const [token, span] of spans.spans) if (span.ids.size > 1) violations.push(`token ${token} led by ${[...span.ids].join(', ')}`);
  return { violations, writes: writes.length, terms: ownerOf.size };
}
