import { execa } from 'execa';
import { abortableDelay, type Event } from '@baton/base';
import { portAnswers } from './portHolder.js';
import type { LivenessSpec, ReadinessSpec } from './spec.js';

export interface ProbeContext {
  /** Output lines of the service, as they come. */
  readonly onLine: Event<string>;
  /** IPC messages from the service. */
  readonly onMessage: Event<unknown>;
  /** Resolves with the exit of the service's process. */
  readonly exited: Promise<{ code: number | undefined; signal: string | undefined }>;
  readonly cwd: string | undefined;
  readonly env: Record<string, string>;
  /** Aborted when the service is stopped meanwhile. */
  readonly signal: AbortSignal;
}

/** What the probe was waiting for, for error messages. */
export function describeProbe(spec: ReadinessSpec | LivenessSpec): string {
  switch (spec.type) {
    case 'exit0':
      return 'exit0 (must exit with code 0)';
    case 'tcp':
      return `tcp ${spec.host}:${spec.port}`;
    case 'http':
      return `http ${spec.url}${spec.expectStatus ? ` -> ${spec.expectStatus}` : ''}`;
    case 'log':
      return `log /${spec.pattern}/`;
    case 'exec':
      return `exec '${spec.command}'`;
    case 'ipc':
      return "ipc (process.send({ type: 'ready' }) or a READY=1 line)";
  }
}

/**
 * Resolves when the service is ready; rejects with a reason when the probe times out or the
 * process exits first. Probing stops as soon as it succeeds.
 */
export async function waitUntilReady(spec: ReadinessSpec, context: ProbeContext): Promise<void> {
  const deadline = performance.now() + spec.timeoutMs;
  const failure = new Promise<never>((_, reject) => {
    void context.exited.then(({ code, signal }) => {
      if (spec.type === 'exit0' && code === 0) return;
      reject(new Error(`exited before it was ready (${signal ? `signal ${signal}` : `code ${code}`})`));
    });
  });
  failure.catch(() => {});
  let timer: NodeJS.Timeout | undefined;
  // What the last check of a tcp, http or exec probe saw, for the timeout's message.
  const seen: { last?: string } = {};
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`not ready within ${spec.timeoutMs} ms${seen.last ? `; the probe last saw ${seen.last}` : ''}`)), spec.timeoutMs);
  });
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  context.signal.addEventListener('abort', onAbort, { once: true });
  try {
    await Promise.race([probe(spec, context, deadline, stop.signal, seen), failure, timeout]);
  } finally {
    clearTimeout(timer);
    stop.abort();
    context.signal.removeEventListener('abort', onAbort);
  }
}

async function probe(spec: ReadinessSpec, context: ProbeContext, deadline: number, signal: AbortSignal, seen: { last?: string }): Promise<void> {
  switch (spec.type) {
    case 'exit0': {
      const { code } = await context.exited;
      if (code !== 0) throw new Error(`exited with code ${code}`);
      return;
    }
    case 'log': {
      const pattern = new RegExp(spec.pattern);
      return waitFor(context.onLine, (line) => pattern.test(line), signal);
    }
    case 'ipc':
      return Promise.race([
        waitFor(context.onMessage, (m) => (m as { type?: unknown } | null)?.type === 'ready', signal),
        waitFor(context.onLine, (line) => line.trim() === 'READY=1', signal),
      ]);
    default:
      break;
  }
  await abortableDelay(spec.initialDelayMs, { signal });
  for (;;) {
    const check = await attempt(spec, context, signal);
    if (check.ok) return;
    seen.last = check.saw;
    if (performance.now() + spec.periodMs > deadline) return new Promise(() => {}); // the timeout rejects
    await abortableDelay(spec.periodMs, { signal });
  }
}

function waitFor<T>(event: Event<T>, match: (value: T) => boolean, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const sub = event((value) => {
      if (!match(value)) return;
      sub.dispose();
      resolve();
    });
    signal.addEventListener('abort', () => sub.dispose(), { once: true });
  });
}

/** One check of a tcp, http or exec probe (liveness): true when it passed within its timeout. Never rejects. */
export async function checkOnce(spec: LivenessSpec, context: Pick<ProbeContext, 'cwd' | 'env'>, signal: AbortSignal): Promise<boolean> {
  // The readiness checks, with this check's timeout as the http request's deadline.
  const asReadiness = { ...spec, periodMs: spec.timeoutMs } as unknown as ReadinessSpec;
  const check = new AbortController();
  const onAbort = () => check.abort();
  signal.addEventListener('abort', onAbort, { once: true });
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      attempt(asReadiness, context as ProbeContext, check.signal).then((result) => result.ok),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), spec.timeoutMs))),
    ]);
  } finally {
    clearTimeout(timer);
    check.abort();
    signal.removeEventListener('abort', onAbort);
  }
}

/** One check: whether it passed, and what it saw (for a message when the probe never passes). */
async function attempt(spec: ReadinessSpec, context: ProbeContext, signal: AbortSignal): Promise<{ ok: boolean; saw: string }> {
  try {
    switch (spec.type) {
      case 'tcp': {
        const ok = await portAnswers(spec.host, spec.port, Math.max(100, spec.periodMs));
        return { ok, saw: ok ? 'a connection' : `nothing accepting connections on ${spec.host}:${spec.port}` };
      }
      case 'http': {
        const response = await fetch(spec.url, { signal: AbortSignal.any([signal, AbortSignal.timeout(Math.max(500, spec.periodMs))]) });
        await response.body?.cancel();
        const ok = spec.expectStatus ? response.status === spec.expectStatus : response.status >= 200 && response.status < 400;
        return { ok, saw: `status ${response.status}${spec.expectStatus ? ` (expected ${spec.expectStatus})` : ' (expected 2xx or 3xx)'}` };
      }
      case 'exec': {
        const result = await execa(spec.command, { shell: true, cwd: context.cwd, env: context.env, reject: false, cancelSignal: signal, timeout: Math.max(1000, spec.timeoutMs) });
        return { ok: result.exitCode === 0, saw: result.exitCode === undefined ? 'the check command killed (it took longer than the timeout)' : `the check command exiting with code ${result.exitCode}` };
      }
      default:
        return { ok: false, saw: 'nothing' };
    }
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as { code?: string }).code ?? (err as Error).message;
    return { ok: false, saw: `no answer (${cause})` };
  }
}
