import { mkdirSync } from 'node:fs';
import {
  Disposable,
  Emitter,
  Sequencer,
  noopLogger,
  readFileIfExists,
  systemClock,
  writeFileAtomic,
  type Clock,
  type Event,
  type Logger,
} from '@baton/base';
import { StoppingError, UnknownServiceError } from './errors.js';
import { CpuBudget } from './outputFile.js';
import { groupAlive, processStartTime, signalGroup } from './processInfo.js';
import { ServiceRunner, type OutputEntry, type OutputLine, type ProcessRecord, type ServiceInfo, type StateChange } from './service.js';
import { computeTiers, sameSpec, validateServices, type ServiceSpec } from './spec.js';

/** Options of `createSupervisor`. */
export interface SupervisorOptions {
  /** Services as `{ name: spec }` (validated here) or already validated specs. */
  services: Record<string, unknown> | ServiceSpec[];
  logger?: Logger;
  /**
   * A file recording the pid and start time of every child, so that a supervisor started after
   * this one was SIGKILLed finds and stops the leftovers before it starts anything.
   */
  stateFile?: string;
  /**
   * A directory (created 0700) for each service's output files, `<name>.stdout.log` and
   * `<name>.stderr.log`, which the supervisor follows. Unlike pipes they outlive the supervisor:
   * a service that prints after the supervisor was SIGKILLed is not killed by EPIPE or SIGPIPE.
   * Without it, output travels through pipes.
   */
  outputDir?: string;
  /** Log every output line (default true); false where the lines are kept elsewhere, as the orchestrator's log files keep them. */
  logOutput?: boolean;
  clock?: Clock;
}

/** What `apply` did to each service by name: added, removed, changed (restarted with the new spec), unchanged. */
export interface ApplyReport {
  readonly added: string[];
  readonly removed: string[];
  readonly changed: string[];
  readonly unchanged: string[];
}

/** A service's status, as `status()` lists it. */
export interface ServiceStatus extends ServiceInfo {
  readonly tier: number;
  /** Services it depends on (dependsOn, or the lower tiers) that are not ready now: it runs degraded. */
  readonly degraded: readonly string[];
}

/** A process recorded in a supervisor's state file. */
export interface OrphanRecord extends ProcessRecord {
  readonly service: string;
  /** Recorded since the stop order and settings were kept; older files stop each with SIGTERM, 3 s. */
  readonly tier?: number;
  readonly stop?: { signal: NodeJS.Signals; timeoutMs: number };
}

/**
 * Runs a set of services: starts them tier by tier (each tier once the previous is ready),
 * restarts them by their policies, stops them in reverse order, and applies a new set of specs by
 * touching only what changed. Lifecycle operations (start, stop, apply) run one at a time.
 */
export class Supervisor extends Disposable {
  private readonly _onDidChangeState = this._register(new Emitter<StateChange>());
  readonly onDidChangeState: Event<StateChange> = this._onDidChangeState.event;
  private readonly _onDidOutput = this._register(new Emitter<OutputLine>());
  readonly onDidOutput: Event<OutputLine> = this._onDidOutput.event;
  private readonly _onDidGiveUp = this._register(new Emitter<{ name: string; action: 'stay-failed' | 'stop-all' }>());
  readonly onDidGiveUp = this._onDidGiveUp.event;

  private readonly _runners = new Map<string, ServiceRunner>();
  private _specs: ServiceSpec[];
  private _tiers = new Map<string, number>();
  private readonly _logger: Logger;
  private readonly _clock: Clock;
  /** start, apply and stop run one at a time. */
  private readonly _lifecycle = new Sequencer();
  private readonly _processes = new Map<string, ProcessRecord>();
  private _stateWrite: Promise<void> = Promise.resolve();
  private _stopped = false;
  /** Services that have been ready at least once (so a later 'ready' is a restart). */
  private readonly _everReady = new Set<string>();
  private readonly _waitingRestarts = new Map<string, Promise<void>>();
  /** What reading the services' output files may take of the CPU, all of them together (a quarter of a core). */
  private readonly _outputCpu = new CpuBudget();

  constructor(private readonly _options: SupervisorOptions) {
    super();
    this._logger = (_options.logger ?? noopLogger).child({ pkg: 'supervisor' });
    this._clock = _options.clock ?? systemClock;
    this._specs = Array.isArray(_options.services) ? _options.services : validateServices(_options.services);
    this._index(this._specs);
  }

  private _index(specs: ServiceSpec[]): void {
    this._tiers = new Map();
    computeTiers(specs).forEach((tier, i) => tier.forEach((spec) => this._tiers.set(spec.name, i)));
  }

  get services(): ServiceStatus[] {
    return this._specs.map((spec) => {
      const info = this._runners.get(spec.name)?.info ?? { name: spec.name, state: 'pending' as const, pid: undefined, restarts: 0, startedAt: undefined, uptimeMs: undefined, lastExit: undefined, livenessFailures: undefined, outputDroppedBytes: 0, restartBudget: { used: 0, max: spec.restart.maxRestarts, windowMs: spec.restart.windowMs }, nextStartAt: undefined };
      const degraded = info.state === 'ready' ? this._dependencies(spec).filter((dep) => !this._isUp(dep)).map((dep) => dep.name) : [];
      return { ...info, tier: this._tiers.get(spec.name) ?? 0, degraded };
    });
  }

  /** What a service waits for at start: its dependsOn, or every service of a lower tier. */
  private _dependencies(spec: ServiceSpec): ServiceSpec[] {
    if (spec.dependsOn) return this._specs.filter((s) => spec.dependsOn!.includes(s.name));
    const tier = this._tiers.get(spec.name) ?? 0;
    return this._specs.filter((s) => (this._tiers.get(s.name) ?? 0) < tier);
  }

  private _isUp(spec: ServiceSpec): boolean {
    const state = this._runners.get(spec.name)?.state;
    return state === 'ready' || (state === 'exited' && spec.readiness?.type === 'exit0');
  }

  /**
   * A dependency is ready again after it restarted (it was ready, then was not): dependants with
   * `onDependencyRestart: 'restart'` are restarted, so they reconnect to the new process.
   */
  private _onDependencyState(change: StateChange): void {
    if (change.to !== 'ready' || this._stopped) return;
    const wasReady = this._everReady.has(change.name);
    this._everReady.add(change.name);
    if (!wasReady) return;
    for (const spec of this._specs) {
      if (spec.onDependencyRestart !== 'restart' || !this._dependencies(spec).some((d) => d.name === change.name)) continue;
      if (this._runners.get(spec.name)?.state !== 'ready') continue;
      this._logger.info({ service: spec.name, dependency: change.name }, 'restarting: a service it depends on restarted (onDependencyRestart: restart)');
      this.restartService(spec.name).catch((err: unknown) => this._logger.warn({ err, service: spec.name }, 'could not restart after its dependency restarted'));
    }
  }

  /** The last `count` output lines of a service, with when each was read and its stream. */
  logEntries(name: string, count?: number): OutputEntry[] {
    return this._runner(name).entries(count);
  }

  /** The last `count` output lines of a service. */
  logs(name: string, count?: number): string[] {
    return this._runner(name).logs(count);
  }

  private _runner(name: string): ServiceRunner {
    const runner = this._runners.get(name);
    if (runner) return runner;
    const spec = this._specs.find((s) => s.name === name);
    if (!spec) throw new UnknownServiceError(`No service named '${name}'; configured: ${this._specs.map((s) => s.name).join(', ') || 'none'}`);
    return this._create(spec);
  }

  private _create(spec: ServiceSpec): ServiceRunner {
    const { outputDir } = this._options;
    if (outputDir) mkdirSync(outputDir, { recursive: true, mode: 0o700 });
    const runner = new ServiceRunner(spec, this._logger, this._clock, outputDir, this._options.logOutput ?? true, this._outputCpu);
    runner.onDidChangeState((change) => {
      this._onDidChangeState.fire(change);
      this._onDependencyState(change);
    });
    runner.onDidOutput((line) => this._onDidOutput.fire(line));
    runner.onDidSpawn((record) => {
      if (record) this._processes.set(spec.name, record);
      else this._processes.delete(spec.name);
      this._saveState();
    });
    runner.onDidGiveUp(() => {
      const action = spec.restart.onGiveUp;
      this._onDidGiveUp.fire({ name: spec.name, action });
      if (action === 'stop-all') {
        this._logger.error({ service: spec.name }, 'service gave up; stopping all services (onGiveUp: stop-all)');
        void this.stop();
      }
    });
    this._runners.set(spec.name, runner);
    return runner;
  }

  /**
   * Stops leftovers of a previous supervisor, then starts every service tier by tier. When a
   * service does not become ready, what was started is stopped in reverse order and the
   * ReadinessError (naming the service, the probe and its last output) is thrown.
   */
  start(): Promise<void> {
    return this._lifecycle.queue(async () => {
      this._stopped = false;
      await this.cleanupOrphans();
      await this._startTiers(this._specs);
    });
  }

  private async _startTiers(specs: ServiceSpec[]): Promise<void> {
    const started: ServiceRunner[][] = [];
    for (const tier of computeTiers(specs)) {
      this._logger.info({ tier: this._tiers.get(tier[0]!.name), services: tier.map((s) => s.name) }, 'starting tier');
      const runners = tier.map((spec) => this._runner(spec.name));
      started.push(runners);
      const results = await Promise.allSettled(runners.map((r) => r.start()));
      // The record of the children is on disk before the tier counts as started: a supervisor
      // killed from here on leaves no orphan the next one cannot find.
      await this._stateWrite;
      const failure = results.find((r) => r.status === 'rejected');
      if (failure) {
        // A service that failed its readiness has no process left and keeps its 'failed' state.
        for (const group of started.reverse()) await Promise.all(group.filter((r) => r.state !== 'failed').map((r) => r.stop()));
        throw failure.reason;
      }
    }
  }

  /** Stops every service, tiers in reverse order, each tier in parallel. */
  stop(): Promise<void> {
    // Refused from now on, also while this stop waits its turn: nothing starts after a stop began.
    this._stopped = true;
    return this._lifecycle.queue(async () => {
      const tiers = computeTiers(this._specs).reverse();
      for (const tier of tiers) {
        await Promise.all(tier.map((spec) => this._runners.get(spec.name)?.stop()));
      }
      await this._stateWrite;
    });
  }

  /**
   * Starts, stops or restarts one service, serialized with start, apply and stop (so none of them
   * runs half-way through another). Once stop() was called, start and restart reject with
   * ESTOPPING until the next start(): a restart asked while stopping cannot outlive the stop.
   */
  startService(name: string): Promise<void> {
    return this._lifecycle.queue(async () => {
      this._refuseIfStopped(name, 'start');
      await this._runner(name).start();
      await this._stateWrite;
    });
  }

  /** Stops one service. */
  stopService(name: string): Promise<void> {
    return this._lifecycle.queue(() => this._runner(name).stop());
  }

  /** Restarts one service. */
  restartService(name: string): Promise<void> {
    // Requests made while one waits its turn share it.
    const waiting = this._waitingRestarts.get(name);
    if (waiting) return waiting;
    const restart = this._lifecycle.queue(async () => {
      this._waitingRestarts.delete(name);
      this._refuseIfStopped(name, 'restart');
      await this._runner(name).restart();
      await this._stateWrite;
    });
    this._waitingRestarts.set(name, restart);
    return restart;
  }

  private _refuseIfStopped(name: string, what: string): void {
    if (this._stopped) throw new StoppingError(`Cannot ${what} service '${name}': the supervisor is stopping (or stopped)`, { data: { service: name } });
  }

  /**
   * Moves to a new set of specs: stops removed services, restarts changed ones, starts added ones
   * in tier order, and leaves unchanged ones alone.
   */
  apply(services: Record<string, unknown> | ServiceSpec[]): Promise<ApplyReport> {
    const next = Array.isArray(services) ? services : validateServices(services);
    return this._lifecycle.queue(async () => {
      const before = new Map(this._specs.map((s) => [s.name, s]));
      const after = new Map(next.map((s) => [s.name, s]));
      const report: ApplyReport = { added: [], removed: [], changed: [], unchanged: [] };
      for (const name of before.keys()) if (!after.has(name)) report.removed.push(name);
      for (const [name, spec] of after) {
        const old = before.get(name);
        if (!old) report.added.push(name);
        else if (sameSpec(old, spec)) report.unchanged.push(name);
        else report.changed.push(name);
      }
      const stopFirst = [...report.removed, ...report.changed].map((name) => this._runners.get(name)).filter((r) => r !== undefined);
      await Promise.all(stopFirst.map((r) => r.stop()));
      for (const runner of stopFirst) {
        runner.dispose();
        this._runners.delete(runner.name);
      }
      this._specs = next;
      this._index(next);
      await this._startTiers(next.filter((s) => report.added.includes(s.name) || report.changed.includes(s.name)));
      this._logger.info({ ...report }, 'applied new service configuration');
      return report;
    });
  }

  /**
   * Finds processes recorded by a previous supervisor (same pid and start time, so a reused pid
   * is left alone) and stops their process groups. Returns how many it stopped.
   */
  async cleanupOrphans(): Promise<number> {
    const file = this._options.stateFile;
    if (!file) return 0;
    let leftovers: OrphanRecord[] = [];
    try {
      leftovers = (await readLeftovers(file)).filter((record) => this._processes.get(record.service)?.pid !== record.pid);
    } catch (err) {
      this._logger.warn({ err, file }, 'unreadable supervisor state file; no leftovers to clean');
    }
    // As a stop would: the highest tier first, each tier's services in parallel, each with its
    // own stop signal and timeout, then SIGKILL to its group.
    const tiers = [...new Set(leftovers.map((r) => r.tier ?? 0))].sort((a, b) => b - a);
    for (const tier of tiers) {
      await Promise.all(
        leftovers
          .filter((r) => (r.tier ?? 0) === tier)
          .map(async (record) => {
            const { signal, timeoutMs } = record.stop ?? { signal: 'SIGTERM' as const, timeoutMs: 3000 };
            this._logger.warn({ service: record.service, pid: record.pid, tier, signal }, 'stopping a leftover process of a previous supervisor');
            signalGroup(record.pid, signal);
            const deadline = performance.now() + timeoutMs;
            while (groupAlive(record.pid) && performance.now() < deadline) await new Promise((r) => setTimeout(r, 20));
            if (groupAlive(record.pid)) signalGroup(record.pid, 'SIGKILL');
          }),
      );
    }
    const stopped = leftovers.length;
    this._saveState();
    return stopped;
  }

  private _saveState(): void {
    const file = this._options.stateFile;
    if (!file) return;
    const processes = [...this._processes].map(([service, record]) => {
      const spec = this._specs.find((s) => s.name === service);
      return { service, ...record, tier: this._tiers.get(service) ?? 0, ...(spec ? { stop: spec.stop } : {}) };
    });
    // Written in order, each write the latest state.
    this._stateWrite = this._stateWrite
      .then(() => writeFileAtomic(file, JSON.stringify({ pid: process.pid, processes }) + '\n'))
      .catch((err: unknown) => this._logger.warn({ err, file }, 'could not write the supervisor state file'));
  }

  /** Disposes every service runner (the processes are not stopped: use `stop()` first). */
  override dispose(): void {
    for (const runner of this._runners.values()) runner.dispose();
    super.dispose();
  }
}

/**
 * The processes a supervisor recorded in `stateFile` that still run: the same pid *and* start
 * time, so a reused pid is not taken for one. Rejects if the file is not a state file.
 */
export async function readLeftovers(stateFile: string): Promise<OrphanRecord[]> {
  const data = await readFileIfExists(stateFile);
  if (!data) return [];
  const records = (JSON.parse(data.toString('utf8')) as { processes?: OrphanRecord[] }).processes ?? [];
  return records.filter((record) => record.startTime && processStartTime(record.pid) === record.startTime);
}

/** Creates a supervisor. */
export function createSupervisor(options: SupervisorOptions): Supervisor {
  return new Supervisor(options);
}
