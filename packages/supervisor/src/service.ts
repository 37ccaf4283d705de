import { accessSync, closeSync, constants, existsSync, statSync } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';
import { createInterface } from 'node:readline';
import { execa, type Options, type ResultPromise } from 'execa';
import {
  Disposable,
  Emitter,
  createBackoff,
  Sequencer,
  noopLogger,
  systemClock,
  type Backoff,
  type Clock,
  type IDisposable,
  type Logger,
} from '@baton/base';
import { PortInUseError, ReadinessError, SpawnError } from './errors.js';
import { portAnswers, portHolder, probedPort } from './portHolder.js';
import { groupAlive, processStartTime, signalGroup } from './processInfo.js';
import { CpuBudget, OutputTail, openOutputForChild } from './outputFile.js';
import { checkOnce, describeProbe, waitUntilReady } from './readiness.js';
import { RingBuffer } from './ringBuffer.js';
import type { ServiceSpec } from './spec.js';

/** How long a stop waits for a process group to vanish after SIGKILL. */
const unkillableWaitMs = 5000;

/**
 * Test-only fault points. `groupSurvives(pgid)`: true makes the stop see the group alive after
 * SIGKILL, as a process in uninterruptible sleep would be (which cannot be made on demand).
 */
export const serviceFaultPoints: { groupSurvives?: (pgid: number) => boolean } = {};

/** Where a service stands. */
export type ServiceState = 'pending' | 'starting' | 'ready' | 'exited' | 'crashed' | 'backoff' | 'failed' | 'stopping' | 'stopped';

/** How often dropped output is reported in the log, at most. */
const dropReportMs = 5000;

/** A change of a service's state. */
export interface StateChange {
  readonly name: string;
  readonly from: ServiceState;
  readonly to: ServiceState;
  readonly pid: number | undefined;
  readonly exitCode: number | undefined;
  readonly signal: string | undefined;
  readonly restarts: number;
  /**
   * Why: set when a service fails (its command cannot run, its probed port is held, it did not become ready, or it
   * gave up restarting, with the last attempt's cause) and when an automatic restart failed and another is scheduled.
   */
  readonly reason?: string;
}

/** A line of a service's output, with its stream and time. */
export interface OutputLine {
  readonly name: string;
  readonly stream: 'stdout' | 'stderr';
  readonly line: string;
  /** When the supervisor read it (epoch ms; within milliseconds of when it was written). */
  readonly at: number;
}

/** One kept output line of a service. */
export interface OutputEntry {
  readonly at: number;
  readonly stream: 'stdout' | 'stderr';
  readonly line: string;
}

/** A service's state and its process, for status. */
export interface ServiceInfo {
  readonly name: string;
  readonly state: ServiceState;
  readonly pid: number | undefined;
  readonly restarts: number;
  /** Wall-clock start of the current process, ISO 8601. */
  readonly startedAt: string | undefined;
  readonly uptimeMs: number | undefined;
  readonly lastExit: { code: number | undefined; signal: string | undefined; at: string; reason?: 'liveness' } | undefined;
  /** With a liveness probe, once ready: consecutive failed checks (0: healthy). */
  readonly livenessFailures: number | undefined;
  /** Bytes of output dropped unread since the supervisor started it: the service wrote faster than it could be read. */
  readonly outputDroppedBytes: number;
  /** Restarts after failures within the policy's window, of the most it allows there before it gives up. */
  readonly restartBudget: { readonly used: number; readonly max: number; readonly windowMs: number };
  /** In backoff: when the next start is due (wall clock, ISO 8601). */
  readonly nextStartAt: string | undefined;
}

/** A process a service spawned: its pid and start time, as the state file records them. */
export interface ProcessRecord {
  readonly pid: number;
  readonly startTime: string | undefined;
}

interface Running {
  readonly child: ResultPromise;
  readonly pid: number;
  readonly startedAt: number;
  readonly startedAtWall: string;
  readonly exited: Promise<{ code: number | undefined; signal: string | undefined }>;
  readonly onLine: Emitter<string>;
  readonly onMessage: Emitter<unknown>;
  readonly tails: readonly OutputTail[];
  stopping: boolean;
  /** Consecutive failed liveness checks, and set once they made it unhealthy (it is then stopped). */
  livenessFailures: number;
  unhealthy: boolean;
}

/**
 * One service: its process, its state machine and its restart policy. Operations (start, stop,
 * restart) run one at a time in order, so a restart requested during a start does not make a
 * second process.
 */
export class ServiceRunner extends Disposable {
  private readonly _onDidChangeState = this._register(new Emitter<StateChange>());
  readonly onDidChangeState = this._onDidChangeState.event;
  private readonly _onDidOutput = this._register(new Emitter<OutputLine>());
  readonly onDidOutput = this._onDidOutput.event;
  private readonly _onDidGiveUp = this._register(new Emitter<ServiceSpec>());
  readonly onDidGiveUp = this._onDidGiveUp.event;
  private readonly _onDidSpawn = this._register(new Emitter<ProcessRecord | undefined>());
  /** A process was started (its record) or is gone (undefined): for the orphan state file. */
  readonly onDidSpawn = this._onDidSpawn.event;

  private _state: ServiceState = 'pending';
  private _running: Running | undefined;
  private _restarts = 0;
  /** Output dropped unread: in all, and since it was last reported (at most one warning per `dropReportMs`). */
  private readonly _dropped = { total: 0, unreported: 0, reportedAt: -Infinity };
  private _dropTimer: IDisposable | undefined;
  /** Why the last start or restart failed (a crash, a probe, a port, a command), for the give-up's reason. */
  private _lastFailure: string | undefined;
  private _restartTimes: number[] = [];
  private readonly _backoff: Backoff;
  private _backoffTimer: IDisposable | undefined;
  /** When the backoff timer fires (wall clock ms), for `nextStartAt`. */
  private _backoffDue: number | undefined;
  private _lastExit: ServiceInfo['lastExit'];
  /** Operations on this service run one at a time (no duplicate process from concurrent requests). */
  private readonly _ops = new Sequencer();
  private _queuedRestart: Promise<void> | undefined;
  private _wanted = false;
  private readonly _output: RingBuffer<OutputEntry>;
  private readonly _logger: Logger;
  private readonly _clock: Clock;

  /**
   * @param _outputDir where the child's stdout and stderr go as files (`<name>.stdout.log`,
   * `<name>.stderr.log`), followed from here; without it, through pipes (see the README's "Output").
   */
  constructor(
    readonly spec: ServiceSpec,
    logger: Logger = noopLogger,
    clock: Clock = systemClock,
    private readonly _outputDir?: string,
    /** Log every output line too (default true); false where the lines are kept elsewhere (the orchestrator's log files). */
    private readonly _logOutput = true,
    /** The CPU reading output files may take, shared by the supervisor's services. */
    private readonly _outputCpu: CpuBudget = new CpuBudget(),
  ) {
    super();
    const { backoff } = spec.restart;
    this._backoff = createBackoff({ initialMs: backoff.initialMs, maxMs: backoff.maxMs, factor: backoff.factor, jitter: backoff.jitter });
    this._output = new RingBuffer<OutputEntry>(spec.logLines);
    this._logger = logger.child({ service: spec.name });
    this._clock = clock;
  }

  get name(): string {
    return this.spec.name;
  }

  get state(): ServiceState {
    return this._state;
  }

  get info(): ServiceInfo {
    const running = this._running;
    return {
      name: this.name,
      state: this._state,
      pid: running?.pid,
      restarts: this._restarts,
      startedAt: running?.startedAtWall,
      uptimeMs: running ? Math.round(this._clock.now() - running.startedAt) : undefined,
      lastExit: this._lastExit,
      livenessFailures: running && this.spec.liveness && this._state === 'ready' ? running.livenessFailures : undefined,
      outputDroppedBytes: this._dropped.total,
      restartBudget: { used: this._restartTimes.filter((t) => this._clock.now() - t < this.spec.restart.windowMs).length, max: this.spec.restart.maxRestarts, windowMs: this.spec.restart.windowMs },
      nextStartAt: this._state === 'backoff' && this._backoffDue !== undefined ? new Date(this._backoffDue).toISOString() : undefined,
    };
  }

  /** The last `count` output lines with when each was read and from which stream, oldest first. */
  entries(count?: number): OutputEntry[] {
    return this._output.last(count);
  }

  /** The last `count` output lines. */
  logs(count?: number): string[] {
    return this._output.last(count).map((entry) => entry.line);
  }

  /** Starts the service and resolves when it is ready (rejects with ReadinessError). */
  start(): Promise<void> {
    return this._ops.queue(async () => {
      this._wanted = true;
      if (this._running && (this._state === 'ready' || this._state === 'starting')) return;
      this._cancelBackoff();
      this._restartTimes = [];
      this._backoff.reset();
      await this._spawnUntilReady();
    });
  }

  /** Stops the service: its stop signal to the process group, SIGKILL after the timeout. */
  stop(): Promise<void> {
    return this._ops.queue(async () => {
      this._wanted = false;
      this._cancelBackoff();
      await this._stopProcess();
      this._setState('stopped');
    });
  }

  /** Stop then start; requests made while one is waiting to run share it. */
  restart(): Promise<void> {
    this._queuedRestart ??= this._ops.queue(async () => {
      this._queuedRestart = undefined;
      this._wanted = true;
      this._cancelBackoff();
      await this._stopProcess();
      this._restartTimes = [];
      this._backoff.reset();
      await this._spawnUntilReady();
    });
    return this._queuedRestart;
  }

  /**
   * Spawns and waits for readiness. A failure rejects with ReadinessError; for a start or restart
   * asked by the caller the service is then `failed`, while for an automatic restart (`automatic`)
   * it counts like a crash: the restart its exit scheduled stays.
   */
  private async _spawnUntilReady(automatic = false): Promise<void> {
    // A probe that another program already answers would call this service ready before it is
    // even listening (and it would then fail to bind): refuse to start it, naming the holder.
    const probed = probedPort(this.spec.readiness);
    if (probed && (await portAnswers(probed.host, probed.port))) {
      const holder = portHolder(probed.port);
      const reason = `port ${probed.port}, which its ${this.spec.readiness!.type} readiness probe checks, is in use${holder ? ` by pid ${holder.pid} (${holder.name || 'unknown'})` : ' by another program'}`;
      this._lastFailure = reason;
      // An automatic restart counts it like a crash (the caller schedules the next one): not failed yet.
      if (!automatic) {
        this._cancelBackoff();
        this._setState('failed', undefined, undefined, undefined, `not started: ${reason}`);
      }
      throw new PortInUseError(
        `Service '${this.name}' was not started: port ${probed.port}, which its ${this.spec.readiness!.type} readiness probe checks, is already in use${holder ? ` by pid ${holder.pid} (${holder.name || 'unknown'})` : ''}; stop that program or change the port`,
        { data: { service: this.name, port: probed.port, holder } },
      );
    }
    const running = this._spawn();
    const readiness = this.spec.readiness;
    if (!readiness) {
      this._setState('ready');
      this._watchLiveness(running);
      return;
    }
    const stopped = new AbortController();
    void running.exited.then(() => stopped.abort());
    try {
      await waitUntilReady(readiness, {
        onLine: running.onLine.event,
        onMessage: running.onMessage.event,
        exited: running.exited,
        cwd: this.spec.cwd,
        env: { ...(process.env as Record<string, string>), ...this.spec.env },
        signal: stopped.signal,
      });
    } catch (err) {
      const probe = describeProbe(readiness);
      const lastLines = this._output.last(10).map((entry) => entry.line);
      this._logger.warn({ probe, reason: (err as Error).message }, 'service did not become ready');
      await this._stopProcess();
      this._lastFailure = `not ready: ${(err as Error).message} (probe ${probe})`;
      if (!automatic) {
        this._cancelBackoff();
        this._setState('failed', undefined, undefined, undefined, this._lastFailure);
      }
      throw new ReadinessError(
        this.name,
        `Service '${this.name}' did not become ready: ${(err as Error).message}; probe ${probe}.${lastLines.length ? `\nLast output:\n  ${lastLines.join('\n  ')}` : ' It printed nothing.'}`,
        lastLines,
        { cause: err, data: { service: this.name, probe } },
      );
    }
    if (this._running === running) {
      this._setState(readiness.type === 'exit0' ? 'exited' : 'ready');
      this._watchLiveness(running);
    }
  }

  private _spawn(): Running {
    const { spec } = this;
    this._setState('starting');
    const problem = spawnProblem(spec);
    if (problem) {
      this._lastFailure = `cannot be started: ${problem}`;
      this._setState('failed', undefined, undefined, undefined, this._lastFailure);
      throw new SpawnError(`Service '${spec.name}' cannot be started: ${problem}`, { data: { service: spec.name, command: spec.command } });
    }
    const outputFiles = this._outputDir
      ? { stdout: join(this._outputDir, `${spec.name}.stdout.log`), stderr: join(this._outputDir, `${spec.name}.stderr.log`) }
      : undefined;
    const fds = outputFiles && { stdout: openOutputForChild(outputFiles.stdout), stderr: openOutputForChild(outputFiles.stderr) };
    let child: ResultPromise;
    try {
      child = this._execa(fds);
    } finally {
      // The child has its own copies; the supervisor only reads the files.
      if (fds) for (const fd of [fds.stdout, fds.stderr]) closeSync(fd);
    }
    const pid = child.pid;
    if (pid === undefined) throw new SpawnError(`Service '${spec.name}' could not be started: ${spec.command}`, { data: { service: spec.name, command: spec.command } });
    const onLine = new Emitter<string>();
    const onMessage = new Emitter<unknown>();
    const deliver = (stream: 'stdout' | 'stderr') => (line: string) => {
      const at = Date.now();
      this._output.push({ at, stream, line });
      if (this._logOutput) this._logger.info({ stream }, line);
      this._onDidOutput.fire({ name: spec.name, stream, line, at });
      onLine.fire(line);
    };
    const tails = outputFiles
      ? (['stdout', 'stderr'] as const).map((stream) => new OutputTail(outputFiles[stream], deliver(stream), this._logger, this._clock, undefined, (bytes) => this._outputDropped(stream, bytes), this._outputCpu))
      : [];
    const exited = new Promise<{ code: number | undefined; signal: string | undefined }>((resolve) => {
      child.once('exit', (code, signal) => {
        // Everything the process wrote is delivered before anyone learns it exited.
        for (const tail of tails) tail.drain();
        resolve({ code: code ?? undefined, signal: signal ?? undefined });
      });
    });
    child.catch(() => {});
    const running: Running = { child, pid, startedAt: this._clock.now(), startedAtWall: new Date().toISOString(), exited, onLine, onMessage, tails, stopping: false, livenessFailures: 0, unhealthy: false };
    this._running = running;
    if (!outputFiles) {
      for (const stream of ['stdout', 'stderr'] as const) {
        const source = child[stream];
        if (source) createInterface({ input: source, crlfDelay: Infinity }).on('line', deliver(stream));
      }
    }
    if (spec.readiness?.type === 'ipc') child.on('message', (message: unknown) => onMessage.fire(message));
    this._onDidSpawn.fire({ pid, startTime: processStartTime(pid) });
    void exited.then(({ code, signal }) => this._onExit(running, code, signal));
    this._logger.info({ pid }, 'started');
    return running;
  }

  private _execa(fds: { stdout: number; stderr: number } | undefined): ResultPromise {
    const { spec } = this;
    const options: Options = {
      shell: spec.args === undefined,
      cwd: spec.cwd,
      env: spec.env,
      extendEnv: true,
      // Its own process group: a signal to -pid reaches every process the service started.
      detached: process.platform !== 'win32',
      stdin: 'ignore',
      stdout: fds ? asStdio(fds.stdout) : 'pipe',
      stderr: fds ? asStdio(fds.stderr) : 'pipe',
      ipc: spec.readiness?.type === 'ipc',
      serialization: 'json',
      buffer: false,
      reject: false,
      forceKillAfterDelay: false,
      windowsHide: true,
    };
    return execa(spec.command, spec.args ?? [], options) as ResultPromise;
  }

  /**
   * Once ready: checks the liveness probe every periodMs until the process ends. After
   * failureThreshold failures in a row the service is unhealthy: it gets its stop signal (SIGKILL
   * to the group after the stop timeout) and its exit counts as a crash, so the restart policy
   * restarts it (with its backoff and limits).
   */
  private _watchLiveness(running: Running): void {
    const liveness = this.spec.liveness;
    if (!liveness) return;
    const ended = new AbortController();
    void running.exited.then(() => ended.abort());
    const context = { cwd: this.spec.cwd, env: { ...(process.env as Record<string, string>), ...this.spec.env } };
    const check = async () => {
      if (ended.signal.aborted || this._running !== running || running.stopping) return;
      const ok = await checkOnce(liveness, context, ended.signal);
      if (ended.signal.aborted || this._running !== running || running.stopping) return;
      if (ok) {
        if (running.livenessFailures > 0) this._logger.info({ after: running.livenessFailures }, 'liveness check passed again');
        running.livenessFailures = 0;
      } else {
        running.livenessFailures++;
        this._logger.warn({ failures: running.livenessFailures, threshold: liveness.failureThreshold, probe: describeProbe(liveness) }, 'liveness check failed');
        if (running.livenessFailures >= liveness.failureThreshold) {
          running.unhealthy = true;
          this._logger.error({ probe: describeProbe(liveness), failures: running.livenessFailures }, `unhealthy: ${running.livenessFailures} liveness checks failed in a row; stopping it for a restart`);
          const { signal, timeoutMs } = this.spec.stop;
          signalGroup(running.pid, signal);
          const kill = this._clock.setTimeout(() => {
            if (groupAlive(running.pid)) signalGroup(running.pid, 'SIGKILL');
          }, timeoutMs);
          void running.exited.then(() => kill.dispose());
          return;
        }
      }
      this._clock.setTimeout(() => void check(), liveness.periodMs);
    };
    this._clock.setTimeout(() => void check(), liveness.initialDelayMs || liveness.periodMs);
  }

  private _onExit(running: Running, code: number | undefined, signal: string | undefined): void {
    running.onLine.dispose();
    running.onMessage.dispose();
    // Whatever the service left behind in its group goes with it.
    if (process.platform !== 'win32' && groupAlive(running.pid)) signalGroup(running.pid, 'SIGKILL');
    this._lastExit = { code, signal, at: new Date().toISOString(), ...(running.unhealthy ? { reason: 'liveness' as const } : {}) };
    if (this._running !== running) return;
    this._running = undefined;
    this._onDidSpawn.fire(undefined);
    if (running.stopping) return; // the stop operation sets the state
    // Stopped for failing its liveness checks: a failure, however cleanly it then exited.
    const crashed = signal !== undefined || code !== 0 || running.unhealthy;
    this._logger[crashed ? 'warn' : 'info']({ code, signal, ...(running.unhealthy ? { reason: 'liveness' } : {}) }, crashed ? 'crashed' : 'exited');
    const wasOneShotDone = this.spec.readiness?.type === 'exit0' && code === 0;
    if (crashed) this._lastFailure = running.unhealthy ? 'stopped for failing its liveness checks' : signal ? `killed by ${signal}` : `exited with code ${code}${code === 127 ? ' (command not found)' : code === 126 ? ' (command not executable)' : ''}`;
    this._setState(crashed ? 'crashed' : 'exited', code, signal, running.pid);
    if (this._state === 'stopping' || !this._wanted || wasOneShotDone) return;
    const { policy } = this.spec.restart;
    if (policy === 'never' || (policy === 'on-failure' && !crashed)) return;
    this._scheduleRestart(this._clock.now() - running.startedAt);
  }

  private _scheduleRestart(uptimeMs: number, reason?: string): void {
    // A restart that dies during readiness is seen twice (its exit, and the failed readiness):
    // one restart is scheduled, and the backoff grows once.
    if (this._backoffTimer) return;
    const { maxRestarts, windowMs, resetAfterMs } = this.spec.restart;
    const now = this._clock.now();
    if (uptimeMs >= resetAfterMs) {
      this._backoff.reset();
      this._restartTimes = [];
    }
    this._restartTimes = this._restartTimes.filter((t) => now - t < windowMs);
    if (this._restartTimes.length >= maxRestarts) {
      this._logger.error({ restarts: this._restartTimes.length, windowMs, lastFailure: this._lastFailure }, `restarted ${maxRestarts} times within ${windowMs} ms; giving up`);
      this._setState('failed', undefined, undefined, undefined, `restarted ${maxRestarts} times within ${windowMs / 1000} s and gave up; the last attempt: ${this._lastFailure ?? 'unknown'}`);
      this._onDidGiveUp.fire(this.spec);
      return;
    }
    const delay = this._backoff.next();
    this._backoffDue = Date.now() + delay;
    this._setState('backoff', undefined, undefined, undefined, reason);
    this._backoffTimer = this._clock.setTimeout(() => {
      this._backoffTimer = undefined;
      void this._ops.queue(async () => {
        if (!this._wanted || this._state !== 'backoff') return;
        this._restartTimes.push(this._clock.now());
        this._restarts++;
        try {
          await this._spawnUntilReady(true);
        } catch {
          // Not ready (or its port held, or its command gone) after a restart counts like a crash.
          if (this._wanted) this._scheduleRestart(0, this._lastFailure);
        }
      });
    }, delay);
  }

  private _cancelBackoff(): void {
    this._backoffTimer?.dispose();
    this._backoffTimer = undefined;
  }

  private async _stopProcess(): Promise<void> {
    const running = this._running;
    if (!running) return;
    running.stopping = true;
    this._setState('stopping');
    const { signal, timeoutMs } = this.spec.stop;
    signalGroup(running.pid, signal);
    let timer: NodeJS.Timeout | undefined;
    const killed = await Promise.race([
      running.exited.then(() => false),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), timeoutMs))),
    ]);
    clearTimeout(timer);
    if (killed) {
      this._logger.warn({ timeoutMs }, `did not stop within ${timeoutMs} ms of ${signal}; killing the process group`);
      signalGroup(running.pid, 'SIGKILL');
    }
    await running.exited;
    // Grandchildren that ignored the signal and outlived the service's main process. A process in
    // uninterruptible sleep outlives even SIGKILL until its I/O returns: stop waiting for it then.
    const deadline = this._clock.now() + (killed ? 0 : timeoutMs);
    let killedAt: number | undefined;
    while (serviceFaultPoints.groupSurvives?.(running.pid) || groupAlive(running.pid)) {
      const now = this._clock.now();
      if (now >= deadline) {
        signalGroup(running.pid, 'SIGKILL');
        killedAt ??= now;
        if (now - killedAt >= unkillableWaitMs) {
          this._logger.error({ pgid: running.pid, waitedMs: Math.round(now - killedAt) }, 'processes of the group survive SIGKILL (uninterruptible sleep?); no longer waiting for them');
          break;
        }
      }
      await delay(10);
    }
    if (this._running === running) {
      this._running = undefined;
      this._onDidSpawn.fire(undefined);
    }
  }

  /** Output dropped unread: counted, and said at most once per `dropReportMs` in the log (never silently). */
  private _outputDropped(stream: 'stdout' | 'stderr', bytes: number): void {
    const dropped = this._dropped;
    dropped.total += bytes;
    dropped.unreported += bytes;
    const now = this._clock.now();
    if (now - dropped.reportedAt < dropReportMs) {
      // What is dropped meanwhile is said when the period ends, even if nothing more is dropped by then.
      this._dropTimer ??= this._clock.setTimeout(() => {
        this._dropTimer = undefined;
        if (dropped.unreported > 0) this._outputDropped(stream, 0);
      }, dropped.reportedAt + dropReportMs - now);
      return;
    }
    const seconds = dropped.reportedAt === -Infinity ? undefined : Math.round((now - dropped.reportedAt) / 1000);
    this._logger.warn(
      { stream, droppedBytes: dropped.unreported, totalDroppedBytes: dropped.total },
      `${dropped.unreported.toLocaleString('en-US')} bytes of output dropped from ${this.name}${seconds ? ` in the last ${seconds} s` : ''}: it printed faster than it could be read`,
    );
    dropped.unreported = 0;
    dropped.reportedAt = now;
  }

  private _setState(to: ServiceState, exitCode?: number, signal?: string, pid?: number, reason?: string): void {
    const from = this._state;
    // The same state again only to say why (a refused restart, still in backoff).
    if (from === to && to !== 'starting' && reason === undefined) return;
    this._state = to;
    this._onDidChangeState.fire({ name: this.name, from, to, pid: pid ?? this._running?.pid, exitCode, signal, restarts: this._restarts, ...(reason === undefined ? {} : { reason }) });
  }

  /** Stops the restart backoff and the output tails (the process is not stopped: use `stop()` first). */
  override dispose(): void {
    this._cancelBackoff();
    this._dropTimer?.dispose();
    for (const tail of this._running?.tails ?? []) tail.dispose();
    super.dispose();
  }
}

/**
 * execa hands any integer descriptor to child_process.spawn unchanged (lib/stdio/native.js), but
 * its types list only 0-9; an opened file's descriptor is usually above that.
 */
function asStdio(fd: number): Options['stdout'] {
  return fd as unknown as Options['stdout'];
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Why `spec` cannot be started, checked before spawning so the answer is a sentence rather than
 * an asynchronous ENOENT: a missing cwd, or (args form; a shell reports its own) a program not
 * found in PATH or not executable.
 */
export function spawnProblem(spec: Pick<ServiceSpec, 'command' | 'args' | 'cwd' | 'env'>): string | undefined {
  if (spec.cwd !== undefined && !isDirectory(spec.cwd)) return `its cwd ${spec.cwd} is not a directory`;
  if (spec.args === undefined) return undefined;
  const command = spec.command;
  const base = spec.cwd ?? process.cwd();
  if (command.includes('/') || (process.platform === 'win32' && command.includes('\\'))) {
    const file = isAbsolute(command) ? command : join(base, command);
    if (!existsSync(file)) return `the program ${file} does not exist`;
    return isExecutable(file) ? undefined : `the program ${file} is not executable (chmod +x it, or run it through its interpreter)`;
  }
  if (process.platform === 'win32') return undefined;
  const path = spec.env?.PATH ?? process.env.PATH ?? '';
  const dirs = path.split(delimiter).filter(Boolean);
  const found = dirs.map((dir) => join(isAbsolute(dir) ? dir : join(base, dir), command)).filter((file) => existsSync(file));
  if (found.length === 0) return `the program '${command}' was not found in PATH (${dirs.join(delimiter) || 'empty'})`;
  return found.some(isExecutable) ? undefined : `'${command}' was found in PATH (${found[0]}) but is not executable`;
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}
