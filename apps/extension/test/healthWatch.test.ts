// The core in one process (several "windows" as several HealthWatch objects), for what needs no
// separate processes: logging, the dashboard's messages, leaks.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expectNoLeaks, makeTempDir, snapshotResources, waitFor, type TempDir } from '@baton/test-utils';
import { createChannelLogger } from '@baton/vscode/core';
import { HealthWatch, type Results, parseEndpoints, parseFromDashboard, summarize, type Notice } from '../src/core/index.js';

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

describe('adapter helpers', () => {
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
