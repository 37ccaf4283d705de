import { readdirSync } from 'node:fs';
import { waitFor } from './wait.js';

/** Counts of the process's active resources by kind (timers, sockets, file handles) and its open descriptors. */
export interface ResourceSnapshot {
  readonly resources: ReadonlyMap<string, number>;
  /** Open file descriptors (Linux and macOS); undefined where they cannot be listed. */
  readonly descriptors: number | undefined;
}

export function snapshotResources(): ResourceSnapshot {
  const resources = new Map<string, number>();
  for (const kind of process.getActiveResourcesInfo()) resources.set(kind, (resources.get(kind) ?? 0) + 1);
  return { resources, descriptors: countDescriptors() };
}

function countDescriptors(): number | undefined {
  // Windows has neither directory (under Wine, /proc/self/fd would list Wine's own descriptors).
  if (process.platform === 'win32') return undefined;
  for (const dir of ['/proc/self/fd', '/dev/fd']) {
    try {
      return readdirSync(dir).length;
    } catch {
      // Not this platform's place for them.
    }
  }
  return undefined;
}

/** What `now` holds beyond `before`, as `kind +n` entries (empty when nothing leaked). */
export function leakedSince(before: ResourceSnapshot, now: ResourceSnapshot = snapshotResources()): string[] {
  const leaks: string[] = [];
  for (const [kind, count] of now.resources) {
    const extra = count - (before.resources.get(kind) ?? 0);
    if (extra > 0) leaks.push(`${kind} +${extra}`);
  }
  if (now.descriptors !== undefined && before.descriptors !== undefined && now.descriptors > before.descriptors) {
    leaks.push(`descriptors +${now.descriptors - before.descriptors}`);
  }
  return leaks;
}

/**
 * Resolves once nothing is held beyond `before` (releases that finish on a later turn, such as a
 * closing socket, get `timeoutMs`); rejects naming what is still held.
 */
export async function expectNoLeaks(before: ResourceSnapshot, timeoutMs = 1000): Promise<void> {
  let last: string[] = [];
  try {
    await waitFor(() => (last = leakedSince(before)).length === 0, { timeoutMs, what: 'resources to be released' });
  } catch {
    throw new Error(`still held after ${timeoutMs} ms: ${last.join(', ')}`);
  }
}
