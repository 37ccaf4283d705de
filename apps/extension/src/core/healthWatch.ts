import { Disposable, Emitter, InvalidArgumentError, isAbortError, noopLogger, type Event, type Logger } from '@baton/base';
import type { Group, GroupLeader, GroupMetricsReport } from '@baton/coordinator';
import type { Store } from '@baton/state';
import { Lifecycle, NotificationLimiter, Windows, type BreakerOptions, type SharedState, type WindowInfo, type WindowMember } from '@baton/vscode/core';
import * as z from 'zod/mini';
import type { Endpoint } from './config.js';
import { runProbe, type ProbeResult } from './probes.js';
import { applyProbe, emptyResults, storeSchema, isDue, nextDue, pruneResults, resultsSchema, type Incident, type Results } from './results.js';

/** What the core asks of the window it runs in (the VS Code adapter, or a test's fake). */
export interface HealthWatchHost {
  /**
   * Shows a notification in this window. Called in one window only (the leader's) per incident, and per new set of
   * configuration problems across the windows.
   */
  notify(notice: Notice): void;
  /** The incident ended (its endpoint is up again): a notification of it still shown should close. */
  resolved?(incident: string): void;
}

/** A notification: an endpoint down (an incident began), up again (it ended), or problems in the configuration. */
export type Notice =
  | { readonly kind: 'down'; readonly severity: 'error'; readonly message: string; readonly endpoint: string; readonly incident: string }
  | { readonly kind: 'up'; readonly severity: 'info'; readonly message: string; readonly endpoint: string; readonly incident: string }
  | { readonly kind: 'config'; readonly severity: 'warning'; readonly message: string };

export interface HealthWatchOptions {
  /**
   * The windows' group (@baton/vscode's `coordinateWindows`, named `groupName`), which Health Watch then owns and
   * closes; or, without it, `dir` and `window` to join one (the tests' plain processes).
   */
  windows?: Windows;
  /** The coordination directory shared by the windows, when `windows` is not given. */
  dir?: string;
  host: HealthWatchHost;
  /** What the other windows are shown of this one, when `windows` is not given. */
  window?: WindowInfo;
  /** This window's member id (default random), when `windows` is not given. */
  id?: string;
  logger?: Logger;
  /** How long a paused leader window keeps probing to itself (default 2000 ms). */
  leaseMs?: number;
  breaker?: BreakerOptions;
  /** Most notifications per minute across the incidents (default 3; the rest are counted in the next one). */
  notificationsPerMinute?: number;
  /** The rate limit's window (default 60000 ms: `notificationsPerMinute` a minute). */
  notificationWindowMs?: number;
  /** Wall clock for results (default Date.now). */
  now?: () => number;
}

/** Each window's endpoints, by member id: the leader probes their union. */
type ConfigData = Readonly<Record<string, { readonly pid: number; readonly endpoints: readonly Endpoint[]; readonly problems?: readonly string[] }>>;

const configSchema = z.record(z.string(), z.object({ pid: z.number(), problems: z.optional(z.array(z.string())), endpoints: z.array(z.looseObject({ id: z.string(), name: z.string(), type: z.enum(['http', 'tcp', 'command']) })) }));

export const groupName = 'health-watch';
const mutedKey = 'mutedEndpoints';
/** The configuration problems the windows were told of (each set once, by the leader's window). */
const problemsShownKey = 'healthWatch.problemsShown';
/** Held-back notifications named in the next one shown. */
const heldNamesShown = 5;
/** How long a window with endpoints may be absent from the group before the leader drops them. */
const absentGraceMs = 5000;

export interface RunNowResult {
  readonly probed: number;
  readonly up: number;
  readonly down: number;
  /** The window (member id) that ran them: the leader. */
  readonly by: string;
}

export interface CoordinationStatus {
  readonly role: Group['role'];
  readonly self: string;
  readonly leader: GroupLeader | undefined;
  readonly members: readonly WindowMember[];
  /** Where the prober is, in words. */
  readonly where: string;
  readonly metrics: GroupMetricsReport;
  readonly lifecycle: Lifecycle['state'];
}

/**
 * Baton Health Watch's core, free of the VS Code API: one per window. The windows form a group;
 * the leader probes the endpoints every window configures (each once, whatever the number of
 * windows), writes the results to a shared store that every window shows, opens and closes
 * incidents and notifies once per incident. Mutes are shared. When the leader's window closes or
 * its extension host dies, another window carries on from the shared results, probing what is due.
 */
export class HealthWatch extends Disposable {
  private readonly _onDidChangeResults = this._register(new Emitter<Results>());
  readonly onDidChangeResults: Event<Results> = this._onDidChangeResults.event;
  private readonly _onDidChangeMuted = this._register(new Emitter<readonly string[]>());
  readonly onDidChangeMuted: Event<readonly string[]> = this._onDidChangeMuted.event;
  private readonly _onDidChangeRole = this._register(new Emitter<void>());
  /** The role, leader or members changed. */
  readonly onDidChangeCoordination: Event<void> = this._onDidChangeRole.event;

  readonly lifecycle: Lifecycle;
  private readonly _logger: Logger;
  private readonly _now: () => number;
  private readonly _limiter: NotificationLimiter;
  /** What the rate limit held back since the last notification shown. */
  private readonly _held: string[] = [];
  private _endpoints: readonly Endpoint[] = [];
  /** Wakes the leader's probe loop (config changed, Run Now). */
  private _wake: (() => void) | undefined;
  /** A change came while the loop was probing, not sleeping: it looks again before it sleeps. */
  private _changedWhileAwake = false;
  private _closing: Promise<void> | undefined;
  /** At the leader: since when each window with endpoints has not been a member (performance.now()). */
  private readonly _absentSince = new Map<string, number>();
  private _pruneTimer: ReturnType<typeof setTimeout> | undefined;

  private constructor(
    private readonly _options: HealthWatchOptions,
    readonly windows: Windows,
    private readonly _results: Store<Results>,
    private readonly _config: Store<ConfigData>,
  ) {
    super();
    this._logger = (_options.logger ?? noopLogger).child({ pkg: 'extension', component: 'health-watch' });
    this._now = _options.now ?? Date.now;
    this._limiter = new NotificationLimiter(_options.notificationsPerMinute ?? 3, _options.notificationWindowMs ?? 60_000);
    this.lifecycle = this._register(new Lifecycle(this._logger));
    this._register(_results.onDidChange(({ value }) => this._onDidChangeResults.fire(value)));
    this._register(this.shared.onDidChange(({ keys }) => keys.includes(mutedKey) && this._onDidChangeMuted.fire(this.muted)));
    this._register(_config.onDidChange(() => {
      this._poke();
      void this._reportProblems();
    }));
    const group = windows.group;
    for (const event of [group.onDidChangeRole, windows.onDidChangeMembers, group.onDidChangeConnection] as Event<unknown>[]) {
      this._register(event(() => this._onDidChangeRole.fire()));
    }
    this._register(group.onDidChangeMembers(() => this._pruneConfig()));
    this._register(group.runWhileLeader((signal, token) => this._lead(signal, token)));
    this._register(group.handle('runNow', (_params, { token, signal }) => this._runAll(token, signal, true)));
  }

  /** Joins the windows' group (unless given one) and opens Health Watch's stores in it. */
  static async start(options: HealthWatchOptions): Promise<HealthWatch> {
    const windows =
      options.windows ??
      (await Windows.join({ dir: requireDir(options.dir), name: groupName, id: options.id, window: options.window ?? { workspace: '(no folder)' }, logger: options.logger, leaseMs: options.leaseMs }));
    try {
      // Versions arrive pushed by the leader and through the directory watch; the store's safety
      // poll (a file read every 5 s by default, per store) is a third way, needed rarely: every 30 s.
      const pollMs = 30_000;
      const results = await windows.group.store<Results>('results', { initial: emptyResults, schema: storeSchema<Results>(resultsSchema), ifUnreadable: 'reset', pollMs });
      const config = await windows.group.store<ConfigData>('config', { initial: {}, schema: storeSchema<ConfigData>(configSchema), ifUnreadable: 'reset', pollMs });
      const watch = new HealthWatch(options, windows, results, config);
      watch.lifecycle.ready();
      return watch;
    } catch (err) {
      await windows.close();
      throw err;
    }
  }

  /** The windows' group. */
  get group(): Group {
    return this.windows.group;
  }

  /** State shared by the windows (the mutes). */
  get shared(): SharedState {
    return this.windows.sharedState;
  }

  get results(): Results {
    return this._results.get();
  }

  get muted(): readonly string[] {
    return this.shared.get<string[]>(mutedKey, []);
  }

  /** The endpoints this window configures (the leader probes the union of every window's). */
  get endpoints(): readonly Endpoint[] {
    return this._endpoints;
  }

  /** Sets this window's endpoints (from settings and the workspace file) and shares them with the leader. */
  /**
   * This window's endpoints, and the problems found in its configuration (`formatIssue` lines): the leader's window
   * shows each new set of problems of any window once.
   */
  setEndpoints(endpoints: readonly Endpoint[], problems: readonly string[] = []): Promise<void> {
    return this.lifecycle.reload('apply configuration', async () => {
      this._endpoints = endpoints;
      const me = this.group.id;
      await this._config.update((current) => ({ ...current, [me]: { pid: process.pid, endpoints, ...(problems.length > 0 ? { problems } : {}) } }));
    });
  }

  /**
   * At the leader: tells of the configuration problems no window was told of yet, once across the windows (the
   * shared state's compare-and-swap decides), so three windows with the same settings see one warning, not three.
   */
  private async _reportProblems(): Promise<void> {
    if (!this.group.isLeader) return;
    const all = [...new Set(Object.values(this._config.get()).flatMap((entry) => entry.problems ?? []))].sort();
    let fresh: string[] = [];
    try {
      await this.shared.update<string[]>(problemsShownKey, (shown = []) => {
        fresh = all.filter((problem) => !shown.includes(problem));
        // Problems fixed are forgotten, so that one made again is shown again.
        return all.length === shown.length && fresh.length === 0 ? shown : all;
      });
    } catch (err) {
      if (!isAbortError(err)) this._logger.warn({ err }, 'could not record the configuration problems shown');
      return;
    }
    if (fresh.length === 0) return;
    const more = fresh.length > 1 ? ` (and ${fresh.length - 1} more: see the log)` : '';
    this._notify({ kind: 'config', severity: 'warning', message: `${fresh.length} problem${fresh.length === 1 ? '' : 's'} in the endpoint configuration (those endpoints are not watched): ${fresh[0]}${more}` });
  }

  /** Mutes (or unmutes) an endpoint in every window: no notifications for it. */
  setMuted(endpointId: string, muted: boolean): Promise<void> {
    return this.lifecycle.track(muted ? 'mute' : 'unmute', async () => {
      await this.shared.update<string[]>(mutedKey, (current = []) => {
        const without = current.filter((id) => id !== endpointId);
        return muted ? [...without, endpointId] : without;
      });
    });
  }

  /** Runs every probe now, on the leader (this window or another), and resolves when the results are stored. */
  runNow(timeoutMs = 60_000): Promise<RunNowResult> {
    return this.lifecycle.track('run probes now', () => this.group.call<RunNowResult>('runNow', undefined, { timeoutMs }));
  }

  async coordinationStatus(): Promise<CoordinationStatus> {
    return {
      role: this.group.role,
      self: this.group.id,
      leader: this.group.leader,
      members: this.windows.members,
      where: this.windows.describeLeader(),
      metrics: await this.group.metrics(),
      lifecycle: this.lifecycle.state,
    };
  }

  /** Every endpoint any live window configures, each once. */
  allEndpoints(): Endpoint[] {
    const byId = new Map<string, Endpoint>();
    for (const entry of Object.values(this._config.get())) {
      for (const endpoint of entry.endpoints) {
        const known = byId.get(endpoint.id);
        // The same endpoint in two windows with different intervals: probe at the shorter one.
        if (!known || endpoint.intervalMs < known.intervalMs) byId.set(endpoint.id, endpoint);
      }
    }
    return [...byId.values()];
  }

  // ---- leader ----

  /** The leader's probe loop, for one term: probes what is due, sleeps until the next is due or something changes. */
  private async _lead(signal: AbortSignal, token: number): Promise<void> {
    this._logger.info({ fencingToken: token }, 'leading: probing for every window');
    this._pruneConfig();
    void this._reportProblems();
    while (!signal.aborted) {
      this._changedWhileAwake = false;
      await this._runAll(token, signal, false);
      if (this._changedWhileAwake) continue;
      const endpoints = this.allEndpoints();
      const results = this._results.get();
      const now = this._now();
      const next = Math.min(...endpoints.map((e) => nextDue(results.endpoints[e.id], e)), now + 60_000);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, Math.max(0, next - now));
        this._wake = done;
        signal.addEventListener('abort', done, { once: true });
        function done() {
          clearTimeout(timer);
          signal.removeEventListener('abort', done);
          resolve();
        }
      });
      this._wake = undefined;
    }
  }

  private _poke(): void {
    if (this._wake) this._wake();
    else this._changedWhileAwake = true;
  }

  /** Probes every endpoint that is due (all of them with `all`), in parallel, and stores the results fenced by `token`. */
  private async _runAll(token: number, signal: AbortSignal, all: boolean): Promise<RunNowResult> {
    const endpoints = this.allEndpoints();
    const now = this._now();
    const results = this._results.get();
    if (results.term > token) return { probed: 0, up: 0, down: 0, by: this.group.id };
    const due = all ? endpoints : endpoints.filter((e) => isDue(results.endpoints[e.id], e, now));
    const outcomes = await Promise.all(due.map(async (endpoint) => ({ endpoint, result: await runProbe(endpoint, signal), at: this._now() })));
    if (signal.aborted && !all) return { probed: 0, up: 0, down: 0, by: this.group.id };
    if (outcomes.length > 0 || Object.keys(results.endpoints).length !== endpoints.length) await this._record(outcomes, endpoints, token);
    const up = outcomes.filter((o) => o.result.ok).length;
    return { probed: outcomes.length, up, down: outcomes.length - up, by: this.group.id };
  }

  private async _record(outcomes: { endpoint: Endpoint; result: ProbeResult; at: number }[], endpoints: readonly Endpoint[], token: number): Promise<void> {
    const transitions: Incident[][] = [[], []];
    try {
      await this._results.update((current) => {
        transitions[0] = [];
        transitions[1] = [];
        // A newer leader wrote: this term is over, whatever this process believes.
        if (current.term > token) return current;
        let next = pruneResults(current, endpoints, token);
        for (const { endpoint, result, at } of outcomes) {
          const applied = applyProbe(next, endpoint, result, token, at, this._options.breaker);
          next = applied.results;
          if (applied.transition) transitions[applied.transition.kind === 'down' ? 0 : 1]!.push(applied.transition.incident);
        }
        return { ...next, term: token };
      });
    } catch (err) {
      if (!isAbortError(err)) this._logger.error({ err }, 'could not store the probe results');
      return;
    }
    for (const incident of transitions[0]!) this._announce(incident, 'error');
    for (const incident of transitions[1]!) this._announce(incident, 'info');
  }

  /**
   * One notification per incident, in the leader's window, unless muted or over the rate limit; those held back are
   * named in the next one shown. An incident that ends closes its notification (`resolved`) in any case.
   */
  private _announce(incident: Incident, severity: 'error' | 'info'): void {
    this._logger.info({ endpoint: incident.name, incident: incident.id, severity }, severity === 'error' ? 'endpoint down' : 'endpoint recovered');
    if (severity === 'info') {
      try {
        this._options.host.resolved?.(incident.id);
      } catch (err) {
        this._logger.warn({ err }, 'the window could not close a notification');
      }
    }
    if (this.muted.includes(incident.endpoint)) return;
    const base = { endpoint: incident.endpoint, incident: incident.id };
    if (severity === 'error') this._notify({ ...base, kind: 'down', severity, message: `${incident.name} is down: ${incident.detail}` }, `${incident.name} down`);
    else this._notify({ ...base, kind: 'up', severity, message: `${incident.name} is up again after ${formatDuration((incident.endedAt ?? this._now()) - incident.startedAt)}` }, `${incident.name} up again`);
  }

  /** Shows `notice` unless over the rate limit; one held back is named (`name`) in the next one shown. */
  private _notify(notice: Notice, name = 'a configuration problem'): void {
    const take = this._limiter.take();
    if (!take.allowed) {
      this._held.push(name);
      return;
    }
    const held = this._held.splice(0);
    const names = held.slice(0, heldNamesShown).join(', ') + (held.length > heldNamesShown ? `, and ${held.length - heldNamesShown} more` : '');
    const message = held.length > 0 ? `${notice.message} (also, held back by the rate limit: ${names})` : notice.message;
    try {
      this._options.host.notify({ ...notice, message });
    } catch (err) {
      this._logger.warn({ err }, 'the window could not show a notification');
    }
  }

  /**
   * Drops the endpoints of windows that are gone without leaving (a crashed extension host): their
   * process is dead, or they have not been members for `absentGraceMs` (a process that is dead but
   * not yet reaped still answers to its pid; and right after a failover every window is briefly
   * absent while it joins the new leader, hence the grace).
   */
  private _pruneConfig(): void {
    if (this.group.role !== 'leader') return;
    const now = performance.now();
    const members = new Set(this.group.members.map((m) => m.id));
    const entries = Object.entries(this._config.get()).filter(([id]) => id !== this.group.id);
    for (const id of [...this._absentSince.keys()]) if (members.has(id) || !entries.some(([e]) => e === id)) this._absentSince.delete(id);
    const gone = new Set<string>();
    for (const [id, entry] of entries) {
      if (members.has(id)) continue;
      const since = this._absentSince.get(id) ?? now;
      this._absentSince.set(id, since);
      if (!isAlive(entry.pid) || now - since >= absentGraceMs) gone.add(id);
    }
    if (entries.some(([id]) => !members.has(id) && !gone.has(id))) {
      clearTimeout(this._pruneTimer);
      this._pruneTimer = setTimeout(() => this._pruneConfig(), absentGraceMs + 100);
      this._pruneTimer.unref?.();
    }
    if (gone.size === 0) return;
    for (const id of gone) this._absentSince.delete(id);
    void this._config
      .update((current) => Object.fromEntries(Object.entries(current).filter(([id]) => !gone.has(id))))
      .catch((err: unknown) => this._logger.warn({ err }, 'could not drop the endpoints of closed windows'));
  }

  // ---- shutdown ----

  /**
   * Leaves: stops new operations and waits (up to `timeoutMs`) for those running, withdraws this
   * window's endpoints, and resigns, so another window takes over at once.
   */
  close(timeoutMs = 3000): Promise<void> {
    this._closing ??= (async () => {
      const me = this.group.id;
      const withdraw = this._config.update((current) => Object.fromEntries(Object.entries(current).filter(([id]) => id !== me))).catch(() => undefined);
      await this.lifecycle.shutdown(timeoutMs);
      await withDeadline(withdraw, timeoutMs);
      await this.windows.close();
      this.dispose();
    })();
    return this._closing;
  }

  override dispose(): void {
    clearTimeout(this._pruneTimer);
    this.windows.dispose();
    super.dispose();
  }
}

function requireDir(dir: string | undefined): string {
  if (dir === undefined) throw new InvalidArgumentError('Health Watch: give `windows` or `dir`');
  return dir;
}

/** Waits for `promise`, but no longer than `ms` (the timer is cleared either way). */
async function withDeadline(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([promise, new Promise((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.round(s / 60);
  return m < 60 ? `${m} min` : `${Math.floor(m / 60)} h ${m % 60} min`;
}

/**
 * The "Show Coordination Status" text (Markdown): where the prober is, each window by workspace, short id, process
 * and focus, and the term's fencing token said for what it is (a number that only grows, kept across sessions in
 * the lock file: not a count of elections).
 */
export function formatCoordinationStatus(report: CoordinationStatus, now = new Date()): string {
  const name = (m: WindowMember) => `'${m.workspace}' [${m.window}]`;
  const focus = (m: WindowMember) => (m.focused === undefined ? '' : m.focused ? ', focused' : ', not focused');
  const leader = report.members.find((m) => m.isLeader);
  return [
    '# Health Watch: coordination',
    '',
    `As of ${now.toLocaleTimeString()} (this view refreshes as the windows change).`,
    '',
    `- **Probing:** ${report.where}`,
    `- **This window:** ${report.role === 'leader' ? 'probes for every window' : report.role === 'follower' ? 'shows what the leading window probes' : 'has left'} (${report.lifecycle.toLowerCase()})`,
    report.leader
      ? `- **Term:** since ${report.leader.since}${leader ? `, led by ${name(leader)}` : ''}; fencing token ${report.leader.token} (it grows with every new term and is never reused, across sessions: not a count of elections)`
      : '- **Term:** none yet',
    '',
    `## Windows (${report.members.length})`,
    '',
    '| window | process | role |',
    '| --- | --- | --- |',
    ...report.members.map((m) => `| ${name(m)}${m.isSelf ? ' (this one)' : ''}${m.remote ? ` on ${m.remote}` : ''} | pid ${m.pid}${focus(m)} | ${m.isLeader ? 'leader: probes' : 'follower'} |`),
    '',
    '## Metrics',
    '',
    '```json',
    JSON.stringify(report.metrics, null, 2),
    '```',
    '',
  ].join('\n');
}
