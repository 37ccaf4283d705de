// The core in one process (several "windows" as several HealthWatch objects), for what needs no
// separate processes: logging, the dashboard's messages, leaks.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expectNoLeaks, makeTempDir, sleep, snapshotResources, waitFor, type TempDir } from '@baton/test-utils';
import { createChannelLogger } from '@baton/vscode/core';
import { HealthWatch, formatCoordinationStatus, type Results, parseEndpoints, parseFromDashboard, summarize, type Notice } from '../src/core/index.js';

let tmp: TempDir;
const open: HealthWatch[] = [];
beforeEach(async () => {
  tmp = await makeTempDir();
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((w) => w.close()));
  await tmp.cleanup();
});

async function window(id: string, notices: Notice[] = []): Promise<HealthWatch> {
  const watch = await HealthWatch.start({ dir: tmp.path, id, window: { workspace: id }, leaseMs: 500, host: { notify: (n) => notices.push(n) } });
  open.push(watch);
  return watch;
}

describe('HealthWatch in one process', () => {
  let server: Server;
  let url = '';
  beforeEach(async () => {
    server = createServer((_q, r) => r.end('ok'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  afterEach(() => new Promise((resolve) => server.close(resolve)));

  it('probes the union of the windows\' endpoints once each, and drops those no window configures any more', async () => {
    const a = await window('a');
    const b = await window('b');
    const list = (entries: object[]) => parseEndpoints([{ source: 't', path: 'e', endpoints: entries }]).endpoints;
    await a.setEndpoints(list([{ type: 'http', name: 'shared', url, intervalSeconds: 60 }]));
    await b.setEndpoints(list([{ type: 'http', name: 'shared', url, intervalSeconds: 30 }, { type: 'tcp', name: 'b-only', port: Number(new URL(url).port) }]));
    await waitFor(() => a.allEndpoints().length === 2, { what: "b's endpoints in a" });
    expect(a.allEndpoints().map((e) => [e.name, e.intervalMs])).toEqual([['shared', 30_000], ['b-only', 30_000]]);
    await waitFor(() => Object.keys(b.results.endpoints).length === 2 && summarize(b.results).up === 2, { what: 'both up in b' });
    await b.close();
    open.splice(open.indexOf(b), 1);
    await waitFor(() => Object.keys(a.results.endpoints).length === 1, { timeoutMs: 10_000, what: "b-only dropped after b left" });
  });

  it("a leader whose term is older than the results' is refused: its probes do not overwrite a newer leader's results", async () => {
    const a = await window('a');
    await a.setEndpoints(parseEndpoints([{ source: 't', path: 'e', endpoints: [{ type: 'http', name: 'x', url, intervalSeconds: 3600 }] }]).endpoints);
    await waitFor(() => Object.keys(a.results.endpoints).length === 1, { what: 'a first result' });
    // A newer term wrote the results (as a leader elected while this one was paused would).
    const { openStore } = await import('@baton/state');
    const other = await openStore<Results>({ dir: tmp.path, name: 'health-watch.results', initial: a.results, watch: false });
    await other.update((r) => ({ ...r, term: (a.group.token ?? 0) + 100 }));
    other.dispose();
    await waitFor(() => a.results.term > (a.group.token ?? 0), { what: 'the newer term seen' });
    const before = a.results;
    expect(await a.runNow()).toMatchObject({ probed: 0 });
    expect(a.results).toEqual(before);
  });

  it('dispose() releases what close() releases: timers, sockets, watchers, descriptors', async () => {
    const before = snapshotResources();
    const a = await HealthWatch.start({ dir: tmp.path, id: 'a', leaseMs: 500, host: { notify() {} } });
    const b = await HealthWatch.start({ dir: tmp.path, id: 'b', leaseMs: 500, host: { notify() {} } });
    await a.setEndpoints(parseEndpoints([{ source: 't', path: 'e', endpoints: [{ type: 'http', name: 'x', url, intervalSeconds: 1 }] }]).endpoints);
    await waitFor(() => b.results.endpoints && Object.keys(b.results.endpoints).length === 1, { what: 'a result in b' });
    b.dispose();
    a.dispose();
    await expectNoLeaks(before, 3000);
  });
});

describe('notifications', () => {
  let server: Server;
  let url = '';
  let status = 200;
  beforeEach(async () => {
    status = 200;
    server = createServer((_q, r) => {
      r.statusCode = status;
      r.end('x');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  afterEach(() => new Promise((resolve) => server.close(resolve)));

  it('configuration problems: the leader’s window tells of each new set once, whatever the number of windows', async () => {
    const notices: Notice[] = [];
    const a = await window('a', notices);
    await waitFor(() => a.group.isLeader, { what: 'a leading' });
    const b = await window('b', notices);
    const c = await window('c', notices);
    const problem = (n: number) => `settings healthWatch.endpoints[${n}].url: Invalid URL`;
    // The same settings in three windows: one warning.
    await Promise.all([a, b, c].map((w) => w.setEndpoints([], [problem(0)])));
    await waitFor(() => notices.length === 1, { what: 'one warning' });
    // A window with one more problem: one warning, of the new one.
    await b.setEndpoints([], [problem(0), problem(1)]);
    await waitFor(() => notices.length === 2, { what: 'a second warning' });
    await sleep(300);
    expect(notices.map((n) => [n.kind, n.message])).toEqual([
      ['config', `1 problem in the endpoint configuration (those endpoints are not watched): ${problem(0)}`],
      ['config', `1 problem in the endpoint configuration (those endpoints are not watched): ${problem(1)}`],
    ]);
    // Fixed everywhere, then made again: told of again.
    await Promise.all([a, b, c].map((w) => w.setEndpoints([], [])));
    await waitFor(() => a.shared.get<string[]>('healthWatch.problemsShown', ['x']).length === 0, { what: 'the problems forgotten' });
    await c.setEndpoints([], [problem(0)]);
    await waitFor(() => notices.length === 3, { what: 'the problem told of again' });
  });

  it('an incident that ends closes its notification; those the rate limit held back are named in the next one', async () => {
    const notices: Notice[] = [];
    const resolved: string[] = [];
    const watch = await HealthWatch.start({ dir: tmp.path, id: 'a', window: { workspace: 'a' }, leaseMs: 500, notificationsPerMinute: 2, notificationWindowMs: 1500, host: { notify: (n) => notices.push(n), resolved: (incident) => resolved.push(incident) } });
    open.push(watch);
    const endpoints = parseEndpoints([{ source: 't', path: 'e', endpoints: ['api', 'db', 'cache'].map((name) => ({ type: 'http', name, url: `${url}${name}`, intervalSeconds: 3600 })) }]).endpoints;
    await watch.setEndpoints(endpoints);
    await waitFor(() => summarize(watch.results).up === 3, { what: 'three up' });
    status = 503;
    await watch.runNow();
    // Three down, two shown (the limit), the third held back.
    expect(notices.map((n) => n.kind)).toEqual(['down', 'down']);
    const down = notices.filter((n): n is Extract<Notice, { kind: 'down' }> => n.kind === 'down');
    status = 200;
    await watch.runNow();
    // Every incident that ended closes its notification, shown or not.
    expect([...resolved].sort()).toEqual(watch.results.incidents.map((i) => i.id).sort());
    expect(resolved).toEqual(expect.arrayContaining(down.map((n) => n.incident)));
    // Within the limit's window nothing more is shown; what was held back is named by the next one.
    expect(notices).toHaveLength(2);
    await sleep(1600);
    status = 503;
    await watch.runNow();
    expect(notices[2]?.message).toMatch(/^(api|db|cache) is down: HTTP 503[^(]* \(also, held back by the rate limit: cache down, api up again, db up again, cache up again\)$/);
  });
});

describe('adapter helpers', () => {
  it('the coordination status says where the prober is, tells windows apart, and says what the fencing token is', async () => {
    const a = await window('api');
    await waitFor(() => a.group.isLeader, { what: 'a leading' });
    const b = await window('web');
    await a.windows.setFocused(false);
    await b.windows.setFocused(true);
    await waitFor(() => b.windows.members.length === 2 && b.windows.members.every((m) => m.focused !== undefined), { what: 'both windows and their focus in b' });
    const text = formatCoordinationStatus(await b.coordinationStatus());
    expect(text).toContain(`- **Probing:** another window: 'api' [${a.windows.id.slice(0, 8)}] (pid ${process.pid})`);
    expect(text).toContain('- **This window:** shows what the leading window probes');
    expect(text).toMatch(/fencing token \d+ \(it grows with every new term and is never reused, across sessions: not a count of elections\)/);
    expect(text).toContain(`| 'api' [${a.windows.id.slice(0, 8)}] | pid ${process.pid}, not focused | leader: probes |`);
    expect(text).toContain(`| 'web' [${b.windows.id.slice(0, 8)}] (this one) | pid ${process.pid}, focused | follower |`);
  });

  it('the channel logger writes the message, then the fields, errors by code and message', () => {
    const lines: string[] = [];
    const sink = { trace: (m: string) => lines.push(`trace ${m}`), debug: (m: string) => lines.push(`debug ${m}`), info: (m: string) => lines.push(`info ${m}`), warn: (m: string) => lines.push(`warn ${m}`), error: (m: string) => lines.push(`error ${m}`) };
    const logger = createChannelLogger(sink).child({ pkg: 'lock' });
    logger.info({ fencingToken: 3 }, 'acquired');
    logger.warn({ err: Object.assign(new Error('no such file'), { code: 'ENOENT' }) }, 'tick failed');
    expect(lines[0]).toBe('info acquired {"pkg":"lock","fencingToken":3}');
    expect(lines[1]).toMatch(/^warn tick failed \{"pkg":"lock","err":\{.*"message":"no such file".*"code":"ENOENT"/);
    expect(lines[1]).not.toMatch(/"stack"/);
  });

  it('the dashboard\'s messages are checked before use', () => {
    expect(parseFromDashboard({ type: 'runNow' })).toEqual({ type: 'runNow' });
    expect(parseFromDashboard({ type: 'mute', id: 'x', muted: true })).toEqual({ type: 'mute', id: 'x', muted: true });
    expect(parseFromDashboard({ type: 'mute', id: 'x' })).toBeUndefined();
    expect(parseFromDashboard({ type: 'exec', command: 'rm -rf /' })).toBeUndefined();
    expect(parseFromDashboard(null)).toBeUndefined();
  });
});
