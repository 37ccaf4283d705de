// The terminal view's state and layout, free of any terminal: keys go through `onKey` (one transition function), and
// `frame` lays out what the screen shows at a given size, every line cut to the width (never wrapped). The Ink
// components (view.ts) only draw these lines.
import type { ServiceStatus } from '@baton/supervisor';
import { formatBytes, formatDuration, visibleControls } from '../render.js';

/** CPU and memory of a process, when the platform tells (undefined otherwise). */
export interface ProcessStats {
  readonly cpuPercent: number | undefined;
  readonly rssBytes: number | undefined;
}

/** What the view shows: the orchestrator's status, per-pid stats, and each service's recent output. */
export interface ViewData {
  readonly configFile: string;
  readonly lifecycle: string;
  readonly services: readonly ServiceStatus[];
  readonly stats: ReadonlyMap<number, ProcessStats>;
  /** Output lines of the selected service, oldest first (at most what the view keeps). */
  readonly logs: readonly string[];
  /** Whether this view's leaving stops the stack (the view of `start`) or leaves it running (`attach`). */
  readonly owner: boolean;
  /** Services with replicas: base name -> its copies' names. */
  readonly replicas?: Readonly<Record<string, readonly string[]>>;
}

export type Mode = 'normal' | 'search' | 'help' | 'confirm-quit' | 'confirm-stop-all';

export interface ViewState {
  readonly mode: Mode;
  /** The selected service, by name (so it stays selected when services are added or removed). */
  readonly selected: string | undefined;
  /** Log lines scrolled back from the newest; 0 follows new output. */
  readonly scrollBack: number;
  /** The search being typed (mode 'search'), or the last one (highlighted; n and N move between matches). */
  readonly search: string;
  /** Feedback for the last key (an action started, or why a key did nothing). */
  readonly message: string;
}

export const initialState: ViewState = { mode: 'normal', selected: undefined, scrollBack: 0, search: '', message: '' };

/** A key as Ink reports it, reduced to what the view uses. */
export interface Key {
  readonly input: string;
  readonly upArrow?: boolean;
  readonly downArrow?: boolean;
  readonly pageUp?: boolean;
  readonly pageDown?: boolean;
  readonly home?: boolean;
  readonly end?: boolean;
  readonly return?: boolean;
  readonly escape?: boolean;
  readonly backspace?: boolean;
  readonly delete?: boolean;
  readonly ctrl?: boolean;
}

/** What a key asks the orchestrator (or the view's owner) to do. */
export type Action =
  | { readonly type: 'restart' | 'start' | 'stop'; readonly service: string }
  | { readonly type: 'reload' }
  | { readonly type: 'scale'; readonly service: string; readonly replicas: number }
  | { readonly type: 'stop-all' }
  | { readonly type: 'quit' };

/** The keys, as the help overlay and the footer name them. */
export const keyHelp: readonly (readonly [string, string])[] = [
  ['↑ ↓  j k', 'select a service'],
  ['PgUp PgDn  b space', 'scroll its output'],
  ['End  G', 'follow new output'],
  ['Home  g', 'oldest output kept'],
  ['/', 'search its output (Enter: find, Esc: cancel)'],
  ['n  N', 'next older / newer match'],
  ['r', 'restart the selected service'],
  ['x', 'stop it (it stays stopped)'],
  ['s', 'start it'],
  ['+  -', 'one copy more / fewer of a service with replicas'],
  ['R', 'reload the config'],
  ['Q', 'stop every service and the orchestrator'],
  ['q', 'leave the view'],
  ['?', 'this help (any key closes it)'],
];

/** One transition: the state after `key`, and the action it asks for. `pageSize`: the log pane's height. */
export function onKey(state: ViewState, key: Key, data: ViewData, pageSize: number): { state: ViewState; action?: Action } {
  const selected = selectedService(state, data);
  const set = (next: Partial<ViewState>) => ({ state: { ...state, message: '', ...next } });
  switch (state.mode) {
    case 'help':
      return set({ mode: 'normal' });
    case 'confirm-quit':
    case 'confirm-stop-all': {
      const yes = key.input === 'y' || key.input === 'Y';
      if (!yes) return set({ mode: 'normal', message: 'cancelled' });
      if (state.mode === 'confirm-stop-all') return { state: { ...state, mode: 'normal', message: 'stopping every service ...' }, action: { type: 'stop-all' } };
      return { state: { ...state, mode: 'normal' }, action: { type: 'quit' } };
    }
    case 'search': {
      if (key.escape) return set({ mode: 'normal', search: '' });
      if (key.return) {
        const back = findMatch(data.logs, state.search, -1, 'older');
        return set({ mode: 'normal', scrollBack: back ?? state.scrollBack, message: back === undefined ? `no line matches '${state.search}'` : '' });
      }
      if (key.backspace || key.delete) return set({ search: state.search.slice(0, -1) });
      if (key.input && !key.ctrl) return set({ search: state.search + key.input });
      return { state };
    }
    case 'normal':
      break;
  }
  if (key.upArrow || key.input === 'k') return set({ selected: neighbour(data, selected, -1), scrollBack: 0 });
  if (key.downArrow || key.input === 'j') return set({ selected: neighbour(data, selected, 1), scrollBack: 0 });
  const maxBack = Math.max(0, data.logs.length - pageSize);
  if (key.pageUp || key.input === 'b') return set({ scrollBack: Math.min(maxBack, state.scrollBack + pageSize) });
  if (key.pageDown || key.input === ' ') return set({ scrollBack: Math.max(0, state.scrollBack - pageSize) });
  if (key.end || key.input === 'G') return set({ scrollBack: 0 });
  if (key.home || key.input === 'g') return set({ scrollBack: maxBack });
  if (key.input === '/') return set({ mode: 'search', search: '' });
  if ((key.input === 'n' || key.input === 'N') && state.search) {
    const back = findMatch(data.logs, state.search, state.scrollBack, key.input === 'n' ? 'older' : 'newer');
    return set({ scrollBack: back ?? state.scrollBack, message: back === undefined ? `no ${key.input === 'n' ? 'older' : 'newer'} line matches '${state.search}'` : '' });
  }
  if (key.input === '?') return set({ mode: 'help' });
  if (key.input === 'R') return { state: { ...state, message: 'reloading the config ...' }, action: { type: 'reload' } };
  if (key.input === 'Q') return set({ mode: 'confirm-stop-all' });
  if (key.input === 'q') return data.owner ? set({ mode: 'confirm-quit' }) : { state, action: { type: 'quit' } };
  if (key.input === '+' || key.input === '-') {
    // The service of the selected copy (`api` of `api-3`); its copies counted from the rows, which a status taken
    // while a scale applies can show before the list of copies catches up.
    const name = Object.keys(data.replicas ?? {}).find((group) => selected && (selected.name === group || new RegExp(`^${escapeRegExp(group)}-\\d+$`).test(selected.name)));
    if (name === undefined) return set({ message: `${selected?.name ?? 'this service'} has no replicas: add \`replicas:\` to it in the config to scale it` });
    const copies = data.services.filter((s) => new RegExp(`^${escapeRegExp(name)}-\\d+$`).test(s.name)).length;
    const replicas = copies + (key.input === '+' ? 1 : -1);
    if (replicas < 1) return set({ message: `${name} runs one copy: x stops it` });
    return { state: { ...state, message: `scaling ${name} to ${replicas} ...` }, action: { type: 'scale', service: name, replicas } };
  }
  const service = { r: 'restart', s: 'start', x: 'stop' } as const;
  if (key.input in service) {
    if (!selected) return set({ message: 'no service selected' });
    const type = service[key.input as keyof typeof service];
    return { state: { ...state, message: `${type === 'stop' ? 'stopping' : type === 'start' ? 'starting' : 'restarting'} ${selected.name} ...` }, action: { type, service: selected.name } };
  }
  return { state };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The selected service: the one named, or the first. */
export function selectedService(state: ViewState, data: ViewData): ServiceStatus | undefined {
  return data.services.find((s) => s.name === state.selected) ?? data.services[0];
}

function neighbour(data: ViewData, current: ServiceStatus | undefined, step: number): string | undefined {
  if (data.services.length === 0) return undefined;
  const at = current ? data.services.indexOf(current) : 0;
  return data.services[Math.min(data.services.length - 1, Math.max(0, at + step))]!.name;
}

/**
 * The scroll position (lines back from the newest) that puts the next match of `text` at the pane's bottom line,
 * searching older (or newer) than the line now at the bottom (`from`; -1: from the newest line, inclusive).
 */
function findMatch(lines: readonly string[], text: string, from: number, direction: 'older' | 'newer'): number | undefined {
  if (!text) return undefined;
  const needle = text.toLowerCase();
  const bottom = lines.length - 1 - Math.max(0, from);
  if (direction === 'older') {
    for (let i = from < 0 ? lines.length - 1 : bottom - 1; i >= 0; i--) if (lines[i]!.toLowerCase().includes(needle)) return lines.length - 1 - i;
  } else {
    for (let i = bottom + 1; i < lines.length; i++) if (lines[i]!.toLowerCase().includes(needle)) return lines.length - 1 - i;
  }
  return undefined;
}

/** How a line is drawn. */
export type LineStyle = 'title' | 'header' | 'row' | 'selected' | 'rule' | 'log' | 'match' | 'footer' | 'overlay' | 'prompt';

export interface Line {
  readonly text: string;
  readonly style: LineStyle;
  /** A colour for the row's state (when colours are on). */
  readonly tone?: 'ok' | 'warn' | 'bad' | 'dim';
}

/** The whole screen at `columns` x `rows`: exactly `rows` lines or fewer, each at most `columns` wide. */
export function frame(data: ViewData, state: ViewState, columns: number, rows: number): Line[] {
  const width = Math.max(1, columns);
  const cut = (text: string) => cutTo(text, width);
  const selected = selectedService(state, data);
  const ready = data.services.filter((s) => s.state === 'ready').length;
  const lines: Line[] = [{ text: cut(`Baton orchestrator · ${data.lifecycle} · ${ready}/${data.services.length} ready · ${data.configFile}`), style: 'title' }];
  if (rows < 4) return lines.slice(0, rows);

  // The services: at most half the screen (the rest is the selected one's output), the selected one always shown.
  const table = serviceTable(data, width);
  const room = Math.max(1, Math.min(data.services.length, Math.floor((rows - 4) / 2)));
  const at = Math.max(0, selected ? data.services.indexOf(selected) : 0);
  const first = Math.min(Math.max(0, at - room + 1), Math.max(0, data.services.length - room));
  lines.push({ text: cut(table.header), style: 'header' });
  for (let i = first; i < first + room && i < data.services.length; i++) {
    const service = data.services[i]!;
    lines.push({ text: cut(table.rows[i]!), style: service === selected ? 'selected' : 'row', tone: tone(service) });
  }

  const footer = footerText(state, data, width);
  const paneHeight = Math.max(0, rows - lines.length - 2);
  const total = data.logs.length;
  const back = Math.min(state.scrollBack, Math.max(0, total - paneHeight));
  const where = back === 0 ? 'following' : `${back} line${back === 1 ? '' : 's'} back of ${total}`;
  const name = selected ? selected.name : 'no service';
  const rule = `── ${name} output · ${where}${state.search && state.mode !== 'search' ? ` · /${state.search}` : ''} `;
  lines.push({ text: cut(rule + '─'.repeat(Math.max(0, width - [...rule].length))), style: 'rule' });

  if (state.mode === 'help') {
    const help = keyHelp.map(([keys, what]) => cut(`  ${keys.padEnd(20)} ${what}`));
    for (let i = 0; i < paneHeight; i++) lines.push({ text: help[i] ?? '', style: 'overlay' });
  } else {
    const end = total - back;
    const shown = data.logs.slice(Math.max(0, end - paneHeight), end);
    const needle = state.search.toLowerCase();
    for (let i = 0; i < paneHeight; i++) {
      const raw = shown[i - (paneHeight - shown.length)];
      if (raw === undefined) {
        lines.push({ text: '', style: 'log' });
        continue;
      }
      const text = cut(visibleControls(raw.replace(/\t/g, '    ')));
      lines.push({ text, style: needle && raw.toLowerCase().includes(needle) ? 'match' : 'log' });
    }
  }
  lines.push({ text: footer, style: state.mode === 'normal' ? 'footer' : 'prompt' });
  return lines.slice(0, rows);
}

function footerText(state: ViewState, data: ViewData, width: number): string {
  const cut = (text: string) => cutTo(text, width);
  switch (state.mode) {
    case 'search':
      return cut(`/${state.search}▏  (Enter: find · Esc: cancel)`);
    case 'confirm-quit':
      return cut('Stop every service and quit? y / n');
    case 'confirm-stop-all':
      return cut('Stop every service and the orchestrator? y / n');
    case 'help':
      return cut('any key closes the help');
    case 'normal':
      break;
  }
  if (state.message) return cut(state.message);
  return cut(`↑↓ select · r restart · x stop · s start · / search · ? help · q ${data.owner ? 'quit' : 'leave'}`);
}

function tone(service: ServiceStatus): Line['tone'] {
  if (service.state === 'ready') return service.livenessFailures || service.degraded?.length ? 'warn' : 'ok';
  if (service.state === 'failed' || service.state === 'crashed') return 'bad';
  if (service.state === 'stopped' || service.state === 'exited' || service.state === 'pending') return 'dim';
  return 'warn';
}

/** The service table's header and rows, columns fitted to `width` (the narrowest drop CPU, memory, uptime). */
export function serviceTable(data: ViewData, width: number): { header: string; rows: string[] } {
  type Column = { title: string; cell: (s: ServiceStatus) => string; right?: boolean; optional?: number };
  const stats = (s: ServiceStatus) => (s.pid === undefined ? undefined : data.stats.get(s.pid));
  const columns: Column[] = [
    { title: 'SERVICE', cell: (s) => s.name },
    { title: 'TIER', cell: (s) => String(s.tier), right: true, optional: 4 },
    { title: 'STATE', cell: (s) => stateText(s) },
    { title: 'PID', cell: (s) => (s.pid ? String(s.pid) : '-'), right: true, optional: 3 },
    { title: 'UPTIME', cell: (s) => formatDuration(s.uptimeMs), right: true, optional: 2 },
    // Restarts after failures within the policy's window, of the most it allows there (then it gives up).
    { title: 'RESTARTS', cell: (s) => (s.restartBudget ? `${s.restartBudget.used}/${s.restartBudget.max}` : String(s.restarts)), right: true },
    { title: 'CPU', cell: (s) => (stats(s)?.cpuPercent === undefined ? '-' : `${stats(s)!.cpuPercent!.toFixed(1)}%`), right: true, optional: 1 },
    { title: 'MEM', cell: (s) => (stats(s)?.rssBytes === undefined ? '-' : formatBytes(stats(s)!.rssBytes!)), right: true, optional: 1 },
  ];
  const build = (shown: Column[], nameWidth = Infinity) => {
    const cells = data.services.map((s) => shown.map((c, i) => (i === 0 ? cutTo(c.cell(s), nameWidth) : c.cell(s))));
    const widths = shown.map((c, i) => Math.max(c.title.length, ...cells.map((row) => [...row[i]!].length)));
    const line = (values: string[]) => values.map((v, i) => (shown[i]!.right ? v.padStart(widths[i]!) : v.padEnd(widths[i]!))).join('  ').trimEnd();
    return { header: line(shown.map((c) => c.title)), rows: cells.map(line), width: widths.reduce((a, b) => a + b + 2, -2) };
  };
  // Drop the optional columns, least needed first, until the table fits (the name and state are cut last).
  let shown = columns;
  for (let level = 1; level <= 4; level++) {
    if (build(shown).width <= width) break;
    shown = shown.filter((c) => c.optional === undefined || c.optional > level);
  }
  // Still too wide: long names are cut (to no less than 12 columns), so that the state and restarts stay in view.
  const full = build(shown);
  if (full.width <= width) return full;
  const names = Math.max(12, Math.max(...data.services.map((s) => [...s.name].length), 7) - (full.width - width));
  return build(shown, names);
}

function stateText(service: ServiceStatus): string {
  const notes: string[] = [];
  if (service.livenessFailures) notes.push(`liveness x${service.livenessFailures}`);
  if (service.degraded?.length) notes.push('degraded');
  if (service.outputDroppedBytes) notes.push(`${formatBytes(service.outputDroppedBytes)} dropped`);
  if (service.lastExit && service.state !== 'ready' && service.state !== 'starting') notes.push(service.lastExit.signal ? `${service.lastExit.signal}` : `exit ${service.lastExit.code}`);
  const state = service.state === 'backoff' && service.nextStartAt ? `backoff ${Math.max(0, Math.ceil((Date.parse(service.nextStartAt) - Date.now()) / 1000))}s` : service.state;
  return notes.length ? `${state} (${notes.join(', ')})` : state;
}

/** `text` at most `width` columns (by code point; wider characters are rare in service names and logs), cut with '…'. */
export function cutTo(text: string, width: number): string {
  const chars = [...text];
  if (chars.length <= width) return text;
  return width <= 1 ? chars.slice(0, width).join('') : `${chars.slice(0, width - 1).join('')}…`;
}
