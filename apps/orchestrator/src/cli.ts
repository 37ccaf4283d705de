#!/usr/bin/env node
// The `orchestrator` command. The only code in Baton that calls process.exit.
// Exit codes: 0 ok; 1 error (invalid config, already running, a service not ready); 2 usage;
// 3 no orchestrator running (client commands); 130 forced stop (second Ctrl-C).
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, renameSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { isatty } from 'node:tty';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { fileURLToPath } from 'node:url';
// Types only (erased): each command still loads just the modules it needs.
import type { connect } from '@baton/ipc';
import type { StatusSnapshot } from './orchestrator.js';

const exitCodes = { ok: 0, error: 1, usage: 2, notRunning: 3, stackFailed: 4, timedOut: 124, notFound: 127, forced: 130 } as const;

const help: Record<string, string> = {
  main: `Usage: orchestrator <command> [options]

Commands:
  start [-c file] [--detach]   start the services in tiers; stays in the foreground unless --detach
                               (in a terminal: an interactive view; --no-tui for plain lines)
  start <service>              start one service of the running orchestrator (one stopped or failed)
  attach                       the interactive view of the running orchestrator (q leaves it running)
  status [--json]              the running orchestrator's services
  stop [--no-wait]             stop the running orchestrator and its services, and wait until they are
  stop <service>               stop one service; it stays stopped until 'start <service>'
  restart <service>            restart one service
  reload                       re-read the config and apply what changed
  scale <service> <n>          run n copies of a service that has replicas: in the config
  logs [service] [-f] [-n N] [-t] [--since D] [--raw]
                               output of the services, interleaved by time (last N lines each; -f follows;
                               -t timestamps; --since 10m, 2h, 30s or an ISO time; --raw passes the
                               services' terminal escape sequences through)
  validate [-c file]           check the config and list every error
  run [--timeout S] -- <cmd>   for CI: start the stack, run <cmd> once it is ready, stop, exit with <cmd>'s code

Options for every command:
  -c, --config <file>   the config (default orchestrator.yaml); it also locates the workspace
  -h, --help            help for a command

Exit codes: 0 ok, 1 error, 2 usage, 3 no orchestrator running, 130 forced stop.`,
  attach: `Usage: orchestrator attach [-c file] [--no-color]

The interactive view of the running orchestrator (started in another terminal, or --detach), through
its control socket: the services with their state, pid, uptime, restarts, CPU and memory; the
selected service's output (scroll, search); keys to restart, stop and start a service, reload the
config, stop everything. q leaves the view and the stack running; ? lists the keys. Several views
may be attached at once. Colours follow NO_COLOR and --no-color.
Exit codes: 0, 2 not a terminal, 3 if none is running.`,
  start: `Usage: orchestrator start [-c file] [--detach]
       orchestrator start <service> [-c file]

Starts the services of the config in tiers, showing which service waits on which probe, then keeps
them alive: restarts by their policies, reloads the config when the file changes (or on SIGHUP),
stops everything on SIGINT/SIGTERM (a second Ctrl-C kills at once). One per workspace.
With a service: starts that service in the running orchestrator (one stopped, or failed).
  --detach   run in the background (its log in .baton/orchestrator/orchestrator.log); returns once
             every tier is ready (exit 0) or the start failed (exit 1, with the reason)
  --no-tui   in a terminal, print progress and a status table instead of the interactive view
             (which 'orchestrator attach' describes; q there stops the stack, after a y)
  --no-color no colours in the view (also NO_COLOR)
Exit codes: 0 stopped cleanly (--detach: running), 1 invalid config / already running / a service not ready.`,
  status: `Usage: orchestrator status [-c file] [--json]

Service, tier, state, pid, restarts, uptime and last exit, from the running orchestrator.
Exit codes: 0, 3 if none is running.`,
  stop: 'Usage: orchestrator stop [-c file] [--no-wait]\n       orchestrator stop <service> [-c file]\n\nStops the running orchestrator and its services and returns once they are stopped (--no-wait: once the stop began); with a service, stops only that one (it stays stopped until `orchestrator start <service>`). Exit codes: 0, 1 unknown service, 3 if none is running.',
  restart: 'Usage: orchestrator restart <service> [-c file]\n\nRestarts one service. Exit codes: 0, 1 unknown service, 3 if none is running.',
  scale: 'Usage: orchestrator scale <service> <n> [-c file]\n\nRuns n copies of <service> (1 to 100), one with `replicas:` in the config: the copies added start (`<service>-<i>`, told BATON_REPLICA=i and BATON_REPLICAS=n), those past n (the highest first) stop. The count holds across reloads until the orchestrator restarts. Exit codes: 0, 1 not scalable or a copy did not start (the others are as they were), 2 usage, 3 if none is running.',
  reload: 'Usage: orchestrator reload [-c file]\n\nRe-reads the config and applies it; an invalid file changes nothing. Exit codes: 0, 1 invalid config, 3 if none is running.',
  logs: 'Usage: orchestrator logs [service] [-f] [-n 100] [-t] [--since D] [--raw] [-c file]\n\nThe last lines of each service (or one), interleaved by time; -f keeps printing new lines; -t prefixes each with its time (ISO 8601); --since shows only lines from then on (10m, 2h, 30s, or an ISO time). Terminal escape sequences and other control characters a service printed are shown as \\x1b and the like, so that they cannot move the cursor, retitle or clear your terminal; --raw passes them through. The whole history is in .baton/orchestrator/logs/<service>.log (rotated by size). Exit codes: 0, 2 bad --since, 3 if none is running.',
  run: `Usage: orchestrator run [-c file] [--timeout S] -- <command> [args...]

For CI pipelines: starts the stack, waits until every tier is ready, runs <command> (stdio passed
through, the orchestrator's environment), then stops everything. Stack progress goes to stderr.
  --timeout S   the whole run may take at most S seconds (default: no limit); then <command> is
                stopped (SIGTERM), the stack too, and the exit code is 124
Exit codes: <command>'s own (128 + n if killed by signal n); 4 the stack did not start (invalid
config, already running, a service not ready or not startable); 124 timed out; 127 <command> not found.`,
  validate: 'Usage: orchestrator validate [-c file]\n\nChecks the config and prints every error with its path. Exit codes: 0 valid, 1 invalid.',
};

const options = {
  config: { type: 'string', short: 'c', default: 'orchestrator.yaml' },
  detach: { type: 'boolean', default: false },
  'no-wait': { type: 'boolean', default: false },
  timeout: { type: 'string' },
  timestamps: { type: 'boolean', short: 't', default: false },
  raw: { type: 'boolean', default: false },
  since: { type: 'string' },
  json: { type: 'boolean', default: false },
  follow: { type: 'boolean', short: 'f', default: false },
  lines: { type: 'string', short: 'n', default: '100' },
  help: { type: 'boolean', short: 'h', default: false },
  'no-tui': { type: 'boolean', default: false },
  'no-color': { type: 'boolean', default: false },
} satisfies ParseArgsConfig['options'];

type Values = { config: string; detach: boolean; 'no-wait': boolean; timeout?: string; timestamps: boolean; raw: boolean; since?: string; json: boolean; follow: boolean; lines: string; help: boolean; 'no-tui': boolean; 'no-color': boolean };

// A closed terminal or pipe (EIO, EPIPE) must not crash a long-running orchestrator: its output
// then goes only to its log file.
let outputClosed = false;
for (const stream of [process.stdout, process.stderr]) stream.on('error', () => (outputClosed = true));
const out = (text: string) => void (outputClosed || process.stdout.write(text + '\n'));
const err = (text: string) => void (outputClosed || process.stderr.write(text + '\n'));

async function main(argv: string[]): Promise<number> {
  // `run ... -- <command>`: what follows `--` is the command, not ours to parse.
  const separator = argv.indexOf('--');
  const trailing = separator >= 0 ? argv.slice(separator + 1) : undefined;
  const own = separator >= 0 ? argv.slice(0, separator) : argv;
  let parsed: { values: Values; positionals: string[] };
  try {
    parsed = parseArgs({ args: own, options, allowPositionals: true, strict: true }) as unknown as { values: Values; positionals: string[] };
  } catch (e) {
    err(`orchestrator: ${(e as Error).message}\n\n${help.main}`);
    return exitCodes.usage;
  }
  const [command, ...rest] = parsed.positionals;
  const values = parsed.values;
  if (!command) {
    (values.help ? out : err)(help.main!);
    return values.help ? exitCodes.ok : exitCodes.usage;
  }
  if (!(command in help) || command === 'main') {
    err(`orchestrator: unknown command '${command}'\n\n${help.main}`);
    return exitCodes.usage;
  }
  if (values.help) {
    out(help[command]!);
    return exitCodes.ok;
  }
  const configFile = resolve(values.config);
  switch (command) {
    case 'validate':
      return validate(configFile);
    case 'run': {
      const timeoutS = values.timeout === undefined ? undefined : Number(values.timeout);
      if (timeoutS !== undefined && !(timeoutS > 0)) {
        err(`orchestrator run: --timeout must be a number of seconds above 0, got ${JSON.stringify(values.timeout)}\n\n${help.run}`);
        return exitCodes.usage;
      }
      if (!trailing || trailing.length === 0) {
        err(`orchestrator run: which command? Put it after --\n\n${help.run}`);
        return exitCodes.usage;
      }
      return run(configFile, trailing, timeoutS);
    }
    case 'attach':
      return attach(configFile, !values['no-color'] && !process.env.NO_COLOR);
    case 'start':
      if (rest[0]) return oneService(configFile, 'start-service', rest[0]);
      return values.detach ? startDetached(configFile, argv) : start(configFile, { tui: !values['no-tui'], color: !values['no-color'] && !process.env.NO_COLOR });
    case 'status':
      return status(configFile, values.json);
    case 'stop':
      if (rest[0]) return oneService(configFile, 'stop-service', rest[0]);
      return control(configFile, async (client) => {
        // The orchestrator closes its control socket last, after every service stopped.
        const closed = new Promise<void>((resolveClosed) => client.onDidChangeConnection(({ state }) => state === 'closed' && resolveClosed()));
        await client.request('stop');
        if (values['no-wait']) {
          out('stopping');
          return exitCodes.ok;
        }
        out('stopping...');
        await closed;
        out('stopped');
        return exitCodes.ok;
      });
    case 'restart': {
      const service = rest[0];
      if (!service) {
        err(`orchestrator restart: which service?\n\n${help.restart}`);
        return exitCodes.usage;
      }
      return control(configFile, async (client) => {
        const info = (await client.request('restart', { service }, { timeoutMs: 120_000 })) as { state: string; pid?: number };
        out(`${service}: ${info.state}${info.pid ? ` (pid ${info.pid})` : ''}`);
        return exitCodes.ok;
      });
    }
    case 'scale': {
      const [name, count] = rest;
      if (!name || count === undefined || !/^\d+$/.test(count)) {
        err(`orchestrator scale: which service, and how many copies?\n\n${help.scale}`);
        return exitCodes.usage;
      }
      return control(configFile, async (client) => {
        const result = (await client.request('scale', { service: name, replicas: Number(count) }, { timeoutMs: 120_000 })) as { replicas: string[] };
        out(`${name}: ${result.replicas.length} cop${result.replicas.length === 1 ? 'y' : 'ies'} (${result.replicas.join(', ')})`);
        return exitCodes.ok;
      });
    }
    case 'reload':
      return control(configFile, async (client) => {
        const outcome = (await client.request('reload', undefined, { timeoutMs: 120_000 })) as
          | { at: string; ok: boolean; errors?: string[]; report?: Record<string, string[]>; rolledBack?: boolean; deferredMs?: number; unchangedSinceFailure?: boolean }
          | undefined;
        if (!outcome) {
          out('reload skipped: the orchestrator is not running its services (starting or stopping)');
          return exitCodes.ok;
        }
        if (outcome.deferredMs !== undefined) {
          out(`reload deferred: over the reload rate limit; the file as it is then is applied in ${Math.ceil(outcome.deferredMs / 1000)} s`);
          return exitCodes.ok;
        }
        if (outcome.unchangedSinceFailure) {
          err(`reload skipped: the file has not changed since its reload failed at ${outcome.at} and was rolled back; fix it first:\n  ${(outcome.errors ?? []).join('\n  ')}`);
          return exitCodes.error;
        }
        if (!outcome.ok) {
          const what =
            outcome.rolledBack === undefined ? 'reload refused, nothing changed' : outcome.rolledBack ? 'reload failed, rolled back to the previous configuration' : 'reload failed, and so did the rollback';
          err(`${what}:\n  ${(outcome.errors ?? []).join('\n  ')}`);
          return exitCodes.error;
        }
        const r = outcome.report!;
        out(`reloaded: added ${r.added!.join(', ') || 'none'}; removed ${r.removed!.join(', ') || 'none'}; changed ${r.changed!.join(', ') || 'none'}; unchanged ${r.unchanged!.length}`);
        return exitCodes.ok;
      });
    case 'logs': {
      const since = values.since === undefined ? undefined : parseSince(values.since);
      if (Number.isNaN(since)) {
        err(`orchestrator logs: --since takes a duration (30s, 10m, 2h, 1d) or an ISO time, got ${JSON.stringify(values.since)}`);
        return exitCodes.usage;
      }
      return logs(configFile, rest[0], Number(values.lines), values.follow, values.timestamps, since, values.raw);
    }
    default:
      return exitCodes.usage;
  }
}

async function validate(configFile: string): Promise<number> {
  const { loadConfig, ConfigError } = await import('./orchestrator.js');
  try {
    const config = await loadConfig(configFile, process.env);
    out(`${configFile}: valid, ${config.services.length} services`);
    return exitCodes.ok;
  } catch (e) {
    if (e instanceof ConfigError) {
      err(`${configFile}: ${e.errors.length} error${e.errors.length > 1 ? 's' : ''}\n  ${e.errors.join('\n  ')}`);
      return exitCodes.error;
    }
    throw e;
  }
}

async function start(configFile: string, view: { tui: boolean; color: boolean }): Promise<number> {
  const [{ Orchestrator, AlreadyRunningError, ConfigError, WorkspaceLockError, orchestratorPaths }, { createLogger, RotatingFile, rotatingDestination }, { ReadinessError }, { statusTable }, { logDefaults }] = await Promise.all([
    import('./orchestrator.js'),
    import('@baton/telemetry'),
    import('@baton/supervisor'),
    import('./render.js'),
    import('./config.js'),
  ]);
  const tty = Boolean(process.stdout.isTTY) && !process.env.CI;
  // The interactive view needs a terminal both ways (keys in, the screen out).
  const interactive = tty && view.tui && Boolean(process.stdin.isTTY);
  let viewShown = false;
  const paths = orchestratorPaths(configFile);
  // In a terminal the screen shows progress and the live table; the JSON log goes to a file, as it does in the
  // background (--detach): orchestrator.log, rotated as `logs:` says. Otherwise JSON lines go to stdout.
  const logFile = tty || process.env.BATON_ORCHESTRATOR_DETACHED === '1' ? new RotatingFile({ path: `${paths.dir}/orchestrator.log`, ...logDefaults }) : undefined;
  // To stdout through its stream, as the rest of the output: once stdout is gone (a closed pipe, a terminal that hung
  // up), lines are dropped, not thrown from every log call.
  const logger = createLogger({ name: 'orchestrator', pretty: false, destination: logFile ? rotatingDestination(logFile) : { write: (line: string) => void (outputClosed || process.stdout.write(line)) } });
  // In a terminal: progress lines while starting, then a live block (the table and the latest
  // events) redrawn in place; nothing else may print in between, or the redraw would drift.
  const recent: string[] = [];
  let drawn = 0;
  let live = false;
  const draw = () => {
    const events = recent.length ? `\n\nlatest events:\n  ${recent.join('\n  ')}` : '';
    const block = `${statusTable(orchestrator.snapshot().services)}${events}\n(Ctrl-C stops; 'orchestrator status' and 'orchestrator logs -f' work from another terminal)`;
    if (outputClosed) return;
    if (drawn) process.stdout.write(`\x1b[${drawn}A\x1b[J`);
    process.stdout.write(block + '\n');
    drawn = block.split('\n').length;
  };
  const onProgress = (line: string) => {
    if (!tty || viewShown) return logger.info({}, line);
    if (!live) return out(line);
    recent.push(`${new Date().toLocaleTimeString()} ${line.replace(/\n\s*/g, '; ')}`);
    if (recent.length > 6) recent.shift();
    draw();
  };
  const orchestrator = new Orchestrator({ configFile, env: process.env, logger, logFile, onProgress });

  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    signals++;
    // A third: the second's kill and its events are under way; go now.
    if (signals > 2) exitProcess(exitCodes.forced);
    if (signals > 1) {
      err('second interrupt: killing every service now');
      void orchestrator.forceKill().finally(() => exitProcess(exitCodes.forced));
      return;
    }
    onProgress(`${signal}: stopping (press Ctrl-C again to kill at once)`);
    void orchestrator.stop();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', () => void orchestrator.reload('SIGHUP'));

  // Started by `start --detach`: tell the waiting parent how the start ended, then let it go.
  const parent = process.env.BATON_ORCHESTRATOR_DETACHED === '1' && process.send ? process : undefined;
  delete process.env.BATON_ORCHESTRATOR_DETACHED;
  const report = (message: { type: 'running' } | { type: 'failed'; message: string }) => {
    if (!parent?.connected) return;
    parent.send!(message, () => parent.disconnect());
  };
  try {
    await orchestrator.start();
  } catch (e) {
    // A Baton error (already running, invalid config, not ready, cannot spawn) is a sentence: no stack.
    if (e instanceof AlreadyRunningError || e instanceof WorkspaceLockError || e instanceof ConfigError || e instanceof ReadinessError || typeof (e as { code?: unknown })?.code === 'string') {
      err((e as Error).message);
      report({ type: 'failed', message: (e as Error).message });
      await orchestrator.stop();
      return exitCodes.error;
    }
    report({ type: 'failed', message: String((e as Error)?.stack ?? e) });
    throw e;
  }
  report({ type: 'running' });
  let ticker: NodeJS.Timeout | undefined;
  if (interactive) {
    viewShown = true;
    const ended = await showView(configFile, paths, true, view.color).catch((e: unknown) => {
      viewShown = false;
      err(`orchestrator: the interactive view failed (${(e as Error).message}); the stack runs on: Ctrl-C stops it`);
      return 'failed' as const;
    });
    viewShown = false;
    if (ended === 'left' || ended === 'stop-all') {
      out('stopping ...');
      void orchestrator.stop();
    }
  } else if (tty) {
    out('');
    live = true;
    draw();
    ticker = setInterval(draw, 1000);
    orchestrator.supervisor?.onDidChangeState(() => draw());
  } else {
    logger.info({ services: orchestrator.snapshot().services.map((s) => ({ name: s.name, state: s.state, pid: s.pid })) }, 'running');
  }
  await orchestrator.stopped;
  if (ticker) clearInterval(ticker);
  live = false;
  (tty ? out : (line: string) => logger.info({}, line))('stopped');
  logger.flush();
  return exitCodes.ok;
}

/**
 * `orchestrator run`: the stack around one command, for CI. Progress lines go to stderr so that the
 * command's stdout stays its own; the JSON log goes to the workspace's orchestrator.log.
 */
async function run(configFile: string, command: string[], timeoutS: number | undefined): Promise<number> {
  const [{ Orchestrator, orchestratorPaths }, { createLogger, RotatingFile, rotatingDestination }, { logDefaults }] = await Promise.all([import('./orchestrator.js'), import('@baton/telemetry'), import('./config.js')]);
  const paths = await orchestratorPaths(configFile).ensure();
  const logFile = new RotatingFile({ path: `${paths.dir}/orchestrator.log`, ...logDefaults });
  const logger = createLogger({ name: 'orchestrator', pretty: false, destination: rotatingDestination(logFile) });
  const orchestrator = new Orchestrator({ configFile, env: process.env, logger, logFile, onProgress: (line) => err(`orchestrator: ${line.replace(/\n\s*/g, '; ')}`) });
  // The command, once it runs (the timeout and the signals reach it through this).
  const current: { child?: ReturnType<typeof spawn> } = {};
  let ended: 'timeout' | NodeJS.Signals | undefined;
  const end = (why: 'timeout' | NodeJS.Signals) => {
    if (ended) return;
    ended = why;
    err(why === 'timeout' ? `orchestrator run: --timeout ${timeoutS} s reached; stopping` : `orchestrator run: ${why}; stopping`);
    if (current.child && current.child.exitCode === null) current.child.kill(why === 'timeout' ? 'SIGTERM' : why);
  };
  const timer = timeoutS === undefined ? undefined : setTimeout(() => end('timeout'), timeoutS * 1000);
  const onSignal = (signal: NodeJS.Signals) => end(signal);
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const finish = async (code: number) => {
    if (timer) clearTimeout(timer);
    await orchestrator.stop();
    logger.flush();
    return code;
  };
  try {
    await orchestrator.start();
  } catch (e) {
    err(`orchestrator run: the stack did not start: ${(e as Error).message}`);
    return finish(ended === 'timeout' ? exitCodes.timedOut : exitCodes.stackFailed);
  }
  if (ended) return finish(ended === 'timeout' ? exitCodes.timedOut : exitCodes.forced);
  err(`orchestrator run: every tier is ready; running ${command.join(' ')}`);
  const started = spawn(command[0]!, command.slice(1), { stdio: 'inherit', env: process.env });
  current.child = started;
  const result = await new Promise<{ code: number | null; signal: NodeJS.Signals | null; error?: Error }>((resolveRun) => {
    started.once('error', (error) => resolveRun({ code: null, signal: null, error }));
    started.once('exit', (code, signal) => resolveRun({ code, signal }));
  });
  if (result.error) {
    err(`orchestrator run: cannot run '${command[0]}': ${(result.error as NodeJS.ErrnoException).code === 'ENOENT' ? 'not found in PATH' : result.error.message}`);
    return finish(exitCodes.notFound);
  }
  if (ended === 'timeout') return finish(exitCodes.timedOut);
  const { constants } = await import('node:os');
  return finish(result.code ?? 128 + (result.signal ? (constants.signals[result.signal] ?? 0) : 0));
}

/**
 * Runs `start` in the background and returns when that process's start has ended: every tier
 * ready (0), or failed (1, with its reason). It is told over an IPC channel, not by polling the
 * control socket, which could be another orchestrator's.
 */
/** The interactive view on the orchestrator of `configFile`, through its control socket. */
async function showView(configFile: string, paths: { tokenFile: string; socketPath(name: string): string }, owner: boolean, color: boolean) {
  const [{ connect, readAuthToken }, { runView }] = await Promise.all([import('@baton/ipc'), import('./tui/view.js')]);
  const token = await readAuthToken(paths.tokenFile);
  if (!token) throw new NotRunning(dirname(paths.tokenFile));
  const client = await connect({ path: paths.socketPath('control'), auth: { token }, name: 'orchestrator-view', reconnect: false });
  try {
    return await runView({ client, configFile, owner, color });
  } finally {
    await client.close().catch(() => {});
  }
}

/** `orchestrator attach`: the view on a running orchestrator; leaving it leaves the stack running. */
async function attach(configFile: string, color: boolean): Promise<number> {
  if (!process.stdout.isTTY || !process.stdin.isTTY) {
    err("orchestrator attach: needs a terminal (stdin and stdout); use 'orchestrator status' or 'logs -f' elsewhere");
    return exitCodes.usage;
  }
  const { orchestratorPaths } = await import('./paths.js');
  try {
    const ended = await showView(configFile, orchestratorPaths(configFile), false, color);
    if (ended === 'orchestrator-gone') out('the orchestrator stopped');
    if (ended === 'stop-all') {
      return control(configFile, async (client) => {
        await client.request('stop');
        out('stopping the stack');
        return exitCodes.ok;
      });
    }
    return exitCodes.ok;
  } catch (e) {
    if (e instanceof NotRunning || (e as { code?: string }).code === 'ECONNLOST') {
      err(new NotRunning(orchestratorPaths(configFile).dir).message);
      return exitCodes.notRunning;
    }
    err(`orchestrator attach: ${(e as Error).message}`);
    return exitCodes.error;
  }
}

async function startDetached(configFile: string, argv: string[]): Promise<number> {
  const { orchestratorPaths } = await import('./orchestrator.js');
  const paths = await orchestratorPaths(configFile).ensure();
  // What the background process prints outside its log (orchestrator.log): a crash's stack trace, Node's warnings.
  // Kept from one start to the next, and moved aside to orchestrator.out.1 at a start once past its bound.
  const outFile = `${paths.dir}/orchestrator.out`;
  const logFile = `${paths.dir}/orchestrator.log`;
  try {
    if (statSync(outFile).size >= outFileMaxBytes) renameSync(outFile, `${outFile}.1`);
  } catch {
    // None yet.
  }
  const fd = openSync(outFile, 'a', 0o600);
  const child = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), ...argv.filter((a) => a !== '--detach')], {
    detached: true,
    stdio: ['ignore', fd, fd, 'ipc'],
    env: { ...process.env, BATON_ORCHESTRATOR_DETACHED: '1' },
  });
  closeSync(fd);
  const outcome = await new Promise<{ type: 'running' } | { type: 'failed'; message: string } | { type: 'exited'; code: number | null }>((resolveOutcome) => {
    child.once('message', (message) => resolveOutcome(message as { type: 'running' } | { type: 'failed'; message: string }));
    child.once('exit', (code) => resolveOutcome({ type: 'exited', code }));
  });
  child.removeAllListeners();
  if (child.connected) child.disconnect();
  child.unref();
  if (outcome.type === 'running') {
    out(`orchestrator running in the background (pid ${child.pid}), every tier ready; its log: ${logFile}\n'orchestrator status' to see it, 'orchestrator logs' for the services' output, 'orchestrator stop' to stop it`);
    return exitCodes.ok;
  }
  if (outcome.type === 'failed') {
    err(outcome.message);
    return exitCodes.error;
  }
  err(`orchestrator exited (code ${outcome.code}) before its start ended; the end of its log (${logFile}) and output (${outFile}):\n${[logFile, outFile].map(tailOf).join('\n')}`);
  return exitCodes.error;
}

/** orchestrator.out is moved aside at a start once it is this large. */
const outFileMaxBytes = 1024 * 1024;

/** The last lines of a file, or nothing if there is none. */
function tailOf(file: string): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-20).join('\n');
  } catch {
    return '';
  }
}

type Client = Awaited<ReturnType<typeof connect>>;

async function withClient<T>(configFile: string, fn: (client: Client) => Promise<T>): Promise<T> {
  const [{ connect, readAuthToken }, { orchestratorPaths }] = await Promise.all([import('@baton/ipc'), import('./paths.js')]);
  const paths = orchestratorPaths(configFile);
  const token = await readAuthToken(paths.tokenFile);
  if (!token) throw new NotRunning(paths.dir);
  let client: Client;
  try {
    client = await connect({ path: paths.socketPath('control'), auth: { token }, name: 'orchestrator-cli', reconnect: false });
  } catch (e) {
    if ((e as { code?: string }).code === 'ECONNLOST') throw new NotRunning(paths.dir);
    throw e;
  }
  try {
    return await fn(client);
  } finally {
    await client.close();
  }
}

class NotRunning extends Error {
  constructor(dir: string) {
    super(`No orchestrator is running for ${dir.replace(/\/\.baton\/orchestrator$/, '')}; start one with 'orchestrator start'`);
  }
}

async function control(configFile: string, fn: (client: Client) => Promise<number>): Promise<number> {
  try {
    return await withClient(configFile, fn);
  } catch (e) {
    if (e instanceof NotRunning) {
      err(e.message);
      return exitCodes.notRunning;
    }
    err(`orchestrator: ${(e as Error).message}`);
    return exitCodes.error;
  }
}

/** Starts or stops one service of the running orchestrator. */
function oneService(configFile: string, method: 'start-service' | 'stop-service', service: string): Promise<number> {
  return control(configFile, async (client) => {
    const info = (await client.request(method, { service }, { timeoutMs: 120_000 })) as { state: string; pid?: number };
    out(`${service}: ${info.state}${info.pid ? ` (pid ${info.pid})` : ''}`);
    return exitCodes.ok;
  });
}

/**
 * Services a previous orchestrator left running (it was SIGKILLed): from the supervisor's record,
 * each still the same process (pid and start time).
 */
async function leftovers(configFile: string): Promise<{ service: string; pid: number }[]> {
  const [{ readLeftovers }, { orchestratorPaths }] = await Promise.all([import('@baton/supervisor'), import('./paths.js')]);
  try {
    return (await readLeftovers(`${orchestratorPaths(configFile).dir}/supervisor.json`)).map(({ service, pid }) => ({ service, pid }));
  } catch {
    return [];
  }
}

/**
 * The status the orchestrator last published (`status.state.json`), if its process is alive: for a `status` whose
 * control socket did not answer (an orchestrator stopped, or too busy to answer), which must not be called dead.
 */
async function publishedStatus(configFile: string): Promise<StatusSnapshot | undefined> {
  const [{ decodeEnvelope }, { orchestratorPaths }, { readFile }, { join }] = await Promise.all([import('@baton/state'), import('./paths.js'), import('node:fs/promises'), import('node:path')]);
  const file = join(orchestratorPaths(configFile).dir, 'status.state.json');
  let snapshot: StatusSnapshot | null;
  try {
    snapshot = decodeEnvelope<StatusSnapshot | null>(await readFile(file), file, 16 * 1024 * 1024, undefined).payload;
  } catch {
    return undefined;
  }
  if (!snapshot || snapshot.lifecycle === 'stopped') return undefined;
  try {
    process.kill(snapshot.pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return undefined;
  }
  return snapshot;
}

async function status(configFile: string, json: boolean): Promise<number> {
  try {
    return await withClient(configFile, (client) => statusFrom(client, json));
  } catch (e) {
    if (!(e instanceof NotRunning)) {
      err(`orchestrator: ${(e as Error).message}`);
      return exitCodes.error;
    }
    return notAnswering(configFile, json, e);
  }
}

/** The control socket did not answer: a live orchestrator that is stopped or too busy, or none at all. */
async function notAnswering(configFile: string, json: boolean, notRunning: NotRunning): Promise<number> {
  const published = await publishedStatus(configFile);
  if (published) {
    // Alive, but its control socket did not answer: say so, with what it last published, never "not running".
    if (json) out(JSON.stringify({ running: true, answering: false, published }, null, 2));
    else {
      const { statusTable } = await import('./render.js');
      err(`The orchestrator (pid ${published.pid}) is running but did not answer on its control socket (stopped, or too busy); its last published status:`);
      out(`orchestrator pid ${published.pid}, ${published.lifecycle}, since ${published.startedAt}`);
      out(statusTable(published.services));
    }
    return exitCodes.error;
  }
  err(notRunning.message);
  const left = await leftovers(configFile);
  if (json) out(JSON.stringify({ running: false, leftovers: left }, null, 2));
  else if (left.length > 0) {
    err(`Left running by an orchestrator that did not stop (killed?): ${left.map((l) => `${l.service} (pid ${l.pid})`).join(', ')}; 'orchestrator start' stops them first`);
  }
  return exitCodes.notRunning;
}

async function statusFrom(client: Client, json: boolean): Promise<number> {
  const snapshot = (await client.request('status')) as StatusSnapshot;
  if (json) {
    out(JSON.stringify(snapshot, null, 2));
    return exitCodes.ok;
  }
  const { statusTable } = await import('./render.js');
  out(`orchestrator pid ${snapshot.pid}, ${snapshot.lifecycle}, since ${snapshot.startedAt}`);
  if (snapshot.lastReload && !snapshot.lastReload.ok) out(`last reload failed at ${snapshot.lastReload.at}:\n  ${(snapshot.lastReload.errors ?? []).join('\n  ')}`);
  if (snapshot.pendingReload) out(`a reload is deferred by the rate limit until ${snapshot.pendingReload.at} (${snapshot.pendingReload.reason}); the file as it is then will be applied`);
  out(statusTable(snapshot.services));
  return exitCodes.ok;
}

/** `--since`: a duration back from now (30s, 10m, 2h, 1d) or an ISO time, as epoch ms (NaN if neither). */
function parseSince(text: string): number {
  const duration = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(text.trim());
  if (duration) {
    const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[duration[2] as 'ms' | 's' | 'm' | 'h' | 'd'];
    return Date.now() - Number(duration[1]) * unit;
  }
  return /^\d{4}-\d{2}-\d{2}/.test(text) ? Date.parse(text) : Number.NaN;
}

async function logs(configFile: string, service: string | undefined, lines: number, follow: boolean, timestamps: boolean, since: number | undefined, raw = false): Promise<number> {
  if (!Number.isInteger(lines) || lines < 0) {
    err(`orchestrator logs: -n must be a whole number, got ${lines}`);
    return exitCodes.usage;
  }
  const { visibleControls } = await import('./render.js');
  const print = (name: string, line: string, at: number | undefined) => out(`${timestamps && at !== undefined ? `${new Date(at).toISOString()} ` : ''}${name} | ${raw ? line : visibleControls(line)}`);
  return control(configFile, async (client) => {
    const past = (await client.request('logs', { service, lines, since })) as { service: string; line: string; at?: number }[];
    for (const { service: name, line, at } of past) print(name, line, at);
    if (!follow) return exitCodes.ok;
    client.subscribe('logs', (payload) => {
      const { service: name, line, at } = payload as { service: string; line: string; at?: number };
      if (!service || name === service) print(name, line, at);
    });
    await new Promise<void>((resolveDone) => {
      client.onDidChangeConnection(({ state }) => state === 'closed' && resolveDone());
      process.once('SIGINT', () => resolveDone());
      // The reader went away (`logs -f | head`): nothing to follow for.
      process.stdout.once('error', () => resolveDone());
    });
    return exitCodes.ok;
  });
}

/**
 * Exits with `code` once stdout and stderr have handed everything written to them to the OS, or have closed. Through
 * a pipe, writes queue in this process while the reader is slow (`logs | less`), and exiting at once threw away what
 * was queued. A reader that went away (`logs | head`) closed the stream: nothing is left to wait for.
 */
function exitWhenFlushed(code: number): void {
  const open = [process.stdout, process.stderr].filter((stream) => !outputClosed && !stream.destroyed && stream.writableLength > 0);
  let pending = open.length;
  if (pending === 0) exitProcess(code);
  for (const stream of open) {
    // Called once what was written before it is flushed, or with the error that closed the stream.
    stream.write('', () => {
      if (--pending === 0) exitProcess(code);
    });
  }
}

/** Which standard streams were terminals when this process started. */
const startedOnTerminal = [0, 1, 2].map((fd) => isatty(fd));

/**
 * Exits with `code`. On exit Node puts back the terminal settings it found at start, and aborts if the terminal
 * refuses (a failed CHECK in its ResetStdio): a terminal that hung up (its window closed while the orchestrator ran
 * on) refuses with EIO, and the abort then died of SIGSEGV printing its stack trace. A standard stream whose terminal
 * hung up (it no longer answers as a terminal) is closed first: Node leaves a closed one alone.
 */
function exitProcess(code: number): never {
  for (const fd of [0, 1, 2]) {
    if (!startedOnTerminal[fd] || isatty(fd)) continue;
    try {
      closeSync(fd);
    } catch {
      // Closed already.
    }
  }
  process.exit(code);
}

main(process.argv.slice(2)).then(
  (code) => exitWhenFlushed(code),
  (e: unknown) => {
    err(`orchestrator: ${(e as Error)?.stack ?? String(e)}`);
    exitWhenFlushed(exitCodes.error);
  },
);
