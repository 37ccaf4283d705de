import { abortableDelay, createBackoff, isAbortError, onAbort, toDisposable, type IDisposable, type Logger } from '@baton/base';
import type { Election } from '@baton/lock';
import type { GroupMetrics } from './metrics.js';

/** Leader-only work: runs for the whole of each of this member's terms, with the term's fencing token; `signal` aborts when the term ends. */
export type LeaderTask = (signal: AbortSignal, token: number) => unknown;

interface TaskEntry {
  readonly task: LeaderTask;
  controller: AbortController | undefined;
  disposed: boolean;
}

/**
 * The leader-only work of a member: each task runs for the whole of each of its terms, with the term's token; its
 * signal aborts when the term ends. A task that throws is logged, counted, and started again after a backoff within
 * the same term.
 */
export class LeaderTasks {
  private readonly _tasks = new Set<TaskEntry>();
  private readonly _running = new Set<Promise<void>>();

  constructor(
    private readonly _election: Election,
    private readonly _metrics: GroupMetrics,
    private readonly _logger: Logger,
  ) {}

  add(task: LeaderTask, closed: (reason: string) => Error): IDisposable {
    const entry: TaskEntry = { task, controller: undefined, disposed: false };
    this._tasks.add(entry);
    if (this._election.isLeader) this._start(entry);
    return toDisposable(() => {
      entry.disposed = true;
      entry.controller?.abort(closed('leader task disposed'));
      this._tasks.delete(entry);
    });
  }

  /** A term began: start every task. */
  startAll(): void {
    for (const entry of this._tasks) this._start(entry);
  }

  /** The term ended, or the group closes. */
  abortAll(reason: Error): void {
    for (const entry of this._tasks) entry.controller?.abort(reason);
  }

  /** Settles when every task started has returned. */
  settled(): Promise<unknown> {
    return Promise.allSettled([...this._running]);
  }

  private _start(entry: TaskEntry): void {
    const token = this._election.token;
    const leadership = this._election.leadershipSignal;
    if (token === undefined || entry.disposed || leadership.aborted) return;
    const controller = new AbortController();
    entry.controller = controller;
    const off = onAbort(leadership, () => controller.abort(leadership.reason));
    const backoff = createBackoff({ initialMs: 100, maxMs: 10_000 });
    const run = (async () => {
      while (!controller.signal.aborted) {
        try {
          await entry.task(controller.signal, token);
          return;
        } catch (err) {
          if (controller.signal.aborted || isAbortError(err)) return;
          this._metrics.errors.inc({ kind: 'task' });
          this._logger.error({ err, fencingToken: token }, 'leader task failed; starting it again after a backoff');
          await abortableDelay(backoff.next(), { signal: controller.signal }).catch(() => {});
        }
      }
    })().finally(() => {
      off.dispose();
      this._running.delete(run);
    });
    this._running.add(run);
  }
}
