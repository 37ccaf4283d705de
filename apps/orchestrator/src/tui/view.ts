// The interactive terminal view (Ink): the services, the selected one's output, keys to act on them. It talks to
// the orchestrator only through its control socket, so `start` (its own orchestrator) and `attach` (one started
// elsewhere, or detached) show the same view. Loaded only when a terminal shows it.
import type { IpcClient as Client } from '@baton/ipc';
import type { ServiceStatus } from '@baton/supervisor';
import { Box, Text, render, useApp, useInput, useStdout } from 'ink';
import { createElement as h, useEffect, useRef, useState, useSyncExternalStore } from 'react';
import type { StatusSnapshot } from '../orchestrator.js';
import { frame, initialState, onKey, selectedService, type Action, type Line, type ProcessStats, type ViewData, type ViewState } from './model.js';
import { ProcessSampler } from './stats.js';

/** Output lines kept per service in the view (the full history is in the service's log file). */
const keptLines = 2000;

export interface ViewOptions {
  readonly client: Client;
  readonly configFile: string;
  /** The view of `start`: leaving it stops the stack (after a confirmation). */
  readonly owner: boolean;
  readonly color: boolean;
  readonly stdin?: NodeJS.ReadStream;
  readonly stdout?: NodeJS.WriteStream;
}

/** Why the view ended: the user left it, asked to stop everything, or the orchestrator went away. */
export type ViewEnd = 'left' | 'stop-all' | 'orchestrator-gone';

/** What the view shows, kept up to date from the control socket; React reads it with useSyncExternalStore. */
class ViewSource {
  private _status: StatusSnapshot | undefined;
  private _stats: ReadonlyMap<number, ProcessStats> = new Map();
  private readonly _logs = new Map<string, string[]>();
  /** Lines ever appended per service (the kept ones are capped): a view scrolled back stays on the same lines. */
  private readonly _appended = new Map<string, number>();
  private readonly _fetched = new Set<string>();
  /** When the first line heard live of each service was read: the history asked for later is taken up to it. */
  private readonly _firstLiveAt = new Map<string, number>();
  private readonly _listeners = new Set<() => void>();
  private _version = 0;
  private _gone = false;
  private readonly _sampler = new ProcessSampler();
  private readonly _timers: NodeJS.Timeout[] = [];

  constructor(private readonly _client: Client) {}

  async start(): Promise<void> {
    this._client.subscribe('logs', (payload) => {
      const { service, line, at } = payload as { service: string; line: string; at?: number };
      if (at !== undefined && !this._firstLiveAt.has(service)) this._firstLiveAt.set(service, at);
      this._append(service, [line]);
    });
    this._client.onDidChangeConnection(({ state }) => {
      if (state === 'closed') {
        this._gone = true;
        this._changed();
      }
    });
    await this._poll();
    this._timers.push(setInterval(() => void this._poll(), 500));
    this._timers.push(setInterval(() => void this._sample(), 1000));
  }

  stop(): void {
    for (const timer of this._timers) clearInterval(timer);
  }

  get gone(): boolean {
    return this._gone;
  }

  get status(): StatusSnapshot | undefined {
    return this._status;
  }

  get stats(): ReadonlyMap<number, ProcessStats> {
    return this._stats;
  }

  /** The service's kept lines; the first call fetches its recent history. */
  logs(service: string | undefined): readonly string[] {
    if (service === undefined) return [];
    if (!this._fetched.has(service)) {
      this._fetched.add(service);
      void this._fetch(service);
    }
    return this._logs.get(service) ?? [];
  }

  /** Lines appended to `service` so far (never decreasing). */
  appended(service: string | undefined): number {
    return service === undefined ? 0 : (this._appended.get(service) ?? 0);
  }

  subscribe = (listener: () => void): (() => void) => {
    this._listeners.add(listener);
    return () => this._listeners.delete(listener);
  };

  version = (): number => this._version;

  private _changed(): void {
    this._version++;
    for (const listener of this._listeners) listener();
  }

  private _append(service: string, lines: readonly string[]): void {
    const kept = this._logs.get(service) ?? [];
    kept.push(...lines);
    this._appended.set(service, (this._appended.get(service) ?? 0) + lines.length);
    if (kept.length > keptLines) kept.splice(0, kept.length - keptLines);
    this._logs.set(service, kept);
    this._changed();
  }

  private async _fetch(service: string): Promise<void> {
    try {
      const past = (await this._client.request('logs', { service, lines: keptLines })) as { line: string; at?: number }[];
      // The lines heard live come after the history; the history's own copies of them (by when they were read) go.
      const live = this._logs.get(service) ?? [];
      const firstLive = this._firstLiveAt.get(service);
      this._logs.set(service, []);
      this._append(service, [...past.filter((entry) => firstLive === undefined || entry.at === undefined || entry.at < firstLive).map((entry) => entry.line), ...live]);
    } catch {
      this._fetched.delete(service);
    }
  }

  private async _poll(): Promise<void> {
    try {
      this._status = (await this._client.request('status', undefined, { timeoutMs: 5000 })) as StatusSnapshot;
      this._changed();
    } catch {
      // The connection's state says when it is gone for good.
    }
  }

  private async _sample(): Promise<void> {
    const pids = (this._status?.services ?? []).flatMap((s) => (s.pid ? [s.pid] : []));
    this._stats = await this._sampler.sample(pids);
    this._changed();
  }
}

const tones = { ok: 'green', warn: 'yellow', bad: 'red', dim: 'gray' } as const;

function drawLine(line: Line, index: number, color: boolean) {
  const props: Record<string, unknown> = { key: index, wrap: 'truncate' };
  if (line.style === 'selected') props.inverse = true;
  if (line.style === 'title' || line.style === 'header') props.bold = true;
  if (line.style === 'footer' || line.style === 'rule') props.dimColor = color;
  if (color && line.tone && line.style === 'row') props.color = tones[line.tone];
  if (color && line.style === 'match') props.color = 'yellow';
  if (color && line.style === 'prompt') props.color = 'cyan';
  return h(Text, props, line.text || ' ');
}

function App(props: { source: ViewSource; options: ViewOptions; act: (action: Action) => void }) {
  const { source, options, act } = props;
  const { stdout } = useStdout();
  const { exit } = useApp();
  useSyncExternalStore(source.subscribe, source.version);
  const [state, setRenderedState] = useState<ViewState>(initialState);
  // The state keys act on: updated at once, not at the next render, so that a key that comes before React has
  // drawn the last one's effect (a busy machine) acts on the state that key left.
  const current = useRef<ViewState>(initialState);
  const setState = (update: ViewState | ((s: ViewState) => ViewState)) => {
    current.current = typeof update === 'function' ? update(current.current) : update;
    setRenderedState(current.current);
  };
  const [size, setSize] = useState({ columns: stdout.columns || 80, rows: stdout.rows || 24 });
  useEffect(() => {
    const onResize = () => setSize({ columns: stdout.columns || 80, rows: stdout.rows || 24 });
    stdout.on('resize', onResize);
    return () => void stdout.off('resize', onResize);
  }, [stdout]);
  useEffect(() => {
    if (source.gone) exit();
  });
  const status = source.status;
  const services: readonly ServiceStatus[] = status?.services ?? [];
  const base = { configFile: options.configFile, lifecycle: status?.lifecycle ?? 'connecting', services, stats: source.stats, owner: options.owner, replicas: status?.replicas, logs: [] as readonly string[] };
  const selectedName = selectedService(state, base)?.name;
  const data: ViewData = { ...base, logs: source.logs(selectedName) };
  // Scrolled back, new output must not move the lines on screen: the scroll position grows with what was appended.
  const anchor = useRef({ service: selectedName, appended: source.appended(selectedName) });
  useEffect(() => {
    const appended = source.appended(selectedName);
    const grew = anchor.current.service === selectedName ? appended - anchor.current.appended : 0;
    anchor.current = { service: selectedName, appended };
    if (grew > 0) setState((s) => (s.scrollBack > 0 ? { ...s, scrollBack: Math.min(s.scrollBack + grew, Math.max(0, data.logs.length - 1)) } : s));
  });
  // One line short of the screen: a frame as tall as the terminal makes Ink clear the whole screen on every frame.
  const rows = Math.max(1, size.rows - 1);
  const paneHeight = Math.max(1, rows - 4 - Math.min(services.length, Math.floor((rows - 4) / 2)));
  useInput((input, key) => {
    if (key.ctrl && input === 'c') return act(options.owner ? { type: 'stop-all' } : { type: 'quit' });
    // Keys typed faster than a frame (or pasted) arrive as one chunk: each character is a key.
    const chunk = input.length > 1 && !key.ctrl && !key.meta ? [...input].map((ch) => ({ input: ch })) : [{ ...key, input }];
    let next: { state: ViewState; action?: Action } = { state: current.current };
    for (const one of chunk) {
      next = onKey(next.state, one, data, paneHeight);
      if (next.action) act(next.action);
    }
    setState(next.state);
  });
  return h(Box, { flexDirection: 'column' }, ...frame(data, state, size.columns, rows).map((line, i) => drawLine(line, i, options.color)));
}

/**
 * Shows the view until the user leaves it, asks to stop everything, or the orchestrator goes away. Actions on
 * services go to the orchestrator; their errors show in the footer through the log of the orchestrator.
 */
export async function runView(options: ViewOptions): Promise<ViewEnd> {
  const stdout = options.stdout ?? process.stdout;
  const source = new ViewSource(options.client);
  await source.start();
  let end: ViewEnd = 'orchestrator-gone';
  // The alternate screen: the view does not scroll the terminal's history, and leaves it as it was.
  stdout.write('\x1b[?1049h\x1b[H');
  // Each frame is one write, erasing the last frame's lines and drawing the new ones, inside a synchronized update
  // (the terminal shows it at once) where the terminal supports one. Ink's incremental mode (only the lines that
  // changed) drew a frame as tall as this one a line too low in tmux, so it stays off.
  const app = render(
    h(App, {
      source,
      options,
      act: (action: Action) => {
        if (action.type === 'quit') {
          end = 'left';
          app.unmount();
          return;
        }
        if (action.type === 'stop-all') {
          end = 'stop-all';
          app.unmount();
          return;
        }
        const request =
          action.type === 'reload'
            ? options.client.request('reload')
            : action.type === 'scale'
              ? options.client.request('scale', { service: action.service, replicas: action.replicas }, { timeoutMs: 120_000 })
              : options.client.request(action.type === 'restart' ? 'restart' : `${action.type}-service`, { service: action.service }, { timeoutMs: 120_000 });
        request.catch(() => {
          // The state the next status shows says what happened; the orchestrator's log says why.
        });
      },
    }),
    { stdout, stdin: options.stdin ?? process.stdin, exitOnCtrlC: false, patchConsole: false, maxFps: 20 },
  );
  try {
    await app.waitUntilExit();
  } finally {
    source.stop();
    stdout.write('\x1b[?1049l');
  }
  return source.gone && end === 'orchestrator-gone' ? 'orchestrator-gone' : end;
}
