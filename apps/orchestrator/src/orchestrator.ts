import { readFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { BatonError, Sequencer, abortableDelay, serializeError, watchDirectory, type CoordinationPaths, type IDisposable, type Logger } from '@baton/base';
import { createServer, ensureAuthToken, type IpcServer } from '@baton/ipc';
import type { Etcd3, EtcdElection } from '@baton/etcd';
import { MetricsServer } from './metricsServer.js';
import { ServiceLogs } from './serviceLogs.js';
import { createElection, type Election, type LeaderInfo } from '@baton/lock';
import { openStore, type Store } from '@baton/state';
import { createSupervisor, describeProbe, type ApplyReport, type ServiceStatus, type StateChange, type Supervisor } from '@baton/supervisor';
import { createBatcher, createFileExporter, type Batcher, type RotatingFile } from '@baton/telemetry';
import { parseConfig, type OrchestratorConfig } from './config.js';
import { maxReplicas } from './replicas.js';
import { orchestratorPaths } from './paths.js';

export type Lifecycle = 'initializing' | 'starting' | 'running' | 'reloading' | 'stopping' | 'stopped';

export interface ReloadOutcome {
  readonly at: string;
  readonly ok: boolean;
  readonly report?: ApplyReport;
  readonly errors?: string[];
  /** The new services failed to start and the previous configuration was put back. */
  readonly rolledBack?: boolean;
  /** Over the rate limit: the reload runs in this many ms (with the file as it is then). */
  readonly deferredMs?: number;
  /** Not applied: the file is the one whose reload failed and was rolled back (`at` is that failure's). */
  readonly unchangedSinceFailure?: boolean;
}

export interface StatusSnapshot {
  readonly pid: number;
  readonly startedAt: string;
  readonly configFile: string;
  readonly lifecycle: Lifecycle;
  readonly services: ServiceStatus[];
  /** Services with replicas: base name -> the names of its copies now. */
  readonly replicas: Readonly<Record<string, readonly string[]>>;
  readonly lastReload: ReloadOutcome | undefined;
  /** A reload deferred by the rate limit: when it runs (the file as it is then), and what asked for it. */
  readonly pendingReload?: { readonly at: string; readonly reason: string };
  readonly updatedAt: string;
}

export interface LifecycleEvent {
  readonly time: string;
  readonly type: 'started' | 'ready' | 'crashed' | 'restarted' | 'failed' | 'exited' | 'stopped' | 'reloaded' | 'reload-failed' | 'orchestrator-started' | 'orchestrator-stopped';
  readonly service?: string;
  readonly [key: string]: unknown;
}

export { orchestratorPaths };

export class AlreadyRunningError extends BatonError {
  constructor(readonly leader: LeaderInfo | undefined, dir: string) {
    super(
      'EALREADYRUNNING',
      `An orchestrator is already running for ${dir}${leader ? ` (pid ${leader.pid} on ${leader.hostname || 'this machine'}, since ${leader.since})` : ''}; use 'orchestrator status' or 'orchestrator stop'`,
    );
  }
}

/** No other orchestrator holds the workspace, yet its lock cannot be taken (the cause is named). */
export class WorkspaceLockError extends BatonError {
  constructor(where: string, cause: Error | undefined) {
    super(
      'EWORKSPACELOCK',
      `Cannot take the workspace lock ${where}: no other orchestrator holds it, but ${cause ? `the lock failed: ${cause.message}` : 'this process did not get it'}`,
      cause ? { cause } : undefined,
    );
  }
}

export class ConfigError extends BatonError {
  constructor(readonly file: string, readonly errors: string[]) {
    super('ECONFIG', `Invalid config ${file}:\n${errors.map((e) => `  ${e}`).join('\n')}`);
  }
}

export interface OrchestratorOptions {
  configFile: string;
  env: Record<string, string | undefined>;
  logger: Logger;
  /** Human-readable progress (start tiers, readiness waits); the CLI prints it. */
  onProgress?: (line: string) => void;
  /** The file `logger` writes to, if any: bounded as the config's `logs:` says, from its load and each reload on. */
  logFile?: RotatingFile;
}

/** Reads and validates a config file; throws ConfigError listing every problem with its path. */
export async function loadConfig(file: string, env: Record<string, string | undefined>): Promise<OrchestratorConfig> {
  return configFrom(file, await readConfigText(file), env);
}

async function readConfigText(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    throw new ConfigError(file, [`cannot read: ${(err as Error).message}`]);
  }
}

/** The config in `text` (read from `file`), with every relative path made absolute; throws ConfigError. */
function configFrom(file: string, text: string, env: Record<string, string | undefined>, scale: Readonly<Record<string, number>> = {}): OrchestratorConfig {
  const result = parseConfig(text, env, scale);
  if ('issues' in result) throw new ConfigError(file, result.issues.map((i) => `${i.path}: ${i.message}`));
  // One rule for every relative path, as docker compose has: the config file's directory. A service runs there (or in
  // its `cwd`, taken from there), wherever the orchestrator was started from; `logs.dir` and `telemetry.file` too.
  const base = dirname(resolve(file));
  const config = result.config;
  return { ...config, services: config.services.map((spec) => ({ ...spec, cwd: resolve(base, spec.cwd ?? '.') })) };
}

/**
 * The composed system: one per workspace (an election), a supervisor running the services, a
 * control socket, the status published through a state store, lifecycle events batched to NDJSON,
 * and config hot reload. Start, reload and stop go through one lifecycle, one at a time.
 */
export class Orchestrator {
  private _lifecycle: Lifecycle = 'initializing';
  /** Start, reload and stop run one at a time. */
  private readonly _ops = new Sequencer();
  private _config!: OrchestratorConfig;
  private _paths!: CoordinationPaths;
  private _election: Election | EtcdElection | undefined;
  private _etcd: Etcd3 | undefined;
  private _metricsServer: MetricsServer | undefined;
  private _serviceLogs: ServiceLogs | undefined;
  private _server: IpcServer | undefined;
  private _status: Store<StatusSnapshot | null> | undefined;
  private _events: Batcher<LifecycleEvent> | undefined;
  private _supervisor: Supervisor | undefined;
  private _watcher: IDisposable | undefined;
  private _deferredReload: NodeJS.Timeout | undefined;
  private _pendingReload: { at: string; reason: string } | undefined;
  /** The text of the file whose reload failed and was rolled back: not applied again unchanged. */
  private _failedText: string | undefined;
  /** Replica counts set by `scale`, by service: they hold across reloads until the orchestrator restarts. */
  private _scale: Readonly<Record<string, number>> = {};
  /** The config a reload is applying, while it does. */
  private _applying: OrchestratorConfig | undefined;
  private _publishTimer: NodeJS.Timeout | undefined;
  private readonly _reloadTimes: number[] = [];
  private _lastReload: ReloadOutcome | undefined;
  private readonly _startedAt = new Date().toISOString();
  private readonly _configFile: string;
  private _stopped: Promise<void> | undefined;
  private _onStopped!: () => void;
  readonly stopped = new Promise<void>((r) => (this._onStopped = r));
  private readonly _readyAt = new Map<string, number>();

  constructor(private readonly _options: OrchestratorOptions) {
    this._configFile = resolve(_options.configFile);
  }

  get lifecycle(): Lifecycle {
    return this._lifecycle;
  }

  get supervisor(): Supervisor | undefined {
    return this._supervisor;
  }

  /** Takes the workspace, opens the control socket and status, starts the services tier by tier. */
  start(): Promise<void> {
    return this._ops.queue(async () => {
      const log = this._options.logger;
      this._config = await loadConfig(this._configFile, this._options.env);
      this._options.logFile?.setLimits(this._config.logs.maxBytes, this._config.logs.keep);
      this._paths = await orchestratorPaths(this._configFile).ensure();
      const { election, where } = await this._createElection();
      try {
        await election.start();
      } catch (err) {
        await election.close();
        this._etcd?.close();
        throw new WorkspaceLockError(where, err as Error);
      }
      // No leader at all and not this process: the lock itself is failing (or a holder's record
      // is being replaced). Give it one lease, then name the cause rather than "already running".
      for (let waited = 0; !election.isLeader && !election.leader && waited < 2000; waited += 50) await abortableDelay(50);
      if (!election.isLeader && !election.leader) {
        const cause = election.lastError;
        await election.close();
        this._etcd?.close();
        throw new WorkspaceLockError(where, cause);
      }
      if (!election.isLeader) {
        const leader = election.leader;
        await election.close();
        this._etcd?.close();
        throw new AlreadyRunningError(leader, dirname(this._configFile));
      }
      this._election = election;
      // Paused past the lease and replaced: another orchestrator now owns the workspace.
      election.onDidChangeRole(({ role, reason, detail }) => {
        if (role !== 'leader' && reason === 'lost') {
          log.error({ detail }, 'lost the workspace to another orchestrator (this one was paused or blocked, or cut off from etcd, past the lease); stopping');
          void this.stop();
        }
      });
      const token = await ensureAuthToken(this._paths.tokenFile);
      this._server = await createServer({ path: this._paths.socketPath('control'), auth: { token }, logger: log });
      this._serve(this._server);
      // The status is rewritten whole on every change: an unreadable one is replaced, not a reason to refuse to start.
      this._status = await openStore<StatusSnapshot | null>({ dir: this._paths.dir, name: 'status', initial: null, watch: false, ifUnreadable: 'reset', logger: log });
      this._events = createBatcher<LifecycleEvent>({
        exporter: createFileExporter({
          path: this._config.telemetry.file ? resolve(dirname(this._configFile), this._config.telemetry.file) : join(this._paths.dir, 'events.ndjson'),
          maxBytes: this._config.logs.maxBytes,
          maxFiles: this._config.logs.keep + 1,
        }),
        maxBatchSize: this._config.telemetry.batchSize,
        maxDelayMs: this._config.telemetry.flushMs,
        logger: log,
      });
      const supervisor = createSupervisor({
        services: this._config.services,
        logger: log,
        stateFile: join(this._paths.dir, 'supervisor.json'),
        // Files, not pipes: services left running by a SIGKILLed orchestrator keep printing unharmed.
        outputDir: join(this._paths.dir, 'output'),
        // Each line is kept once, in the rotated service logs (and `logs -f`), not again in the orchestrator's own log.
        logOutput: false,
      });
      this._supervisor = supervisor;
      const metrics = this._config.metrics;
      if (metrics) {
        this._metricsServer = new MetricsServer(() => supervisor.services);
        try {
          await this._metricsServer.listen(metrics.host, metrics.port);
        } catch (err) {
          throw new BatonError('EMETRICSLISTEN', `metrics.listen ${metrics.host}:${metrics.port}: cannot listen: ${(err as Error).message}`, { cause: err });
        }
        log.info({ url: `http://${metrics.host.includes(':') ? `[${metrics.host}]` : metrics.host}:${metrics.port}/metrics` }, 'serving Prometheus metrics');
      }
      supervisor.onDidChangeState((change) => this._onServiceChange(change));
      this._serviceLogs = new ServiceLogs({ dir: this._config.logs.dir ? resolve(dirname(this._configFile), this._config.logs.dir) : join(this._paths.dir, 'logs'), maxBytes: this._config.logs.maxBytes, keep: this._config.logs.keep, logger: log });
      supervisor.onDidOutput((output) => {
        this._serviceLogs?.write(output);
        this._server?.publish('logs', { service: output.name, stream: output.stream, line: output.line, at: output.at });
      });
      this._event({ type: 'orchestrator-started', pid: process.pid, config: this._configFile });
      this._setLifecycle('starting');
      try {
        await supervisor.start();
      } catch (err) {
        this._setLifecycle('stopping');
        throw err;
      }
      // Watching before 'running' is announced: an edit made the moment it runs is not missed.
      this._watchConfig();
      this._setLifecycle('running');
    });
  }

  /**
   * The single-instance election: in this machine's coordination directory, or in etcd when the
   * config names it (`instance.etcd`), so that two hosts sharing a workspace cannot both run it.
   */
  private async _createElection(): Promise<{ election: Election | EtcdElection; where: string }> {
    const log = this._options.logger;
    const metadata = { configFile: this._configFile };
    const etcd = this._config.instance.etcd;
    if (!etcd) {
      const election = createElection({ dir: this._paths.dir, name: 'orchestrator', leaseMs: 2000, pollMs: 50, metadata, logger: log });
      return { election, where: election.lockDir };
    }
    const name = `orchestrator/${etcd.name ?? basename(dirname(this._configFile))}`;
    // Loaded only when configured: the etcd client (gRPC) is most of a megabyte of code.
    const { createEtcdClient, createEtcdElection } = await import('@baton/etcd');
    this._etcd = createEtcdClient({ hosts: etcd.hosts, callTimeoutMs: 3000 });
    const election = createEtcdElection({ client: this._etcd, name, ttlMs: etcd.ttlMs, metadata, logger: log });
    return { election, where: `etcd election '${name}' at ${etcd.hosts.join(', ')}` };
  }

  private _onServiceChange(change: StateChange): void {
    // During a reload the services being started are the new config's (its probe labels, its limits).
    const spec = (this._applying ?? this._config).services.find((s) => s.name === change.name);
    const tier = this._supervisor?.services.find((s) => s.name === change.name)?.tier;
    if (change.to === 'starting') {
      this._readyAt.set(change.name, performance.now());
      const waiting = spec?.readiness ? `waiting for ${describeProbe(spec.readiness)}` : 'no readiness probe';
      this._progress(`tier ${tier}: ${change.name} starting${change.restarts ? ` (restart ${change.restarts})` : ''}, ${waiting}`);
      this._event({ type: change.restarts > 0 && change.from === 'backoff' ? 'restarted' : 'started', service: change.name, restarts: change.restarts });
    } else if (change.to === 'ready' || (change.to === 'exited' && change.from === 'starting')) {
      const since = this._readyAt.get(change.name);
      if (since !== undefined) this._metricsServer?.readied(change.name, (performance.now() - since) / 1000);
      this._progress(`tier ${tier}: ${change.name} ready${since ? ` in ${Math.round(performance.now() - since)} ms` : ''} (pid ${change.pid})`);
      this._event({ type: 'ready', service: change.name, pid: change.pid });
    } else if (change.to === 'backoff' && change.reason) {
      // An automatic restart that failed before it ran (its port held, its probe never passed): another is coming.
      this._progress(`${change.name}: restart ${change.restarts} failed (${change.reason}); trying again`);
    } else if (change.to === 'crashed' || change.to === 'failed' || change.to === 'exited' || change.to === 'stopped') {
      if (change.to === 'crashed') this._progress(`${change.name} crashed (${change.signal ? `signal ${change.signal}` : `exit ${change.exitCode}`})`);
      // The supervisor says why: the command, the port's holder, what the probe last saw, or the give-up and its last cause.
      if (change.to === 'failed') this._progress(`${change.name} failed${change.reason ? `: ${change.reason}` : ''}`);
      this._event({ type: change.to, service: change.name, exitCode: change.exitCode, signal: change.signal, restarts: change.restarts });
    }
    this._schedulePublish();
  }

  private _progress(line: string): void {
    this._options.onProgress?.(line);
  }

  private _event(event: Omit<LifecycleEvent, 'time'>): void {
    this._events?.add({ time: new Date().toISOString(), ...event } as LifecycleEvent);
  }

  private _setLifecycle(next: Lifecycle): void {
    if (this._lifecycle === next) return;
    this._options.logger.info({ from: this._lifecycle, to: next }, 'lifecycle');
    this._lifecycle = next;
    this._schedulePublish();
  }

  snapshot(): StatusSnapshot {
    return {
      pid: process.pid,
      startedAt: this._startedAt,
      configFile: this._configFile,
      lifecycle: this._lifecycle,
      services: this._supervisor?.services ?? [],
      replicas: this._config?.replicas ?? {},
      lastReload: this._lastReload,
      ...(this._pendingReload ? { pendingReload: this._pendingReload } : {}),
      updatedAt: new Date().toISOString(),
    };
  }

  /** The status store is written at most every 50 ms, latest state winning. */
  private _schedulePublish(): void {
    if (this._publishTimer || !this._status) return;
    this._publishTimer = setTimeout(() => {
      this._publishTimer = undefined;
      void this._status?.set(this.snapshot()).catch((err: unknown) => this._options.logger.warn({ err }, 'could not publish status'));
    }, 50);
  }

  private _serve(server: IpcServer): void {
    server.handle('status', () => this.snapshot());
    server.handle('stop', () => {
      setImmediate(() => void this.stop());
      return { stopping: true };
    });
    // One service: restart, start (one that was stopped, or failed), stop (stays stopped until started).
    for (const [method, run] of [
      ['restart', (name: string) => this._supervisor!.restartService(name)],
      ['start-service', (name: string) => this._supervisor!.startService(name)],
      ['stop-service', (name: string) => this._supervisor!.stopService(name)],
    ] as const) {
      server.handle(method, async (params) => {
        const name = (params as { service?: unknown } | undefined)?.service;
        if (typeof name !== 'string') throw new BatonError('EINVALIDARG', `${method} needs { service }`);
        await run(name);
        return this._supervisor!.services.find((s) => s.name === name);
      });
    }
    server.handle('reload', () => this.reload('requested'));
    server.handle('scale', async (params) => {
      const { service, replicas } = (params ?? {}) as { service?: unknown; replicas?: unknown };
      if (typeof service !== 'string' || typeof replicas !== 'number') throw new BatonError('EINVALIDARG', 'scale needs { service, replicas }');
      return { service, replicas: await this.scale(service, replicas) };
    });
    server.handle('logs', (params) => {
      const { service, lines = 100, since } = (params ?? {}) as { service?: string; lines?: number; since?: number };
      const names = service ? [service] : this._config.services.map((s) => s.name);
      // The last `lines` of each service, interleaved by time.
      return names
        .flatMap((name) => this._supervisor!.logEntries(name, lines).map((entry) => ({ service: name, ...entry })))
        .filter((entry) => since === undefined || entry.at >= since)
        .sort((a, b) => a.at - b.at);
    });
  }

  /** Watches the config's directory (editors save by rename), debounced. */
  private _watchConfig(): void {
    const dir = dirname(this._configFile);
    const name = basename(this._configFile);
    try {
      this._watcher = watchDirectory(
        dir,
        {
          debounceMs: this._config.reload.debounceMs,
          filter: (filename) => filename === name,
          onError: (err) => this._options.logger.warn({ err }, 'config watch failed; reload with SIGHUP or `orchestrator reload`'),
        },
        () => void this.reload('file changed'),
      );
    } catch (err) {
      this._options.logger.warn({ err }, 'cannot watch the config; reload with SIGHUP or `orchestrator reload`');
    }
  }

  /**
   * Re-reads the config and applies it: an invalid file changes nothing and is reported (status
   * shows the last reload error); a valid one restarts only changed services. Rate-limited, and
   * serialized with start and stop: during start it waits; during stop it is dropped.
   */
  reload(reason: string): Promise<ReloadOutcome | undefined> {
    const now = performance.now();
    const windowMs = this._config?.reload.windowMs ?? 60_000;
    while (this._reloadTimes.length && now - this._reloadTimes[0]! >= windowMs) this._reloadTimes.shift();
    const limit = this._config?.reload.maxPerMinute ?? 10;
    if (this._reloadTimes.length >= limit || this._deferredReload) {
      // Over the limit: never dropped. One reload runs when the window allows, reading the file
      // as it is then, so every change made meanwhile is applied together.
      const inMs = Math.max(0, Math.ceil(windowMs - (now - (this._reloadTimes[0] ?? now))));
      if (!this._deferredReload) {
        this._pendingReload = { at: new Date(Date.now() + inMs).toISOString(), reason };
        this._schedulePublish();
        this._deferredReload = setTimeout(() => {
          this._deferredReload = undefined;
          this._pendingReload = undefined;
          // The window has opened: this is the reload it allows (a timer may fire a millisecond early).
          void this._runReload(`deferred (${reason})`);
        }, inMs);
        this._options.logger.warn({ reason, inMs }, `reload deferred: more than ${limit} reloads in ${windowMs / 1000} s; the file as it is then is applied in ${Math.ceil(inMs / 1000)} s`);
        this._metricsServer?.reloaded('deferred');
        this._progress(`reload deferred ${Math.ceil(inMs / 1000)} s (more than ${limit} reloads in ${windowMs / 1000} s); the latest file will be applied then`);
      }
      return Promise.resolve({ at: new Date().toISOString(), ok: true, deferredMs: inMs });
    }
    return this._runReload(reason);
  }

  /**
   * Loads the file and applies it. Only a valid file counts toward the rate limit (an invalid one costs a parse, and
   * a user fixing a typo must not be deferred for it); a file that failed to apply (its new services did not start)
   * is not applied again unchanged: that would restart the same services to fail and roll back the same way.
   */
  private _runReload(reason: string): Promise<ReloadOutcome | undefined> {
    return this._ops.queue(async () => {
      if (this._lifecycle !== 'running') {
        this._options.logger.info({ reason, lifecycle: this._lifecycle }, 'reload dropped: not running');
        return undefined;
      }
      const log = this._options.logger;
      let config: OrchestratorConfig;
      // The text too, to know the file whose reload failed when it comes again.
      let text: string;
      try {
        text = await readConfigText(this._configFile);
        config = configFrom(this._configFile, text, this._options.env, this._scale);
      } catch (err) {
        const errors = err instanceof ConfigError ? err.errors : [(err as Error).message];
        this._lastReload = { at: new Date().toISOString(), ok: false, errors };
        log.error({ errors }, 'config reload refused: the file is invalid; nothing changed');
        this._progress(`reload refused, nothing changed: ${errors.join('; ')}`);
        this._metricsServer?.reloaded('refused');
        this._event({ type: 'reload-failed', errors });
        this._schedulePublish();
        return this._lastReload;
      }
      if (this._failedText !== undefined && text === this._failedText) {
        log.info({ reason }, 'reload skipped: the file is the one whose reload failed; change it first');
        this._progress('reload skipped: the file has not changed since its reload failed and was rolled back; fix it first');
        return { ...this._lastReload!, unchangedSinceFailure: true };
      }
      // A valid file counts toward the rate limit (a deferred one as its window opened: now).
      this._reloadTimes.push(performance.now());
      if (JSON.stringify(config.instance) !== JSON.stringify(this._config.instance)) {
        log.warn({}, 'instance: changes to the single-instance election take effect at the next start');
        this._progress('instance: the change takes effect at the next start');
      }
      this._setLifecycle('reloading');
      const previous = this._config;
      this._applying = config;
      try {
        const report = await this._supervisor!.apply(config.services);
        this._config = config;
        this._options.logFile?.setLimits(config.logs.maxBytes, config.logs.keep);
        this._failedText = undefined;
        this._lastReload = { at: new Date().toISOString(), ok: true, report };
        this._progress(`reloaded: added ${list(report.added)}, removed ${list(report.removed)}, changed ${list(report.changed)}`);
        this._event({ type: 'reloaded', ...report });
        this._metricsServer?.reloaded('applied');
      } catch (err) {
        // The new services did not start: put the previous ones back rather than leave them failed.
        const errors = [(err as Error).message];
        let rolledBack = false;
        try {
          this._applying = previous;
          await this._supervisor!.apply(previous.services);
          rolledBack = true;
        } catch (rollbackErr) {
          errors.push(`rolling back to the previous configuration failed too: ${(rollbackErr as Error).message}`);
        }
        if (!rolledBack) this._config = config;
        else this._failedText = text;
        this._lastReload = { at: new Date().toISOString(), ok: false, errors, rolledBack };
        log.error({ err, rolledBack }, rolledBack ? 'reload failed; rolled back to the previous configuration' : 'reload failed, and so did the rollback');
        this._progress(`reload failed${rolledBack ? ', rolled back to the previous configuration' : ''}: ${errors.map((e) => e.split('\n')[0]).join('; ')}`);
        this._event({ type: 'reload-failed', error: serializeError(err), rolledBack });
        this._metricsServer?.reloaded(rolledBack ? 'rolled_back' : 'failed');
      } finally {
        this._applying = undefined;
      }
      this._setLifecycle('running');
      return this._lastReload;
    });
  }

  /**
   * Runs `replicas` copies of `service` (a service with `replicas:` in the config): the copies added start, those
   * past the new count (the highest indexes) stop. The count holds across reloads until the orchestrator restarts
   * (the file's `replicas:` applies again then). Resolves with the copies' names once they started.
   */
  scale(service: string, replicas: number): Promise<readonly string[]> {
    return this._ops.queue(async () => {
      if (this._lifecycle !== 'running') throw new BatonError('ENOTRUNNING', `cannot scale now: the orchestrator is ${this._lifecycle}`);
      if (!this._config.replicas[service]) {
        const scalable = Object.keys(this._config.replicas);
        throw new BatonError('EINVALIDARG', `'${service}' has no replicas: add \`replicas: 1\` to it in the config to scale it${scalable.length ? ` (scalable: ${scalable.join(', ')})` : ''}`);
      }
      if (!Number.isInteger(replicas) || replicas < 1 || replicas > maxReplicas) throw new BatonError('EINVALIDARG', `replicas must be a whole number from 1 to ${maxReplicas}, got ${replicas}`);
      const text = await readConfigText(this._configFile);
      const scale = { ...this._scale, [service]: replicas };
      // The file as it is now, with the new count: a change made to it meanwhile is applied too, as a reload would.
      const config = configFrom(this._configFile, text, this._options.env, scale);
      this._setLifecycle('reloading');
      this._applying = config;
      try {
        const report = await this._supervisor!.apply(config.services);
        this._config = config;
        this._scale = scale;
        this._progress(`scaled ${service} to ${replicas}: added ${list(report.added)}, removed ${list(report.removed)}`);
        this._event({ type: 'reloaded', scaled: service, replicas, ...report });
      } catch (err) {
        // A new copy did not start: back to the services as they were, as a failed reload does.
        this._applying = this._config;
        await this._supervisor!.apply(this._config.services).catch((rollbackErr: unknown) => this._options.logger.error({ err: rollbackErr }, 'rolling back a failed scale failed too'));
        this._progress(`scaling ${service} to ${replicas} failed, rolled back: ${(err as Error).message.split('\n')[0]}`);
        throw err;
      } finally {
        this._applying = undefined;
        this._setLifecycle('running');
      }
      return config.replicas[service]!;
    });
  }

  /** Stops every service (reverse tiers), then the socket, status and telemetry. */
  stop(): Promise<void> {
    this._stopped ??= (async () => {
      this._watcher?.dispose();
      if (this._deferredReload) clearTimeout(this._deferredReload);
      this._deferredReload = undefined;
      this._pendingReload = undefined;
      await this._ops.whenIdle();
      this._setLifecycle('stopping');
      await this._supervisor?.stop();
      this._setLifecycle('stopped');
      if (this._publishTimer) clearTimeout(this._publishTimer);
      this._publishTimer = undefined;
      await this._status?.set(this.snapshot()).catch(() => {});
      this._event({ type: 'orchestrator-stopped' });
      await this._events?.shutdown({ timeoutMs: 5000 });
      await this._status?.close();
      await this._server?.close();
      await this._metricsServer?.close();
      this._serviceLogs?.close();
      await this._election?.close();
      this._etcd?.close();
      this._supervisor?.dispose();
      this._onStopped();
    })();
    return this._stopped;
  }

  /**
   * Kills every service's process group at once (a second Ctrl-C), records it (a `stopped` event for each service killed, then
   * `orchestrator-stopped` marked forced) and writes the events out, waiting at most `timeoutMs` for that.
   */
  async forceKill(timeoutMs = 1000): Promise<void> {
    for (const service of this._supervisor?.services ?? []) {
      if (!service.pid) continue;
      try {
        process.kill(process.platform === 'win32' ? service.pid : -service.pid, 'SIGKILL');
        this._event({ type: 'stopped', service: service.name, pid: service.pid, signal: 'SIGKILL', forced: true });
      } catch {
        // Already gone.
      }
    }
    this._event({ type: 'orchestrator-stopped', forced: true });
    await this._events?.shutdown({ timeoutMs });
  }
}

function list(names: string[]): string {
  return names.length ? names.join(', ') : 'none';
}
