// The checker of the chaos tests (local and etcd): accepted fenced writes, in the order the
// resource took them, never go back in token and each token belongs to one process; the spans
// over which different terms believed they led (CLOCK_MONOTONIC ns, printed by each process as
// `observed <token> <firstNs> <lastNs>`) never overlap.
import type { Fixture } from './fixture.js';

export type BeliefSpans = Map<number, { first: bigint; last: bigint; ids: Set<string> }>;

/** Adds one `observed <token> <firstNs> <lastNs>` line of process `id` to `spans`. */
export function addObservedLine(spans: BeliefSpans, id: string, line: string): void {
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
}

/** Follows a fixture's `observed` lines, past and future, into `spans`. */
export function watchObserved(spans: BeliefSpans, fixture: Fixture, id: string): void {
  fixture.lines.forEach((line) => addObservedLine(spans, id, line));
  fixture.onLine((line) => addObservedLine(spans, id, line));
}

/** Every violation of one-leader-at-a-time found in the writes and the spans; `terms`: tokens that wrote. */
export function checkLeadership(writes: readonly { token: number; id: string }[], spans: BeliefSpans): { violations: string[]; terms: number } {
  const violations: string[] = [];
  const ownerOf = new Map<number, string>();
  for (let i = 0; i < writes.length; i++) {
    const w = writes[i]!;
    if (i > 0 && w.token < writes[i - 1]!.token) violations.push(`write ${i}: token ${w.token} after ${writes[i - 1]!.token}`);
    const owner = ownerOf.get(w.token);
    if (owner && owner !== w.id) violations.push(`token ${w.token} used by ${owner} and ${w.id}`);
    ownerOf.set(w.token, w.id);
  }
  const ordered = [...spans.entries()].sort((a, b) => (a[1].first < b[1].first ? -1 : 1));
  for (let i = 1; i < ordered.length; i++) {
    const [prevToken, prev] = ordered[i - 1]!;
    const [token, span] = ordered[i]!;
    if (span.first <= prev.last) violations.push(`terms ${prevToken} and ${token} both believed they led for ${Number(prev.last - span.first) / 1e6} ms`);
    if (token < prevToken) violations.push(`term ${token} led after term ${prevToken}`);
  }
  for (const [token, span] of spans) if (span.ids.size > 1) violations.push(`token ${token} led by ${[...span.ids].join(', ')}`);
  return { violations, terms: ownerOf.size };
}
