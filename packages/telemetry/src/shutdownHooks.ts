import { onUnexpectedError, type IDisposable } from '@baton/base';

/** Options of `installShutdownHooks`. */
export interface ShutdownHookOptions {
  /** What to run once on the first of the signals or beforeExit (for example `() => batcher.shutdown({ timeoutMs })`). */
  shutdown: (reason: string) => Promise<unknown>;
  /** Default ['SIGTERM', 'SIGINT']. */
  signals?: NodeJS.Signals[];
  /**
   * Called after shutdown for a signal. Default: re-raise the signal with the hooks removed, so the
   * process ends the way it would have. An app (the only place that may exit) can pass its own.
   */
  afterSignal?: (signal: NodeJS.Signals) => void;
}

/**
 * For apps: flush telemetry when the process is asked to stop. Libraries never install this
 * themselves. Dispose the result to remove the hooks.
 */
export function installShutdownHooks(options: ShutdownHookOptions): IDisposable {
  const signals = options.signals ?? ['SIGTERM', 'SIGINT'];
  let ran: Promise<unknown> | undefined;
  const run = (reason: string) => (ran ??= options.shutdown(reason).catch((err: unknown) => onUnexpectedError(err)));
  const remove = () => {
    for (const signal of signals) process.off(signal, onSignal);
    process.off('beforeExit', onBeforeExit);
  };
  const onSignal = (signal: NodeJS.Signals) => {
    void run(signal).then(() => {
      remove();
      if (options.afterSignal) options.afterSignal(signal);
      else process.kill(process.pid, signal);
    });
  };
  const onBeforeExit = () => void run('beforeExit');
  for (const signal of signals) process.on(signal, onSignal);
  process.on('beforeExit', onBeforeExit);
  return { dispose: remove };
}
