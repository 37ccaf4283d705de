import { toDisposable, type IDisposable } from '@baton/base';
import type { IpcClient } from '@baton/ipc';
import { topics } from './protocol.js';

/**
 * A member's user topics: its listeners, and the subscriptions on its open connections to other members (the
 * leader, one being joined). A topic is subscribed on every connection while it has a listener here, and dropped
 * from them with its last, so topics used once and left cost nothing afterwards.
 */
export class Topics {
  private readonly _listeners = new Map<string, Set<(payload: unknown) => void>>();
  private readonly _connections = new Map<IpcClient, Map<string, IDisposable>>();

  constructor(private readonly _onListenerError: (err: unknown, topic: string) => void) {}

  subscribe(topic: string, listener: (payload: unknown) => void): IDisposable {
    let set = this._listeners.get(topic);
    if (!set) {
      set = new Set();
      this._listeners.set(topic, set);
      for (const client of this._connections.keys()) this._subscribeOn(client, topic);
    }
    set.add(listener);
    return toDisposable(() => {
      if (!set.delete(listener) || set.size > 0 || this._listeners.get(topic) !== set) return;
      this._listeners.delete(topic);
      for (const subscriptions of this._connections.values()) {
        subscriptions.get(topic)?.dispose();
        subscriptions.delete(topic);
      }
    });
  }

  /** Subscribes `client` to every topic with a listener, and to those that get one later, until it closes. */
  attach(client: IpcClient): void {
    this._connections.set(client, new Map());
    client.onDidChangeConnection(({ state }) => {
      if (state === 'closed') this._connections.delete(client);
    });
    for (const topic of this._listeners.keys()) this._subscribeOn(client, topic);
  }

  /** The topics with a listener (for tests and metrics). */
  get size(): number {
    return this._listeners.size;
  }

  deliver(topic: string, payload: unknown): void {
    for (const listener of [...(this._listeners.get(topic) ?? [])]) {
      try {
        listener(payload);
      } catch (err) {
        this._onListenerError(err, topic);
      }
    }
  }

  private _subscribeOn(client: IpcClient, topic: string): void {
    this._connections.get(client)?.set(topic, client.subscribe(topics.user(topic), (payload) => this.deliver(topic, payload)));
  }
}
