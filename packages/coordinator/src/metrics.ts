import { createMetrics, type Metrics } from '@baton/telemetry';

type Counter = ReturnType<Metrics['counter']>;
type Summary = ReturnType<Metrics['histogram']>;

/** A latency as the metrics report it: count, p50 and p99 in milliseconds. */
export interface LatencyReport {
  readonly count: number;
  readonly p50: number | undefined;
  readonly p99: number | undefined;
}

/** The coordination metrics of one member, as one report. */
export interface GroupMetricsReport {
  readonly group: string;
  readonly role: string;
  /** The current leader's fencing token (undefined before any leader was seen). */
  readonly token: number | undefined;
  readonly members: number;
  /** The member named to take over if the leader goes, and (at another follower) whether this member is connected to it in advance. */
  readonly standby: { readonly id: string | undefined; readonly connected: boolean };
  /** Times this member became leader or stopped leading. */
  readonly leadershipChanges: number;
  /** Store versions this member wrote (and pushed), and versions written elsewhere that it took in. */
  readonly stateUpdates: { readonly sent: number; readonly received: number };
  /** Push received -> the store's onDidChange here, from the writer's push (ms; wall clocks of one machine). */
  readonly pushLatencyMs: LatencyReport;
  /** Connection to the leader lost -> joined to the next one, at a follower (ms). */
  readonly failoverMs: LatencyReport;
  /**
   * Joins to a leader by this follower: over the connection it kept open to the standby (a
   * failover the standby took), or over a new connection (first join, or another member took over).
   */
  readonly joins: { readonly standby: number; readonly new: number };
  /** Calls this member made, by outcome, and calls it served as leader. */
  readonly calls: { readonly ok: number; readonly leaderChanged: number; readonly error: number; readonly served: number };
  /** Messages published while no leader could be reached. */
  readonly dropped: number;
  /** Failures with no caller to tell: leader tasks that threw, bad messages, listeners that threw. */
  readonly errors: number;
}

export class GroupMetrics {
  /** The group's own registry, labelled with the group's name. */
  readonly registry: Metrics;
  readonly leadershipChanges: Counter;
  readonly stateUpdatesSent: Counter;
  readonly stateUpdatesReceived: Counter;
  readonly pushLatency: Summary;
  readonly failover: Summary;
  readonly joins: Counter;
  readonly calls: Counter;
  readonly callsServed: Counter;
  readonly dropped: Counter;
  readonly errors: Counter;
  /** Failover times not yet in the summary (see observeFailover). */
  private readonly _failovers: number[] = [];
  private _flushTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly _group: string) {
    const registry = createMetrics({ defaultLabels: { group: _group } });
    this.registry = registry;
    this.leadershipChanges = registry.counter('group_leadership_changes_total', 'Times this member became leader or stopped leading');
    this.stateUpdatesSent = registry.counter('group_state_updates_sent_total', 'Store versions written here and pushed');
    this.stateUpdatesReceived = registry.counter('group_state_updates_received_total', 'Store versions written elsewhere and taken in here');
    this.pushLatency = registry.histogram('group_push_latency_ms', 'Store push from the writer to the change event here (ms)');
    this.failover = registry.histogram('group_failover_ms', 'Connection to the leader lost -> joined to the next leader (ms)');
    this.joins = registry.counter('group_joins_total', 'Joins to a leader, over the connection kept to the standby or over a new one', ['via']);
    this.calls = registry.counter('group_calls_total', 'Calls made to the leader, by outcome', ['outcome']);
    this.callsServed = registry.counter('group_calls_served_total', 'Calls served as leader');
    this.dropped = registry.counter('group_published_dropped_total', 'Messages published while no leader was reachable');
    this.errors = registry.counter('group_errors_total', 'Failures with no caller: leader tasks, bad messages, listeners', ['kind']);
  }

  /**
   * Records a failover time a moment later, not now: the first observation of a summary runs code
   * that nothing else has run (its digest), and at this moment every member of the group is busy
   * joining the new leader on a machine with a few cores. report() takes them in at once.
   */
  observeFailover(ms: number): void {
    this._failovers.push(ms);
    this._flushTimer ??= setTimeout(() => this.flush(), 250);
    this._flushTimer.unref?.();
  }

  /** Puts the pending failover times into the summary. */
  flush(): void {
    clearTimeout(this._flushTimer);
    this._flushTimer = undefined;
    for (const ms of this._failovers.splice(0)) this.failover.observe(ms);
  }

  /** Stops the pending timer (the group closed); what was observed stays in the registry. */
  dispose(): void {
    this.flush();
  }

  async report(now: Pick<GroupMetricsReport, 'role' | 'token' | 'members' | 'standby'>): Promise<GroupMetricsReport> {
    this.flush();
    type Value = { value: number; labels: Record<string, string | number>; metricName?: string };
    const snapshot = (await this.registry.snapshot()) as { name: string; values: Value[] }[];
    const values = (name: string) => snapshot.find((m) => m.name === `baton_${name}`)?.values ?? [];
    const total = (name: string, outcome?: string, label = 'outcome') =>
      values(name)
        .filter((v) => outcome === undefined || v.labels[label] === outcome)
        .reduce((sum, v) => sum + v.value, 0);
    const latency = (name: string): LatencyReport => {
      const all = values(name);
      const quantile = (q: number) => {
        const value = all.find((v) => v.labels.quantile === q)?.value;
        return value === undefined || Number.isNaN(value) ? undefined : Math.round(value * 1000) / 1000;
      };
      return { count: all.find((v) => v.metricName?.endsWith('_count'))?.value ?? 0, p50: quantile(0.5), p99: quantile(0.99) };
    };
    return {
      group: this._group,
      ...now,
      leadershipChanges: total('group_leadership_changes_total'),
      stateUpdates: { sent: total('group_state_updates_sent_total'), received: total('group_state_updates_received_total') },
      pushLatencyMs: latency('group_push_latency_ms'),
      failoverMs: latency('group_failover_ms'),
      joins: { standby: total('group_joins_total', 'standby', 'via'), new: total('group_joins_total', 'new', 'via') },
      calls: {
        ok: total('group_calls_total', 'ok'),
        leaderChanged: total('group_calls_total', 'leader-changed'),
        error: total('group_calls_total', 'error'),
        served: total('group_calls_served_total'),
      },
      dropped: total('group_published_dropped_total'),
      errors: total('group_errors_total'),
    };
  }
}
