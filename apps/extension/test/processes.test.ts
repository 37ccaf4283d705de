// N extension hosts, as N real processes running the core against one directory.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { killAllFixtures, makeTempDir, sleep, spawnFixture, waitFor, type Fixture, type TempDir } from '@baton/test-utils';

const windowFixture = fileURLToPath(new URL('./fixtures/window.ts', import.meta.url));

let server: Server;
let url = '';
/** Monotonic times of the probes the server saw. */
let hits: number[] = [];
let failing = false;

beforeAll(async () => {
  server = createServer((_request, response) => {
    hits.push(performance.now());
    response.statusCode = failing ? 503 : 200;
    response.end(failing ? 'down' : 'ok');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/health`;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));

let tmp: TempDir;
beforeEach(async () => {
  tmp = await makeTempDir();
  hits = [];
  failing = false;
});
afterEach(async () => {
  await killAllFixtures();
  await tmp.cleanup();
});

async function openWindow(id: string): Promise<Fixture> {
  const f = spawnFixture(windowFixture, [tmp.path, id]);
  await f.waitForLine(/^ready /, 20_000);
  return f;
}

async function openWindows(n: number): Promise<Fixture[]> {
  const windows: Fixture[] = [];
  for (let i = 0; i < n; i++) windows.push(await openWindow(`w${i}`));
  return windows;
}

const roleOf = (f: Fixture) => (f.lines.filter((l) => /^(ready|role) /.test(l)).at(-1) ?? '').split(' ')[1];
const leaderOf = (windows: Fixture[]) => windows.find((w) => roleOf(w) === 'leader');

async function configure(windows: Fixture[], endpoints: unknown[]): Promise<void> {
  const marks = windows.map((w) => w.lines.length);
  for (const w of windows) w.send(`endpoints ${JSON.stringify(endpoints)}`);
  await waitFor(() => windows.every((w, i) => w.lines.slice(marks[i]).includes('configured')), { what: 'every window configured' });
}

/** The last `results` line of a window: [term, {name: [state, checks, lastCheck]}]. */
function lastResults(f: Fixture): [number, Record<string, [string, number, number]>] | undefined {
  const line = f.lines.filter((l) => l.startsWith('results ')).at(-1);
  if (!line) return undefined;
  const [, term, ...json] = line.split(' ');
  return [Number(term), JSON.parse(json.join(' '))];
}

const api = () => ({ type: 'http', name: 'api', url, intervalSeconds: 1, timeoutSeconds: 2 });
const apiId = () => `http:api:${url}`;

describe('Health Watch across windows (real processes)', () => {
  it('four windows configuring the same endpoint make one probe per interval, and every window shows it', async () => {
    const windows = await openWindows(4);
    await configure(windows, [api()]);
    await waitFor(() => hits.length >= 1, { what: 'a first probe' });
    const from = hits.length;
    const startedAt = performance.now();
    await sleep(4500);
    const probes = hits.length - from;
    const seconds = (performance.now() - startedAt) / 1000;
    // One window probes, once a second: four windows each probing would make four times as many.
    expect(probes).toBeGreaterThanOrEqual(Math.floor(seconds) - 1);
    expect(probes).toBeLessThanOrEqual(Math.ceil(seconds) + 1);
    // Every probe is recorded by the leader, and every window has the same results.
    await waitFor(() => windows.every((w) => lastResults(w)?.[1].api?.[1] === hits.length), { what: 'every window showing every probe' });
    expect(windows.filter((w) => roleOf(w) === 'leader')).toHaveLength(1);
  }, 60_000);

  it('a SIGKILLed leader is replaced and probing goes on with no gap longer than an interval and the failover', async () => {
    const windows = await openWindows(3);
    await configure(windows, [api()]);
    await waitFor(() => hits.length >= 2, { what: 'probing' });
    const leader = leaderOf(windows)!;
    const killedAt = performance.now();
    leader.kill('SIGKILL');
    const others = windows.filter((w) => w !== leader);
    await waitFor(() => others.some((w) => roleOf(w) === 'leader'), { timeoutMs: 5000, what: 'a new leader' });
    await waitFor(() => hits.filter((t) => t > killedAt).length >= 3, { timeoutMs: 10_000, what: 'probes after the kill' });
    const around = hits.filter((t) => t > killedAt - 2000);
    const gaps = around.slice(1).map((t, i) => t - around[i]!);
    // The interval (1 s) plus the failover (the kernel closes the dead leader's connection at once) and CI slack.
    expect(Math.max(...gaps)).toBeLessThan(2000);
    // No window's results ever went back to an older leader's term.
    for (const w of others) {
      const terms = w.lines.filter((l) => l.startsWith('results ')).map((l) => Number(l.split(' ')[1]));
      expect(terms).toEqual([...terms].sort((a, b) => a - b));
    }
  }, 60_000);

  it('closing the leader window hands probing over at once', async () => {
    const windows = await openWindows(3);
    await configure(windows, [api()]);
    await waitFor(() => hits.length >= 1, { what: 'probing' });
    const leader = leaderOf(windows)!;
    const others = windows.filter((w) => w !== leader);
    const closedAt = performance.now();
    leader.send('close');
    await waitFor(() => others.some((w) => roleOf(w) === 'leader'), { timeoutMs: 5000, what: 'a new leader' });
    // Far below the 1 s lease: the leader tells the others that its term ended.
    expect(performance.now() - closedAt).toBeLessThan(1000);
    await leader.exited;
    const before = hits.length;
    await waitFor(() => hits.length >= before + 2, { timeoutMs: 5000, what: 'probing by the new leader' });
  }, 60_000);

  it('one notification per incident across all windows; a mute from any window silences it in all', async () => {
    const windows = await openWindows(3);
    await configure(windows, [api()]);
    await waitFor(() => windows.every((w) => lastResults(w)?.[1].api?.[0] === 'up'), { what: 'up everywhere' });
    const notices = () => windows.flatMap((w) => w.lines.filter((l) => l.startsWith('notify ')));
    failing = true;
    await waitFor(() => windows.every((w) => lastResults(w)?.[1].api?.[0] === 'down'), { what: 'down everywhere' });
    await sleep(2500); // more failed probes: still one incident
    expect(notices()).toEqual([expect.stringMatching(/^notify error api is down: HTTP 503/)]);
    failing = false;
    await waitFor(() => notices().length === 2, { what: 'the recovery notice' });
    expect(notices()[1]).toMatch(/^notify info api is up again after \d+ s/);

    // Muted from a follower: every window sees the mute, and the next incident notifies no one.
    const follower = windows.find((w) => roleOf(w) === 'follower')!;
    follower.send(`mute ${apiId()}`);
    await waitFor(() => windows.every((w) => w.lines.includes(`muted ${JSON.stringify([apiId()])}`)), { what: 'muted everywhere' });
    failing = true;
    await waitFor(() => windows.every((w) => lastResults(w)?.[1].api?.[0] === 'down'), { what: 'down again' });
    failing = false;
    await waitFor(() => windows.every((w) => lastResults(w)?.[1].api?.[0] === 'up'), { what: 'up again' });
    expect(notices()).toHaveLength(2);
  }, 60_000);

  it('Run Now from a follower runs on the leader and every window sees the new results', async () => {
    const windows = await openWindows(3);
    await configure(windows, [{ ...api(), intervalSeconds: 3600 }]);
    await waitFor(() => hits.length === 1, { what: 'the first probe' });
    const follower = windows.find((w) => roleOf(w) === 'follower')!;
    follower.send('runNow');
    const ran = await follower.waitForLine(/^ran /);
    const leaderId = `w${windows.indexOf(leaderOf(windows)!)}`;
    expect(JSON.parse(ran.slice(4))).toEqual({ probed: 1, up: 1, down: 0, by: leaderId });
    expect(hits).toHaveLength(2);
    await waitFor(() => windows.every((w) => lastResults(w)?.[1].api?.[1] === 2), { what: 'two checks everywhere' });
  }, 60_000);

  it('shared storage: two windows making 200 increments each at once lose none, and writing at once log nothing', async () => {
    const [a, b] = await openWindows(2);
    a!.send('increment 200');
    b!.send('increment 200');
    await a!.waitForLine('incremented', 60_000);
    await b!.waitForLine('incremented', 60_000);
    // Each window writing its own key, back to back: every store sees its own writes complete while
    // it reads the other's (a read older than its own write is not the file going back).
    a!.send('ping 300');
    b!.send('ping 300');
    await a!.waitForLine('pinged', 60_000);
    await b!.waitForLine('pinged', 60_000);
    expect([a!, b!].flatMap((w) => w.lines.filter((l) => l.startsWith('log ')))).toEqual([]);
    // Every window reads 400, one that opened afterwards too.
    const c = await openWindow('late');
    for (const w of [a!, b!, c]) {
      await waitFor(async () => {
        const mark = w.lines.length;
        w.send('get counter');
        await waitFor(() => w.lines.slice(mark).some((l) => l.startsWith('value ')));
        return w.lines.slice(mark).find((l) => l.startsWith('value ')) === 'value 400';
      }, { timeoutMs: 10_000, what: 'the counter at 400' });
    }
  }, 90_000);

  it('a window that dies without leaving: the leader stops probing what only it configured', async () => {
    const windows = await openWindows(3);
    const leader = leaderOf(windows)!;
    const [lonely] = windows.filter((w) => w !== leader);
    await configure([lonely!], [api()]);
    await waitFor(() => hits.length >= 2, { what: 'probing the lonely window\'s endpoint' });
    lonely!.kill('SIGKILL');
    // The member list changes at once (the kernel closed its connection); the leader drops its
    // endpoints when it sees the process dead, or after 5 s absent (a dead child not yet reaped).
    await sleep(6000);
    const after = hits.length;
    await sleep(2500);
    expect(hits.length).toBe(after);
  }, 60_000);
});
