// pnpm --filter @baton/devsync-relay bench
// The WebDevSync relay against a minimal relay written the plain way (bench/fixtures/minimalRelay.mjs), side by
// side in one run, each a child process of its own: round-trip latency browser -> desktop -> browser (p50/p99),
// messages routed per second with 1000 concurrent sessions, memory per idle connection with 10,000 connections;
// users saving at a person's pace (BENCH_USERS users, default 1000, each one save a second for BENCH_PACED_SECONDS,
// 30): the relay's CPU per save and its RSS, both relays up at once; then save-to-field latency end to end
// (Chromium, the desktop agent, a save renamed over the file).
// BENCH_ROUNDTRIPS (default 2000), BENCH_SESSIONS (1000), BENCH_SECONDS (5), BENCH_IDLE (10000), BENCH_SAVES (30);
// BENCH_QUICK=1 for a short run; BENCH_ONLY=paced for that part alone.
import { readFile, readdir, rename, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { chromium } from 'playwright-core';
import { findBrowser } from '../test/browserPath.js';
import { killAllFixtures, makeTempDir, markdownTable, machineDescription, percentile, round, sleep, spawnFixture, writeBenchResults, type Fixture, type Row } from '@baton/test-utils';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const relayBin = fileURLToPath(new URL('../bin/devsync-relay.mjs', import.meta.url));
const minimalBin = fileURLToPath(new URL('./fixtures/minimalRelay.mjs', import.meta.url));
const desktopBin = fileURLToPath(new URL('../../devsync-desktop/bin/devsync-desktop.mjs', import.meta.url));
const quick = process.env.BENCH_QUICK === '1';
const roundTrips = Number(process.env.BENCH_ROUNDTRIPS ?? (quick ? 300 : 2000));
const sessions = Number(process.env.BENCH_SESSIONS ?? (quick ? 100 : 1000));
const seconds = Number(process.env.BENCH_SECONDS ?? (quick ? 1 : 5));
const idleConnections = Number(process.env.BENCH_IDLE ?? (quick ? 1000 : 10_000));
const saves = Number(process.env.BENCH_SAVES ?? (quick ? 5 : 30));
const users = Number(process.env.BENCH_USERS ?? (quick ? 200 : 1000));
const pacedSeconds = Number(process.env.BENCH_PACED_SECONDS ?? (quick ? 5 : 30));
const only = process.env.BENCH_ONLY;
const progress = (text: string) => process.stderr.write(`${text}\n`);
const tmp = await makeTempDir('devsync-bench-');

interface Socket {
  ws: WebSocket;
  next(): Promise<Record<string, unknown>>;
  onMessage: ((m: Record<string, unknown>) => void) | undefined;
}

function open(url: string): Promise<Socket> {
  const ws = new WebSocket(url);
  const queue: Array<Record<string, unknown>> = [];
  const waiting: Array<(m: Record<string, unknown>) => void> = [];
  const socket: Socket = {
    ws,
    onMessage: undefined,
    next: () => (queue.length > 0 ? Promise.resolve(queue.shift()!) : new Promise((resolve) => waiting.push(resolve))),
  };
  ws.on('message', (data) => {
    const message = JSON.parse(String(data)) as Record<string, unknown>;
    if (socket.onMessage) return socket.onMessage(message);
    const waiter = waiting.shift();
    if (waiter) waiter(message);
    else queue.push(message);
  });
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(socket));
    ws.once('error', reject);
  });
}
const send = (socket: Socket, message: unknown) => socket.ws.send(JSON.stringify(message));

/** What differs between the two relays: how a user's two sides connect. */
interface Subject {
  name: string;
  process: Fixture;
  url: string;
  /** A connected desktop and browser of one (new) user. */
  pair(): Promise<{ desktop: Socket; browser: Socket; userId: string }>;
  /** One more browser connection of an existing user (for the idle-memory count). */
  browser(userId: string, secret: string | undefined): Promise<Socket>;
}

async function startBaton(): Promise<Subject & { secretOf: Map<string, string> }> {
  const config = `${tmp.path}/relay.json`;
  // Limits raised to what a benchmark needs: it sends far more than a person typing.
  await writeFile(config, JSON.stringify({ port: 0, dataDir: `${tmp.path}/data`, limits: { messagesPerSecond: 1_000_000, burst: 1_000_000, maxConnections: 100_000 }, sessions: { maxPerUser: 100_000 } }));
  // BENCH_RELAY_NODE_ARGS: node options for the Baton relay's process (--cpu-prof, to see where its time goes).
  const nodeArgs = process.env.BENCH_RELAY_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  const child = spawnFixture(relayBin, ['--config', config], { env: { BATON_LOG_LEVEL: 'warn' }, nodeArgs });
  const line = await child.waitForLine(/listening on/, 15_000);
  const url = /listening on (\S+)\//.exec(line)![1]!.replace(/^http/, 'ws').replace('/web-dev-sync', '/web-dev-sync/ws');
  const secretOf = new Map<string, string>();
  return {
    name: 'Baton relay',
    process: child,
    url,
    secretOf,
    async pair() {
      const desktop = await open(url);
      send(desktop, { type: 'desktop_connect', payload: { protocol: 1 } });
      const ack = await desktop.next();
      const browser = await open(url);
      send(browser, { type: 'browser_connect', payload: { protocol: 1, pairingToken: (ack.payload as { pairingToken: string }).pairingToken } });
      const browserAck = await browser.next();
      secretOf.set(String(ack.userId), (browserAck.payload as { secret: string }).secret);
      return { desktop, browser, userId: String(ack.userId) };
    },
    async browser(userId, secret) {
      const browser = await open(url);
      send(browser, { type: 'browser_connect', payload: { protocol: 1, userId, secret } });
      await browser.next();
      return browser;
    },
  };
}

async function startMinimal(): Promise<Subject> {
  const child = spawnFixture(minimalBin, [], { nodeArgs: process.env.BENCH_MINIMAL_NODE_ARGS?.split(' ').filter(Boolean) ?? [] });
  const port = /port (\d+)/.exec(await child.waitForLine(/port \d+/, 15_000))![1];
  const url = `ws://127.0.0.1:${port}`;
  let users = 0;
  return {
    name: 'minimal relay (ws + JSON.parse + switch)',
    process: child,
    url,
    async pair() {
      const userId = `user-${++users}`;
      const desktop = await open(url);
      send(desktop, { type: 'desktop_connect', userId });
      await desktop.next();
      const browser = await open(url);
      send(browser, { type: 'browser_connect', userId });
      await browser.next();
      return { desktop, browser, userId };
    },
    async browser(userId) {
      const browser = await open(url);
      send(browser, { type: 'browser_connect', userId });
      await browser.next();
      return browser;
    },
  };
}

let sessionCounter = 0;
const newSessionId = () => `bench-session-${String(++sessionCounter).padStart(10, '0')}`;
const code = 'function greet(name) {\n  return `Hello, ${name}!`;\n}\n'.repeat(4);

/** A session for sequential round trips: the browser sends an update, the desktop answers with one. */
async function latencySession(subject: Subject): Promise<{ run(count: number): Promise<number[]>; close(): void }> {
  const { desktop, browser } = await subject.pair();
  const sessionId = newSessionId();
  send(browser, { type: 'edit_request', sessionId, payload: { fieldId: 'f', type: 'javascript', code, version: 0 } });
  await desktop.next();
  desktop.onMessage = (m) => {
    const p = m.payload as { version: number; updateId: string };
    send(desktop, { type: 'code_update', sessionId, payload: { code, baseVersion: p.version, version: p.version + 1, updateId: p.updateId } });
  };
  let version = 0;
  return {
    async run(count) {
      const samples: number[] = [];
      for (let i = 0; i < count; i++) {
        const started = performance.now();
        const reply = browser.next();
        send(browser, { type: 'code_update', sessionId, payload: { code, baseVersion: version, version: version + 1, updateId: `bench-update-${String(version).padStart(8, '0')}` } });
        version += 2;
        await reply;
        samples.push(performance.now() - started);
      }
      return samples;
    },
    close() {
      desktop.ws.close();
      browser.ws.close();
    },
  };
}

/** `count` new users, each with its desktop and page connected and one field open. */
async function openSessions(subject: Subject, count: number): Promise<Array<{ desktop: Socket; browser: Socket; sessionId: string }>> {
  const pairs: Array<{ desktop: Socket; browser: Socket; sessionId: string }> = [];
  for (let i = 0; i < count; i++) {
    const pair = await subject.pair();
    const sessionId = newSessionId();
    send(pair.browser, { type: 'edit_request', sessionId, payload: { fieldId: 'f', type: 'javascript', code, version: 0 } });
    await pair.desktop.next();
    pairs.push({ ...pair, sessionId });
  }
  return pairs;
}

/** Every session in a closed loop (one message in flight each) for `seconds`: messages routed per second. */
async function throughput(subject: Subject): Promise<{ perSecond: number; pairs: Array<{ desktop: Socket; browser: Socket }> }> {
  const pairs = await openSessions(subject, sessions);
  let routed = 0;
  let running = true;
  for (const { desktop, browser, sessionId } of pairs) {
    let version = 0;
    const step = () => send(desktop, { type: 'code_update', sessionId, payload: { code, baseVersion: version, version: ++version, updateId: `bench-update-${String(version).padStart(8, '0')}` } });
    browser.onMessage = (m) => {
      routed++;
      const p = m.payload as { updateId: string; version: number };
      send(browser, { type: 'code_ack', sessionId, payload: { updateId: p.updateId, status: 'applied', version: p.version } });
    };
    desktop.onMessage = () => {
      routed++;
      if (running) step();
    };
    step();
  }
  const started = performance.now();
  await sleep(seconds * 1000);
  running = false;
  const elapsed = (performance.now() - started) / 1000;
  const perSecond = routed / elapsed;
  await sleep(200);
  return { perSecond, pairs };
}

/** CPU time (user + system) the process `pid` has used, in ms. */
async function cpuMsOf(pid: number): Promise<number> {
  const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]!.split(' ');
  // utime and stime are fields 14 and 15 of stat; after the command's ')' they are the 12th and 13th. Clock ticks: 100 a second.
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/**
 * `users` users at once, each saving once a second (staggered), the page acknowledging each save, for `paced`
 * seconds: per relay, the CPU it used per save and its RSS at the end.
 */
async function pacedSaves(subjects: Subject[]): Promise<Array<{ cpuMsPerSave: number; rss: number; saves: number }>> {
  const all = await Promise.all(subjects.map((subject) => openSessions(subject, users)));
  const counts = subjects.map(() => 0);
  const timers: NodeJS.Timeout[] = [];
  // Both relays' user i save at the same moment; which relay gets its message first alternates from user to user, so
  // that neither is always the one woken while this process, still sending to the other, wants the same two cores.
  for (let i = 0; i < users; i++) {
    for (const s of i % 2 === 0 ? [0, 1] : [1, 0]) {
      const { desktop, browser, sessionId } = all[s]![i]!;
      let version = 0;
      browser.onMessage = (m) => {
        counts[s]!++;
        const p = m.payload as { updateId: string; version: number };
        send(browser, { type: 'code_ack', sessionId, payload: { updateId: p.updateId, status: 'applied', version: p.version } });
      };
      desktop.onMessage = (m) => { if (process.env.BENCH_DEBUG && i === 0) progress(JSON.stringify(m)); };
      const saveOnce = () => send(desktop, { type: 'code_update', sessionId, payload: { code, baseVersion: version, version: ++version, updateId: `paced-update-${String(version).padStart(8, '0')}` } });
      timers.push(setTimeout(() => timers.push(setInterval(saveOnce, 1000)), (i * 1000) / users));
    }
  }
  await sleep(2000); // every user saving
  const before = await Promise.all(subjects.map((subject) => cpuMsOf(subject.process.pid)));
  const countsBefore = [...counts];
  await sleep(pacedSeconds * 1000);
  const after = await Promise.all(subjects.map((subject) => cpuMsOf(subject.process.pid)));
  const rss = await Promise.all(subjects.map((subject) => rssOf(subject.process.pid)));
  for (const timer of timers) clearInterval(timer);
  for (const pairs of all) {
    for (const { desktop, browser } of pairs) {
      desktop.ws.terminate();
      browser.ws.terminate();
    }
  }
  return subjects.map((_, s) => {
    const saved = counts[s]! - countsBefore[s]!;
    return { cpuMsPerSave: (after[s]! - before[s]!) / saved, rss: rss[s]!, saves: saved };
  });
}

async function rssOf(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) * 1024;
}

/** RSS of the relay process per idle (connected, said hello) connection. */
async function idleMemory(subject: Subject, userId: string, secret: string | undefined): Promise<number> {
  const before = await rssOf(subject.process.pid);
  const sockets: Socket[] = [];
  for (let i = 0; i < idleConnections; i += 200) {
    sockets.push(...(await Promise.all(Array.from({ length: Math.min(200, idleConnections - i) }, () => subject.browser(userId, secret)))));
  }
  await sleep(1000);
  const after = await rssOf(subject.process.pid);
  for (const socket of sockets) socket.ws.terminate();
  return (after - before) / idleConnections;
}

async function saveToField(): Promise<number[]> {
  const relay = await startBaton();
  const editDir = `${tmp.path}/edit`;
  const desktop = spawnFixture(desktopBin, ['--relay', relay.url, '--dir', editDir, '--credentials', `${tmp.path}/desktop.json`, '--editor', 'true'], { env: { BATON_LOG_LEVEL: 'warn' } });
  const token = /pairing token: (\S+)/.exec(await desktop.waitForLine(/pairing token: /, 15_000))![1]!;
  const browser = await chromium.launch({ executablePath: findBrowser(), args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'] });
  try {
    const page = await browser.newPage();
    await page.goto(relay.url.replace(/^ws/, 'http').replace('/ws', '/'));
    await page.fill('#token', token);
    await page.click('#pair button[type=submit]');
    await page.waitForSelector('#status[data-status="connected"]');
    await page.click('[data-edit="script"]');
    await desktop.waitForLine(/editing script/);
    const [name] = (await readdir(editDir)).filter((n) => n.startsWith('script-'));
    const file = `${editDir}/${name}`;
    const samples: number[] = [];
    for (let i = 0; i < saves; i++) {
      const text = `save ${i}\n`;
      const fired = page.waitForFunction((t) => (document.getElementById('script') as HTMLTextAreaElement).value === t && performance.timeOrigin + performance.now(), text, { polling: 'raf' });
      await writeFile(`${file}.tmp`, text);
      const savedAt = Date.now();
      await rename(`${file}.tmp`, file);
      const at = (await (await fired).jsonValue()) as number;
      samples.push(at - savedAt);
      await sleep(100);
    }
    return samples;
  } finally {
    await browser.close();
    desktop.kill('SIGTERM');
    relay.process.kill('SIGTERM');
    await Promise.all([desktop.exited, relay.process.exited]);
  }
}

const rows: Row[] = [];
const extra: Record<string, unknown> = {};
try {
  if (!only || only === 'paced') {
    // Fresh processes of their own: what users at a person's pace cost each relay.
    const subjects = [await startBaton(), await startMinimal()];
    progress(`${users} users, one save a second each, ${pacedSeconds} s, both relays at once`);
    const [baton, minimal] = (await pacedSaves(subjects)) as [Awaited<ReturnType<typeof pacedSaves>>[number], Awaited<ReturnType<typeof pacedSaves>>[number]];
    const pacedRows: Row[] = [
      { relay: subjects[0]!.name, 'CPU per save (ms)': round(baton.cpuMsPerSave, 3), 'RSS (MiB)': round(baton.rss / 2 ** 20, 1), saves: baton.saves },
      { relay: subjects[1]!.name, 'CPU per save (ms)': round(minimal.cpuMsPerSave, 3), 'RSS (MiB)': round(minimal.rss / 2 ** 20, 1), saves: minimal.saves },
      { relay: 'ratio Baton / minimal', 'CPU per save (ms)': round(baton.cpuMsPerSave / minimal.cpuMsPerSave, 2), 'RSS (MiB)': round(baton.rss / minimal.rss, 2), saves: '' },
    ];
    extra.paced = { users, seconds: pacedSeconds, baton, minimal };
    process.stdout.write(`\n${machineDescription()}\n\n${markdownTable(pacedRows)}\n`);
    for (const subject of subjects) subject.process.kill('SIGTERM');
    await Promise.all(subjects.map((subject) => subject.process.exited));
  }
  if (only !== 'paced') {
  const subjects = [await startBaton(), await startMinimal()];
  const results = new Map(subjects.map((subject) => [subject, { samples: [] as number[], perSecond: [] as number[], bytesPerConnection: 0 }]));
  // Alternating blocks, both relays up: a drift of the machine (or of this process's JIT) hits both alike.
  progress(`latency: ${roundTrips} round trips each, in 10 alternating blocks`);
  const latencySessions = await Promise.all(subjects.map((subject) => latencySession(subject)));
  for (let block = 0; block < 10; block++) {
    for (const [i, subject] of subjects.entries()) results.get(subject)!.samples.push(...(await latencySessions[i]!.run(Math.ceil(roundTrips / 10))));
  }
  for (const session of latencySessions) session.close();
  for (const subject of [...subjects, ...[...subjects].reverse()]) {
    progress(`${subject.name}: throughput (${sessions} sessions, ${seconds} s)`);
    const { perSecond, pairs } = await throughput(subject);
    results.get(subject)!.perSecond.push(perSecond);
    for (const { desktop, browser } of pairs) {
      desktop.ws.terminate();
      browser.ws.terminate();
    }
    await sleep(500);
  }
  for (const [i, subject] of subjects.entries()) {
    subject.process.kill('SIGTERM');
    await subject.process.exited;
    // A fresh process: one that carried the throughput run keeps the memory it grew to, and new connections reuse it.
    const fresh = await [startBaton, startMinimal][i]!();
    progress(`${fresh.name}: memory (${idleConnections} idle connections, a fresh process)`);
    const owner = await fresh.pair();
    const secret = 'secretOf' in fresh ? (fresh as Awaited<ReturnType<typeof startBaton>>).secretOf.get(owner.userId) : undefined;
    results.get(subject)!.bytesPerConnection = await idleMemory(fresh, owner.userId, secret);
    owner.desktop.ws.terminate();
    owner.browser.ws.terminate();
    fresh.process.kill('SIGTERM');
    await fresh.process.exited;
  }
  const summary = (subject: Subject) => {
    const r = results.get(subject)!;
    return { p50: percentile(r.samples, 50), p99: percentile(r.samples, 99), perSecond: r.perSecond.reduce((a, b) => a + b, 0) / r.perSecond.length, bytesPerConnection: r.bytesPerConnection };
  };
  const [baton, minimal] = subjects.map(summary) as [ReturnType<typeof summary>, ReturnType<typeof summary>];
  for (const [subject, r] of [[subjects[0]!, baton], [subjects[1]!, minimal]] as const) {
    rows.push({
      relay: subject.name,
      'round trip p50 / p99 (ms)': `${round(r.p50, 2)} / ${round(r.p99, 2)}`,
      [`messages/s, ${sessions} sessions`]: Math.round(r.perSecond),
      [`KiB per idle connection (${idleConnections})`]: round(r.bytesPerConnection / 1024, 1),
    });
  }
  rows.push({
    relay: 'ratio Baton / minimal',
    'round trip p50 / p99 (ms)': `${round(baton.p50 / minimal.p50, 2)} / ${round(baton.p99 / minimal.p99, 2)}`,
    [`messages/s, ${sessions} sessions`]: round(baton.perSecond / minimal.perSecond, 2),
    [`KiB per idle connection (${idleConnections})`]: round(baton.bytesPerConnection / minimal.bytesPerConnection, 2),
  });
  progress(`save to field (${saves} saves, Chromium)`);
  const endToEnd = await saveToField();
  extra.saveToField = { p50: round(percentile(endToEnd, 50)), p99: round(percentile(endToEnd, 99)), max: round(Math.max(...endToEnd)) };
  process.stdout.write(`\n${machineDescription()}\n\n${markdownTable(rows)}\n\nsave to field (editor rename -> page value), ${saves} saves: p50 ${round(percentile(endToEnd, 50))} ms, p99 ${round(percentile(endToEnd, 99))} ms, max ${round(Math.max(...endToEnd))} ms\n`);
  progress(`wrote ${writeBenchResults(packageDir, 'relay', rows, extra)}`);
  }
} finally {
  await killAllFixtures();
  await tmp.cleanup();
}
