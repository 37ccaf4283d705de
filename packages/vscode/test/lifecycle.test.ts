import { describe, expect, it } from '@jest/globals';
import { sleep } from '@baton/test-utils';
import { Lifecycle, WebviewChannel, type LifecycleState, type WebviewLike } from '../src/core.js';

function recorder(lifecycle: Lifecycle): LifecycleState[] {
  const states: LifecycleState[] = [lifecycle.state];
  lifecycle.onDidChangeState(({ state }) => states.push(state));
  return states;
}

describe('Lifecycle', () => {
  it('is BUSY while tracked operations run and READY after, and runs overlapping reloads in order', async () => {
    const lifecycle = new Lifecycle();
    const states = recorder(lifecycle);
    lifecycle.ready();
    const applied: number[] = [];
    // The probe ends when the test says, after both reloads: a timer racing the reload's timer
    // would make the order up to the machine's load.
    let finishProbe!: () => void;
    const slow = lifecycle.track('probe', () => new Promise<void>((resolve) => (finishProbe = resolve)));
    const first = lifecycle.reload('config 1', async () => {
      await sleep(30);
      applied.push(1);
    });
    const second = lifecycle.reload('config 2', () => void applied.push(2));
    expect(lifecycle.running).toEqual(['probe']);
    await Promise.all([first, second]);
    expect(lifecycle.state).toBe('BUSY');
    finishProbe();
    await slow;
    expect(applied).toEqual([1, 2]);
    expect(states).toEqual(['INITIALIZING', 'READY', 'BUSY', 'RELOADING', 'BUSY', 'READY']);
    lifecycle.dispose();
  });

  it('shutdown refuses new operations, aborts the signal, and waits for those running, up to its deadline', async () => {
    const lifecycle = new Lifecycle();
    lifecycle.ready();
    let finished = false;
    const cooperative = lifecycle.track('cooperative', async (signal) => {
      await new Promise((resolve) => signal.addEventListener('abort', resolve));
      await sleep(20);
      finished = true;
    });
    const stubborn = lifecycle.track('stubborn', () => sleep(400));
    const started = performance.now();
    const left = await lifecycle.shutdown(150);
    expect(finished).toBe(true);
    expect(left).toEqual(['stubborn']);
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
    expect(lifecycle.state).toBe('STOPPED');
    await expect(lifecycle.track('late', () => 1)).rejects.toMatchObject({ code: 'ESHUTTINGDOWN' });
    await Promise.all([cooperative, stubborn]);
    lifecycle.dispose();
  });

  it('refuses a transition that makes no sense', () => {
    const lifecycle = new Lifecycle();
    lifecycle.ready();
    void lifecycle.shutdown(0);
    expect(() => lifecycle.ready()).toThrow(/SHUTTING_DOWN -> READY is not a valid transition|STOPPED -> READY is not a valid transition/);
    lifecycle.dispose();
  });
});

/** A webview whose script can be loaded, reloaded and made to refuse posts, as VS Code's does. */
class FakeWebview implements WebviewLike {
  received: unknown[] = [];
  accepting = false;
  private _listener: ((message: unknown) => void) | undefined;
  postMessage(message: unknown): Promise<boolean> {
    if (this.accepting) this.received.push(message);
    return Promise.resolve(this.accepting);
  }
  onDidReceiveMessage(listener: (message: unknown) => void) {
    this._listener = listener;
    return { dispose: () => (this._listener = undefined) };
  }
  load(): void {
    this.accepting = true;
    this._listener?.({ type: 'ready' });
  }
  send(message: unknown): void {
    this._listener?.(message);
  }
}

type ToView = { type: 'result'; n: number };
type FromView = { type: 'mute'; id: string };

describe('WebviewChannel', () => {
  it('queues until the view is ready, sends the snapshot first, and loses nothing across a reload', async () => {
    const view = new FakeWebview();
    let state = 0;
    const channel = new WebviewChannel<ToView, FromView>(view, { parse: (m) => m as FromView, snapshot: () => ({ type: 'snapshot', state }) });
    channel.post({ type: 'result', n: 1 });
    state = 1;
    expect(view.received).toEqual([]);
    view.load();
    await sleep(0);
    expect(view.received).toEqual([{ type: 'snapshot', state: 1 }, { type: 'result', n: 1 }]);
    // The view goes away (hidden, reloading): the post is not delivered, so it waits.
    view.accepting = false;
    channel.post({ type: 'result', n: 2 });
    await sleep(0);
    channel.post({ type: 'result', n: 3 });
    state = 3;
    view.received = [];
    view.load();
    await sleep(0);
    expect(view.received).toEqual([{ type: 'snapshot', state: 3 }, { type: 'result', n: 2 }, { type: 'result', n: 3 }]);
    channel.dispose();
  });

  it('posts in flight when the view reloads come back in the order they were posted, after the snapshot', async () => {
    const view = new FakeWebview();
    const channel = new WebviewChannel<ToView, FromView>(view, { parse: (m) => m as FromView, snapshot: () => ({ type: 'snapshot' }) });
    view.load();
    await sleep(0);
    // The view starts reloading: the bridge does not know yet, and posts 1, 2, 3 at once; each fails.
    view.accepting = false;
    for (const n of [1, 2, 3]) channel.post({ type: 'result', n });
    await sleep(0);
    expect(channel.queued).toBe(3);
    view.received = [];
    view.load();
    await sleep(0);
    expect(view.received).toEqual([{ type: 'snapshot' }, { type: 'result', n: 1 }, { type: 'result', n: 2 }, { type: 'result', n: 3 }]);
    channel.dispose();
  });

  it('passes typed messages from the view and refuses malformed ones', () => {
    const view = new FakeWebview();
    const warnings: string[] = [];
    const logger = { child: () => logger, trace() {}, debug() {}, info() {}, warn: (_o: unknown, msg: string) => void warnings.push(msg), error() {}, fatal() {} };
    const channel = new WebviewChannel<ToView, FromView>(view, {
      parse: (m) => (typeof m === 'object' && m !== null && (m as FromView).type === 'mute' && typeof (m as FromView).id === 'string' ? (m as FromView) : undefined),
      logger,
    });
    const got: FromView[] = [];
    channel.onDidReceive((m) => got.push(m));
    view.send({ type: 'mute', id: 'api' });
    view.send({ type: 'mute', id: 42 });
    view.send('nonsense');
    expect(got).toEqual([{ type: 'mute', id: 'api' }]);
    expect(warnings).toEqual(['refused a malformed message from the webview', 'refused a malformed message from the webview']);
    channel.dispose();
  });
});
