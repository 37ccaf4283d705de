import { afterEach, describe, expect, it } from '@jest/globals';
import { appendFile, readdir, readFile, stat } from 'node:fs/promises';
import { request } from 'node:http';
import { makeTempDir, sleep, waitFor } from '@baton/test-utils';
import { openStore } from '@baton/state';
import { RawClient, pairBrowser, registerDesktop, sessionId, startRelay, type RawMessage, type TestRelay } from './helpers.js';

let relays: TestRelay[] = [];
let clients: RawClient[] = [];
afterEach(async () => {
  for (const client of clients) client.close();
  clients = [];
  await Promise.all(relays.map((r) => r.cleanup()));
  relays = [];
});

async function relayWith(overrides: Record<string, unknown> = {}): Promise<TestRelay> {
  const relay = await startRelay(overrides);
  relays.push(relay);
  return relay;
}
function track<T extends { desktop?: RawClient; browser?: RawClient }>(value: T): T {
  if (value.desktop) clients.push(value.desktop);
  if (value.browser) clients.push(value.browser);
  return value;
}

/** A user: desktop registered, browser paired. */
async function user(ws: string) {
  const desktop = track(await registerDesktop(ws));
  const browser = track(await pairBrowser(ws, desktop.token));
  return { ...desktop, browser: browser.browser, browserSecret: browser.secret };
}

describe('pairing', () => {
  it('pairs a browser through the token the desktop was given, once; both resume with their credentials', async () => {
    const { ws, relay } = await relayWith();
    const { userId, secret, token, desktop } = track(await registerDesktop(ws));
    expect(token).toMatch(/^[A-Z2-9]{4}-[A-Z2-9]{4}$/);
    const paired = track(await pairBrowser(ws, token.toLowerCase().replace('-', ' ')));
    expect(paired.userId).toBe(userId);

    // The token is spent.
    const again = await RawClient.open(ws);
    clients.push(again);
    again.send({ type: 'browser_connect', payload: { protocol: 1, pairingToken: token } });
    expect((await again.next('error')).payload).toMatchObject({ code: 'PAIRING_FAILED', retryable: false });
    expect((await again.closed).code).toBe(1008);

    // Credentials resume, and they are not kept in the clear.
    desktop.close();
    const resumedDesktop = await RawClient.open(ws);
    clients.push(resumedDesktop);
    resumedDesktop.send({ type: 'desktop_connect', payload: { protocol: 1, userId, secret } });
    expect((await resumedDesktop.next('connection_ack')).payload).not.toHaveProperty('secret');
    const resumedBrowser = await RawClient.open(ws);
    clients.push(resumedBrowser);
    resumedBrowser.send({ type: 'browser_connect', payload: { protocol: 1, userId, secret: paired.secret } });
    expect((await resumedBrowser.next('connection_ack')).payload).toMatchObject({ role: 'browser', desktopConnected: true });
    const dataDir = `${relays[0]!.dir.path}/data`;
    const stored = (await Promise.all((await readdir(dataDir)).map((name) => readFile(`${dataDir}/${name}`, 'latin1')))).join('\n');
    expect(stored).toContain(userId);
    expect(stored).not.toContain(secret);
    expect(stored).not.toContain(paired.secret);
    expect(relay.status().pairedUsers).toBe(1);
  });

  it('10,000 registrations from one process cost O(1) each and leave pairing and resuming working, across a restart', async () => {
    const test = await relayWith();
    // Real users: one paired, one registered and still connected (waiting for its page).
    const paired = await user(test.ws);
    const waiting = track(await registerDesktop(test.ws));
    const flood = 10_000;
    const started = performance.now();
    const rates: number[] = [];
    let done = 0;
    await Promise.all(
      Array.from({ length: 25 }, async () => {
        while (done < flood) {
          done++;
          const bogus = await RawClient.open(test.ws);
          bogus.send({ type: 'desktop_connect', payload: { protocol: 1 } });
          await bogus.next('connection_ack');
          bogus.close();
          await bogus.closed;
          if (done % 2000 === 0) rates.push(done / ((performance.now() - started) / 1000));
        }
      }),
    );
    // Kept bounded (20 per address by default), each stored as one line: the last thousands as fast as the first.
    expect(test.relay.status().unpairedDesktops).toBeLessThanOrEqual(20);
    expect(rates.at(-1)!).toBeGreaterThan(rates[0]! * 0.5);
    const { size } = await stat(`${test.dir.path}/data/registrations.ndjson`);
    expect(size).toBeLessThan(200_000);
    // The connected registration was never the one dropped: its page pairs.
    const page = track(await pairBrowser(test.ws, waiting.token));
    expect(page.userId).toBe(waiting.userId);
    // The paired user resumes, before and after a restart; a new desktop registers and pairs.
    const check = async (ws: string) => {
      const desktop = await RawClient.open(ws);
      clients.push(desktop);
      desktop.send({ type: 'desktop_connect', payload: { protocol: 1, userId: paired.userId, secret: paired.secret } });
      await desktop.next('connection_ack');
      const browser = await RawClient.open(ws);
      clients.push(browser);
      browser.send({ type: 'browser_connect', payload: { protocol: 1, userId: paired.userId, secret: paired.browserSecret } });
      expect((await browser.next('connection_ack')).payload).toMatchObject({ role: 'browser' });
      const fresh = track(await registerDesktop(ws));
      expect(track(await pairBrowser(ws, fresh.token)).userId).toBe(fresh.userId);
    };
    await check(test.ws);
    for (const client of clients) client.close();
    clients = [];
    const restarted = await test.restart();
    relays.push(restarted);
    await check(restarted.ws);
    expect(restarted.relay.status().unpairedDesktops).toBeLessThanOrEqual(20);
  }, 180_000);

  it('a pairing store that registrations filled (an earlier relay) is emptied of them at start: new desktops register and pair', async () => {
    const dir = await makeTempDir('devsync-relay-');
    const hex = (n: number) => n.toString(16).padStart(64, '0');
    const store = await openStore<{ users: Record<string, unknown> }>({ dir: `${dir.path}/data`, name: 'pairings', initial: { users: {} }, watch: false });
    const users = Object.fromEntries(Array.from({ length: 4000 }, (_, i) => [`bogus-user-${String(i).padStart(8, '0')}`, { desktop: hex(i), browsers: [], pairing: { hash: hex(i + 1), expiresAt: Date.now() + 60_000 }, createdAt: Date.now() - 4000 + i }]));
    await store.set({ users });
    await store.close();
    const test = await startRelay({}, dir);
    relays.push(test);
    expect(test.relay.status()).toMatchObject({ pairedUsers: 0, unpairedDesktops: 20 });
    const fresh = track(await registerDesktop(test.ws));
    expect(track(await pairBrowser(test.ws, fresh.token)).userId).toBe(fresh.userId);
    expect(test.relay.status().pairedUsers).toBe(1);
  });

  it('a registrations file cut off by a crash loses only the cut line: earlier desktops resume, new ones register', async () => {
    const first = await startRelay();
    const kept = await registerDesktop(first.ws);
    kept.desktop.close();
    await kept.desktop.closed;
    const second = await first.restart();
    relays.push(second);
    await second.stop();
    // What a crash in the middle of an append leaves: half a line.
    await appendFile(`${second.dir.path}/data/registrations.ndjson`, '{"add":"cut-off-user-000001","desktop":"ab');
    const third = await second.restart();
    relays.push(third);
    const resumed = await RawClient.open(third.ws);
    clients.push(resumed);
    resumed.send({ type: 'desktop_connect', payload: { protocol: 1, userId: kept.userId, secret: kept.secret } });
    expect((await resumed.next('connection_ack')).userId).toBe(kept.userId);
    const fresh = track(await registerDesktop(third.ws));
    expect(track(await pairBrowser(third.ws, fresh.token)).userId).toBe(fresh.userId);
    expect(await readFile(`${third.dir.path}/data/registrations.ndjson`, 'utf8')).not.toContain('cut-off-user');
  });

  it('unpaired registrations expire unless connected; the oldest unconnected goes first when an address is at its limit', async () => {
    const test = await relayWith({ pairing: { maxUnpairedPerAddress: 3, unpairedTtlMs: 300 } });
    const connected = track(await registerDesktop(test.ws));
    const gone = [];
    for (let i = 0; i < 2; i++) {
      const r = await registerDesktop(test.ws);
      r.desktop.close();
      await r.desktop.closed;
      gone.push(r);
    }
    // A fourth: the oldest not connected (gone[0]) makes room, not the connected one.
    const fourth = track(await registerDesktop(test.ws));
    await expect(pairBrowser(test.ws, gone[0]!.token)).rejects.toThrow(/PAIRING_FAILED/);
    expect(track(await pairBrowser(test.ws, connected.token)).userId).toBe(connected.userId);
    // After the time to live, the unconnected one is forgotten; the connected one is kept.
    await waitFor(() => test.relay.status().unpairedDesktops === 1, { timeoutMs: 5000, what: 'the unconnected registration expired' });
    const resume = await RawClient.open(test.ws);
    clients.push(resume);
    resume.send({ type: 'desktop_connect', payload: { protocol: 1, userId: gone[1]!.userId, secret: gone[1]!.secret } });
    expect((await resume.next('error')).payload).toMatchObject({ code: 'AUTH_FAILED' });
    expect(track(await pairBrowser(test.ws, fourth.token)).userId).toBe(fourth.userId);
  });

  it('refuses wrong credentials, an expired token, and a web page posing as a desktop', async () => {
    const { ws } = await relayWith({ pairing: { tokenTtlMs: 200 } });
    const { userId, token } = track(await registerDesktop(ws));
    const wrong = await RawClient.open(ws);
    clients.push(wrong);
    wrong.send({ type: 'browser_connect', payload: { protocol: 1, userId, secret: 'x'.repeat(43) } });
    expect((await wrong.next('error')).payload).toMatchObject({ code: 'AUTH_FAILED' });

    await sleep(300);
    await expect(pairBrowser(ws, token)).rejects.toThrow(/PAIRING_FAILED/);

    const page = await RawClient.open(ws, { origin: new URL(ws.replace('ws', 'http')).origin });
    clients.push(page);
    page.send({ type: 'desktop_connect', payload: { protocol: 1 } });
    expect((await page.next('error')).payload).toMatchObject({ code: 'FORBIDDEN' });
  });

  it('a desktop asks for a fresh token with pair: true; a guesser is slowed, and cannot lock out the right token from its address', async () => {
    const { ws } = await relayWith({ limits: { pairingFailuresPerMinute: 3 } });
    const { userId, secret, desktop } = track(await registerDesktop(ws));
    desktop.close();
    const resumed = await RawClient.open(ws);
    clients.push(resumed);
    resumed.send({ type: 'desktop_connect', payload: { protocol: 1, userId, secret, pair: true } });
    const fresh = String((await resumed.next('connection_ack')).payload!.pairingToken);
    const wrong = async () => {
      const started = performance.now();
      await expect(pairBrowser(ws, 'WRNG-TOKN')).rejects.toThrow(/unknown or expired/);
      return performance.now() - started;
    };
    for (let i = 0; i < 3; i++) expect(await wrong()).toBeLessThan(900);
    // Past the free ones, each wrong answer waits twice as long as the last.
    const fourth = await wrong();
    const fifth = await wrong();
    expect(fourth).toBeGreaterThan(900);
    expect(fifth).toBeGreaterThan(1900);
    // The right token, from the same address, pairs at once.
    const started = performance.now();
    expect(track(await pairBrowser(ws, fresh)).userId).toBe(userId);
    expect(performance.now() - started).toBeLessThan(900);
  }, 30_000);

  it('behind a trusted proxy, guesses are slowed per forwarded address: one client guessing does not slow another', async () => {
    const { ws } = await relayWith({ trustedProxies: ['127.0.0.1'], limits: { pairingFailuresPerMinute: 1 } });
    const guess = async (forwardedFor: string) => {
      const page = await RawClient.open(ws, { headers: { 'x-forwarded-for': forwardedFor } });
      clients.push(page);
      const started = performance.now();
      page.send({ type: 'browser_connect', payload: { protocol: 1, pairingToken: 'WRNG-TOKN' } });
      expect((await page.next('error', 10_000)).payload).toMatchObject({ code: 'PAIRING_FAILED' });
      return performance.now() - started;
    };
    // A client cannot pass itself off as another by writing its own X-Forwarded-For: the proxy's hop is the one taken.
    for (let i = 0; i < 3; i++) await guess(`10.9.9.9, 10.0.0.66`);
    expect(await guess('10.0.0.66')).toBeGreaterThan(1900);
    expect(await guess('10.0.0.7')).toBeLessThan(900);
  }, 30_000);

  it('of pages presenting the same token at once, exactly one is paired', async () => {
    // Two failures a round: the per-address limit is raised so that it is the redemption that refuses them.
    const { ws } = await relayWith({ limits: { pairingFailuresPerMinute: 100 } });
    for (let round = 0; round < 10; round++) {
      const { token } = track(await registerDesktop(ws));
      const pages = await Promise.all([RawClient.open(ws), RawClient.open(ws), RawClient.open(ws)]);
      clients.push(...pages);
      // Sent together: the relay sees all three before the first redemption is written.
      for (const page of pages) page.send({ type: 'browser_connect', payload: { protocol: 1, pairingToken: token } });
      const answers = await Promise.all(pages.map((page) => page.next((m) => m.type === 'connection_ack' || m.type === 'error')));
      expect(answers.filter((m) => m.type === 'connection_ack')).toHaveLength(1);
      expect(answers.filter((m) => m.type === 'error').map((m) => m.payload!.code)).toEqual(['PAIRING_FAILED', 'PAIRING_FAILED']);
    }
  });

  it("tells a user's pages when its desktop agent connects and goes away", async () => {
    const { ws } = await relayWith();
    const a = await user(ws);
    a.desktop.close();
    expect((await a.browser.next('desktop_status')).payload).toEqual({ connected: false });
    const back = await RawClient.open(ws);
    clients.push(back);
    back.send({ type: 'desktop_connect', payload: { protocol: 1, userId: a.userId, secret: a.secret } });
    await back.next('connection_ack');
    expect((await a.browser.next('desktop_status')).payload).toEqual({ connected: true });
    // Another user's page hears nothing of it.
    const b = await user(ws);
    back.close();
    await a.browser.next('desktop_status');
    await sleep(100);
    expect(b.browser.messages.filter((m) => m.type === 'desktop_status')).toEqual([]);
  });

  it('keeps pairings across a restart', async () => {
    const first = await startRelay();
    const { userId, secret, token } = await registerDesktop(first.ws);
    const paired = await pairBrowser(first.ws, token);
    const second = await first.restart();
    relays.push(second);
    const desktop = await RawClient.open(second.ws);
    clients.push(desktop);
    desktop.send({ type: 'desktop_connect', payload: { protocol: 1, userId, secret } });
    await desktop.next('connection_ack');
    const browser = await RawClient.open(second.ws);
    clients.push(browser);
    browser.send({ type: 'browser_connect', payload: { protocol: 1, userId, secret: paired.secret } });
    await browser.next('connection_ack');
  });
});

describe('routing', () => {
  it('routes edit requests to the desktop and updates back to the page, with the sender the relay knows', async () => {
    const { ws } = await relayWith();
    const a = await user(ws);
    const sid = sessionId(1);
    a.browser.send({ type: 'edit_request', sessionId: sid, payload: { fieldId: 'script', type: 'javascript', code: 'x', version: 0 } });
    const request = await a.desktop.next('edit_request');
    expect(request).toMatchObject({ sessionId: sid, userId: a.userId, payload: { fieldId: 'script', code: 'x' } });
    a.desktop.send({ type: 'code_update', sessionId: sid, payload: { code: 'y', baseVersion: 0, version: 1, updateId: 'update-0000000001' } });
    const update = await a.browser.next('code_update');
    expect(update).toMatchObject({ sessionId: sid, userId: a.userId, payload: { code: 'y', version: 1 } });
    // A sender naming a connection id of its own choosing: the forwarded message carries the relay's.
    a.browser.send({ type: 'code_ack', sessionId: sid, connectionId: 'claimed-connection-0001', payload: { updateId: 'update-0000000001', status: 'applied', version: 1 } });
    const ack = await a.desktop.next('code_ack');
    expect(ack.payload).toMatchObject({ status: 'applied' });
    expect(ack.connectionId).toBe(request.connectionId);
    expect(ack.connectionId).not.toBe('claimed-connection-0001');
    expect(ack.userId).toBe(a.userId);
    a.browser.send({ type: 'session_end', sessionId: sid, payload: { reason: 'closed' } });
    expect((await a.desktop.next('session_end')).payload).toEqual({ reason: 'closed' });
    a.desktop.send({ type: 'code_update', sessionId: sid, payload: { code: 'z', baseVersion: 1, version: 2, updateId: 'update-0000000002' } });
    expect((await a.desktop.next('error')).payload).toMatchObject({ code: 'SESSION_NOT_FOUND' });
  });

  it('keeps two users apart: no message of one reaches the other; a session id of one names, for the other, a session of their own', async () => {
    const { ws } = await relayWith();
    const a = await user(ws);
    const b = await user(ws);
    const sid = sessionId(2);
    a.browser.send({ type: 'edit_request', sessionId: sid, payload: { fieldId: 'f', type: 'css', code: 'secret of a', version: 0 } });
    await a.desktop.next('edit_request');
    // B's desktop sends into A's session, B's page claims it, B names A's user id: all refused.
    b.desktop.send({ type: 'code_update', sessionId: sid, payload: { code: 'evil', baseVersion: 0, version: 1, updateId: 'update-0000000003' } });
    expect((await b.desktop.next('error')).payload).toMatchObject({ code: 'SESSION_NOT_FOUND' });
    // B's page opening the same id opens B's own session, on B's desktop.
    b.browser.send({ type: 'edit_request', sessionId: sid, payload: { fieldId: 'f', type: 'css', code: 'take over', version: 0 } });
    expect(await b.desktop.next('edit_request')).toMatchObject({ sessionId: sid, userId: b.userId, payload: { code: 'take over' } });
    b.browser.send({ type: 'heartbeat', userId: a.userId, payload: {} });
    expect((await b.browser.next('error')).payload).toMatchObject({ code: 'FORBIDDEN' });
    // A page reconnecting with A's session id in its announcement does not get it either.
    const thief = await RawClient.open(ws);
    clients.push(thief);
    thief.send({ type: 'browser_connect', payload: { protocol: 1, userId: b.userId, secret: b.browserSecret, sessions: [{ sessionId: sid, fieldId: 'f', type: 'css', version: 0 }] } });
    await thief.next('connection_ack');
    // A's session is still A's: A's desktop reaches A's page.
    a.desktop.send({ type: 'code_update', sessionId: sid, payload: { code: 'for a only', baseVersion: 0, version: 1, updateId: 'update-0000000004' } });
    expect((await a.browser.next('code_update')).payload).toMatchObject({ code: 'for a only' });
    await sleep(100);
    for (const client of [b.desktop, b.browser, thief]) {
      expect(JSON.stringify(client.messages)).not.toContain('secret of a');
      expect(JSON.stringify(client.messages)).not.toContain('for a only');
    }
    expect(JSON.stringify(a.browser.messages)).not.toContain('evil');
    expect(JSON.stringify(a.desktop.messages)).not.toContain('take over');
    expect(a.desktop.messages.filter((m) => m.type === 'edit_request')).toHaveLength(1);
  });

  it('after a restart, another user announcing a session id first does not take that session: its own user still has it', async () => {
    const first = await startRelay();
    const v = await registerDesktop(first.ws);
    const vPage = await pairBrowser(first.ws, v.token);
    const a = await registerDesktop(first.ws);
    const aPage = await pairBrowser(first.ws, a.token);
    const sid = sessionId(9);
    vPage.browser.send({ type: 'edit_request', sessionId: sid, payload: { fieldId: 'f', type: 'css', code: 'v', version: 0 } });
    await v.desktop.next('edit_request');
    for (const c of [v.desktop, vPage.browser, a.desktop, aPage.browser]) c.close();
    const second = await first.restart();
    relays.push(second);
    const open = async (message: RawMessage) => {
      const client = await RawClient.open(second.ws);
      clients.push(client);
      client.send(message);
      return { client, ack: await client.next('connection_ack') };
    };
    // A, who learned V's session id, announces it before V's page is back.
    const aBack = await open({ type: 'browser_connect', payload: { protocol: 1, userId: aPage.userId, secret: aPage.secret, sessions: [{ sessionId: sid, fieldId: 'f', type: 'css', version: 0 }] } });
    expect(aBack.ack.payload!.sessions).toEqual([sid]);
    const vBack = await open({ type: 'browser_connect', payload: { protocol: 1, userId: vPage.userId, secret: vPage.secret, sessions: [{ sessionId: sid, fieldId: 'f', type: 'css', version: 0 }] } });
    expect(vBack.ack.payload!.sessions).toEqual([sid]);
    const vDesktop = await open({ type: 'desktop_connect', payload: { protocol: 1, userId: v.userId, secret: v.secret } });
    vDesktop.client.send({ type: 'code_update', sessionId: sid, payload: { code: 'saved by v', baseVersion: 0, version: 1, updateId: 'update-0000000009' } });
    expect((await vBack.client.next('code_update')).payload).toMatchObject({ code: 'saved by v' });
    await sleep(100);
    expect(JSON.stringify(aBack.client.messages)).not.toContain('saved by v');
  });

  it('answers NO_DESKTOP when the user has no desktop connected, and NOT_PAIRED before a hello', async () => {
    const { ws } = await relayWith();
    const a = await user(ws);
    a.desktop.close();
    await sleep(50);
    a.browser.send({ type: 'edit_request', sessionId: sessionId(3), payload: { fieldId: 'f', type: 'css', code: '', version: 0 } });
    expect((await a.browser.next('error')).payload).toMatchObject({ code: 'NO_DESKTOP', retryable: true });
    const anonymous = await RawClient.open(ws);
    clients.push(anonymous);
    anonymous.send({ type: 'edit_request', sessionId: sessionId(4), payload: { fieldId: 'f', type: 'css', code: '', version: 0 } });
    expect((await anonymous.next('error')).payload).toMatchObject({ code: 'NOT_PAIRED' });
  });

  it('a newer desktop connection of the same user replaces the older one', async () => {
    const { ws } = await relayWith();
    const a = await user(ws);
    const second = await RawClient.open(ws);
    clients.push(second);
    second.send({ type: 'desktop_connect', payload: { protocol: 1, userId: a.userId, secret: a.secret } });
    await second.next('connection_ack');
    expect((await a.desktop.closed).code).toBe(4002);
    a.browser.send({ type: 'edit_request', sessionId: sessionId(5), payload: { fieldId: 'f', type: 'css', code: 'c', version: 0 } });
    await second.next('edit_request');
  });
});

describe('limits and bad input', () => {
  it('answers 1000 malformed messages with errors and stays up for everyone', async () => {
    const { ws, relay } = await relayWith({ limits: { messagesPerSecond: 100_000, burst: 100_000 } });
    const a = await user(ws);
    const bad = [
      'not json',
      '{',
      '[]',
      'null',
      '42',
      '{"type":"nope","payload":{}}',
      '{"type":"edit_request","payload":{}}',
      '{"type":"edit_request","sessionId":"short","payload":{"fieldId":"f","type":"css","code":"","version":0}}',
      `{"type":"code_update","sessionId":"${sessionId(6)}","payload":{"code":1,"baseVersion":-1,"version":"x","updateId":"u"}}`,
      '{"type":"heartbeat","payload":{"at":"x"},"extra":true}',
      '{"type":"browser_connect","payload":{"protocol":1}}',
      `{"type":"connection_ack","payload":{"role":"browser","heartbeatMs":1,"maxCodeBytes":1}}`,
      '\u0000\u0001\u0002',
      '{"__proto__":{"polluted":true},"type":"heartbeat"}',
    ];
    for (let i = 0; i < 1000; i++) a.browser.send(bad[i % bad.length]!);
    await waitFor(() => a.browser.messages.filter((m) => m.type === 'error').length >= 1000, { timeoutMs: 10_000 });
    const errors = a.browser.messages.filter((m) => m.type === 'error');
    expect(new Set(errors.map((m) => m.payload!.code))).toEqual(new Set(['INVALID_MESSAGE']));
    expect(errors.find((m) => String(m.payload!.message).includes('unknown type'))!.payload!.message).toMatch(/unknown type 'nope'/);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    // Still routing, for this user and for a new one.
    a.browser.send({ type: 'edit_request', sessionId: sessionId(7), payload: { fieldId: 'f', type: 'css', code: 'ok', version: 0 } });
    await a.desktop.next('edit_request');
    await user(ws);
    expect(relay.status().connections.browser).toBe(2);
  });

  it('refuses code over maxCodeBytes (CODE_TOO_LARGE) and closes on frames over maxMessageBytes (1009)', async () => {
    const { ws } = await relayWith({ limits: { maxCodeBytes: 1000, maxMessageBytes: 4000 } });
    const a = await user(ws);
    a.browser.send({ type: 'edit_request', sessionId: sessionId(8), payload: { fieldId: 'f', type: 'css', code: 'é'.repeat(501), version: 0 } });
    expect((await a.browser.next('error')).payload).toMatchObject({ code: 'CODE_TOO_LARGE' });
    a.browser.send('x'.repeat(5000));
    expect((await a.browser.closed).code).toBe(1009);
  });

  it('rate-limits a connection: over the burst, messages are dropped with RATE_LIMITED; a flood is disconnected', async () => {
    const { ws } = await relayWith({ limits: { messagesPerSecond: 5, burst: 10 } });
    const a = await user(ws);
    for (let i = 0; i < 30; i++) a.browser.send({ type: 'heartbeat', payload: {} });
    await a.browser.next('error');
    await sleep(100);
    const heartbeats = a.browser.messages.filter((m) => m.type === 'heartbeat').length;
    // The hello took one token.
    // 9 tokens at once, plus 5 a second refilled while the burst is handled (a busy machine is slower).
    expect(heartbeats).toBeLessThanOrEqual(14);
    expect(heartbeats).toBeGreaterThanOrEqual(8);
    expect(a.browser.messages.filter((m) => m.type === 'error').map((m) => m.payload!.code)).toEqual(['RATE_LIMITED']);
    for (let i = 0; i < 1100; i++) a.browser.send({ type: 'heartbeat', payload: {} });
    expect((await a.browser.closed).code).toBe(1008);
    // The other side of the same user is not affected.
    a.desktop.send({ type: 'heartbeat', payload: {} });
    await a.desktop.next('heartbeat');
  });
});

describe('sessions', () => {
  it('ends a session nobody used for idleTimeoutMs, telling both sides', async () => {
    const { ws, relay } = await relayWith({ sessions: { idleTimeoutMs: 300 } });
    const a = await user(ws);
    a.browser.send({ type: 'edit_request', sessionId: sessionId(9), payload: { fieldId: 'f', type: 'css', code: '', version: 0 } });
    await a.desktop.next('edit_request');
    expect(relay.status().sessions).toBe(1);
    expect((await a.desktop.next('session_end', 3000)).payload).toEqual({ reason: 'expired' });
    expect((await a.browser.next('session_end', 3000)).payload).toEqual({ reason: 'expired' });
    expect(relay.status().sessions).toBe(0);
  });

  it('keeps a session whose page went away for browserGraceMs: a reconnecting page takes it back, else it ends', async () => {
    const { ws } = await relayWith({ sessions: { browserGraceMs: 400 } });
    const a = await user(ws);
    const kept = sessionId(10);
    const lost = sessionId(11);
    for (const sid of [kept, lost]) {
      a.browser.send({ type: 'edit_request', sessionId: sid, payload: { fieldId: sid, type: 'css', code: '', version: 0 } });
      await a.desktop.next('edit_request');
    }
    a.browser.close();
    await sleep(100);
    a.desktop.send({ type: 'code_update', sessionId: kept, payload: { code: 'while away', baseVersion: 0, version: 1, updateId: 'update-0000000004' } });
    expect((await a.desktop.next('error')).payload).toMatchObject({ code: 'NO_BROWSER', retryable: true });
    const back = await RawClient.open(ws);
    clients.push(back);
    back.send({ type: 'browser_connect', payload: { protocol: 1, userId: a.userId, secret: a.browserSecret, sessions: [{ sessionId: kept, fieldId: kept, type: 'css', version: 0 }] } });
    expect((await back.next('connection_ack')).payload!.sessions).toEqual([kept]);
    expect(await a.desktop.next((m) => m.type === 'session_end' && m.sessionId === lost, 3000)).toMatchObject({ payload: { reason: 'browser_gone' } });
    a.desktop.send({ type: 'code_update', sessionId: kept, payload: { code: 'back', baseVersion: 0, version: 1, updateId: 'update-0000000005' } });
    expect((await back.next('code_update')).payload!.code).toBe('back');
  });
});

describe('heartbeats', () => {
  it('a silent peer that answers no ping is closed within three rounds; one that is heard from is never pinged; a silent live one is pinged and kept', async () => {
    const { ws } = await relayWith({ heartbeatMs: 200 });
    const pingsTo = (client: RawClient) => {
      const counter = { pings: 0 };
      client.socket.on('ping', () => counter.pings++);
      return counter;
    };
    const dead = await RawClient.open(ws, { autoPong: false });
    const busy = await RawClient.open(ws, { autoPong: false });
    const quiet = await RawClient.open(ws);
    clients.push(dead, busy, quiet);
    const [busyPings, quietPings] = [pingsTo(busy), pingsTo(quiet)];
    const talking = setInterval(() => busy.send({ type: 'heartbeat' }), 100);
    const openedAt = performance.now();
    try {
      expect((await dead.closed).code).toBe(1006);
      const closedAfter = performance.now() - openedAt;
      expect(closedAfter).toBeGreaterThanOrEqual(200);
      expect(closedAfter).toBeLessThan(3 * 200 + 500);
      await sleep(1200);
      expect(busy.socket.readyState).toBe(busy.socket.OPEN);
      expect(busyPings.pings).toBe(0);
      expect(quiet.socket.readyState).toBe(quiet.socket.OPEN);
      expect(quietPings.pings).toBeGreaterThanOrEqual(2);
    } finally {
      clearInterval(talking);
    }
  });
});

describe('origins, endpoints and shutdown', () => {
  it('refuses a WebSocket from an origin not allowed, accepts an allowed one and clients without an Origin', async () => {
    const { ws } = await relayWith({ allowedOrigins: ['https://app.example.com'] });
    await expect(RawClient.open(ws, { origin: 'https://evil.example.com' })).rejects.toMatchObject({ status: 403 });
    clients.push(await RawClient.open(ws, { origin: 'https://app.example.com' }), await RawClient.open(ws));
  });

  it('answers /status with counts; /debug only to the admin token (off without one), showing no ids a user proves itself with', async () => {
    const off = await relayWith();
    expect((await fetch(`${off.relay.url}/debug`)).status).toBe(403);
    const { ws, relay } = await relayWith({ adminToken: 'a-very-long-admin-token' });
    const a = await user(ws);
    a.browser.send({ type: 'edit_request', sessionId: sessionId(3), payload: { fieldId: 'f', type: 'css', code: 'x', version: 0 } });
    await a.desktop.next('edit_request');
    const status = (await (await fetch(`${relay.url}/status`)).json()) as Record<string, unknown>;
    expect(status).toMatchObject({ connections: { browser: 1, desktop: 1, unpaired: 0 }, users: 1, pairedUsers: 1, sessions: 1 });
    expect(status.uptimeSeconds).toEqual(expect.any(Number));
    // Loopback alone is not enough: any local process (or a page it serves) could read it.
    expect((await fetch(`${relay.url}/debug`)).status).toBe(403);
    expect((await fetch(`${relay.url}/debug`, { headers: { 'x-forwarded-for': '203.0.113.9' } })).status).toBe(403);
    const authorized = await fetch(`${relay.url}/debug`, { headers: { 'x-forwarded-for': '203.0.113.9', authorization: 'Bearer a-very-long-admin-token' } });
    expect(authorized.status).toBe(200);
    const body = await authorized.text();
    expect((JSON.parse(body) as { connections: unknown[] }).connections).toHaveLength(2);
    expect(body).not.toContain(a.userId);
    expect(body).not.toContain(sessionId(3));
    // A page of another origin reads nothing, whatever it asks for.
    const fromPage = await new Promise<number>((resolve, reject) => {
      const target = new URL(`${relay.url}/status`);
      // http.request, not fetch: fetch leaves out an Origin header it is given.
      request({ host: target.hostname, port: target.port, path: target.pathname, headers: { origin: 'https://evil.example.com' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      })
        .on('error', reject)
        .end();
    });
    expect(fromPage).toBe(403);
    expect(await (await fetch(`${relay.url}/metrics`)).text()).toMatch(/devsync_relay_messages_total\{type="desktop_connect"\} 1/);
    expect((await fetch(`${relay.url}/nothing`)).status).toBe(404);
    const page = await fetch(`${relay.url}/`);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(await page.text()).toContain('Edit externally');
    expect(await (await fetch(`${relay.url}/webdevsync.js`)).text()).toContain('web-dev-sync');
  });

  it('answers HTTP only to its own names: a page that rebinds its name to this machine (DNS rebinding) reads nothing', async () => {
    const { ws, relay } = await relayWith({ hostnames: ['relay.example.com'], adminToken: 'a-very-long-admin-token' });
    const a = await user(ws);
    a.browser.send({ type: 'edit_request', sessionId: sessionId(7), payload: { fieldId: 'secret-field', type: 'css', code: 'x', version: 0 } });
    await a.desktop.next('edit_request');
    const url = new URL(`${relay.url}/debug`);
    const get = (host: string) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        // With the admin token even: the name is checked first.
        const req = request({ host: url.hostname, port: url.port, path: url.pathname, headers: { host, authorization: 'Bearer a-very-long-admin-token' } }, (res) => {
          let body = '';
          res.on('data', (chunk: Buffer) => (body += chunk.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        });
        req.on('error', reject);
        req.end();
      });
    // From a loopback address, as a rebinding page's requests come, but naming the page's own host.
    const rebound = await get(`rebind.test:${url.port}`);
    expect(rebound.status).toBe(421);
    expect(rebound.body).not.toContain('secret-field');
    expect(rebound.body).toMatch(/does not answer to the name "rebind.test:\d+"; add it to hostnames/);
    expect((await get(`127.0.0.1:${url.port}`)).body).toContain('secret-field');
    expect((await get(`localhost:${url.port}`)).status).toBe(200);
    expect((await get('relay.example.com')).status).toBe(200);
    expect((await get('RELAY.example.com:443')).status).toBe(200);
  });

  it('closes every connection with 1001 on shutdown', async () => {
    const relay = await startRelay();
    const a = await user(relay.ws);
    await relay.cleanup();
    expect((await a.browser.closed).code).toBe(1001);
    expect((await a.desktop.closed).code).toBe(1001);
  });
});
