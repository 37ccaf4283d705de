import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import WebSocket from 'ws';
import { sleep, waitFor } from '@baton/test-utils';
import { WebDevSync, type CodeConflict, type CodeUpdate, type CredentialStorage, type WebSocketConstructor } from '../src/index.js';
import { FakeRelay } from './fakeRelay.js';

let relay: FakeRelay;
let syncs: WebDevSync[] = [];
beforeEach(async () => {
  relay = await FakeRelay.start();
});
afterEach(async () => {
  for (const sync of syncs) sync.dispose();
  syncs = [];
  await relay.close();
});

function memoryStorage(): CredentialStorage & { items: Map<string, string> } {
  const items = new Map<string, string>();
  return { items, getItem: (k) => items.get(k) ?? null, setItem: (k, v) => void items.set(k, v), removeItem: (k) => void items.delete(k) };
}

function create(options: { storage?: CredentialStorage; debounceMs?: number; reconnect?: { initialMs: number; maxMs: number } } = {}): WebDevSync {
  const sync = new WebDevSync({ url: relay.url, WebSocket: WebSocket as unknown as WebSocketConstructor, storage: options.storage ?? memoryStorage(), debounceMs: options.debounceMs ?? 10, reconnect: options.reconnect ?? { initialMs: 20, maxMs: 200 } });
  syncs.push(sync);
  return sync;
}

async function openField(sync: WebDevSync, id = 'script', code = 'base'): Promise<string> {
  const sessionId = await sync.editCodeSnippet(id, code, 'javascript');
  await relay.next('edit_request');
  return sessionId;
}

describe('WebDevSync', () => {
  it('pairs with a token, keeps the credentials, and resumes with them (announcing its open sessions)', async () => {
    const storage = memoryStorage();
    const sync = create({ storage });
    const statuses: string[] = [];
    sync.statusChange((s) => statuses.push(s));
    await sync.connect({ pairingToken: ' abcd-efgh ' });
    expect(relay.hellos[0]!.payload).toMatchObject({ protocol: 1, pairingToken: 'abcd-efgh' });
    expect(sync.isConnected()).toBe(true);
    expect(JSON.parse([...storage.items.values()][0]!)).toEqual({ userId: 'user-000000000000001', secret: 'browser-secret-000000001' });
    const sessionId = await openField(sync);
    relay.dropAll();
    await waitFor(() => relay.hellos.length === 2);
    expect(relay.hellos[1]!.payload).toEqual({
      protocol: 1,
      userId: 'user-000000000000001',
      secret: 'browser-secret-000000001',
      sessions: [{ sessionId, fieldId: 'script', type: 'javascript', version: 0 }],
    });
    await waitFor(() => sync.isConnected());
    expect(statuses).toEqual(['connecting', 'connected', 'reconnecting', 'connected']);

    // A new page load with the same storage resumes without a token.
    const later = create({ storage });
    expect(later.isPaired).toBe(true);
    await later.connect();
    expect(relay.hellos[2]!.payload).toMatchObject({ userId: 'user-000000000000001' });
  });

  it('rejects connect() when the relay refuses, and forgets credentials it does not know', async () => {
    const storage = memoryStorage();
    storage.setItem(`baton.webdevsync:${relay.url}`, JSON.stringify({ userId: 'user-000000000000009', secret: 'stale-secret-0000000000' }));
    relay.refuseWith = 'AUTH_FAILED';
    const sync = create({ storage });
    await expect(sync.connect()).rejects.toThrow(/AUTH_FAILED/);
    expect(storage.items.size).toBe(0);
    expect(sync.status).toBe('disconnected');
    await expect(create({ storage: memoryStorage() }).connect()).rejects.toThrow(/not paired/);
  });

  it('reconnects with capped, jittered exponential backoff', async () => {
    const sync = create({ reconnect: { initialMs: 40, maxMs: 320 } });
    await sync.connect({ pairingToken: 'ABCD-EFGH' });
    relay.dropConnections = true;
    relay.dropAll();
    await waitFor(() => relay.connectedAt.length >= 8, { timeoutMs: 10_000 });
    const gaps = relay.connectedAt.slice(1).map((at, i) => at - relay.connectedAt[i]!);
    // Attempt n waits in [d/2, d] for d = min(320, 40 * 2^n), plus the time to dial.
    const [, ...retries] = gaps;
    expect(retries[0]).toBeLessThan(40 + 100);
    expect(retries.at(-1)).toBeGreaterThanOrEqual(160);
    expect(Math.max(...retries)).toBeLessThan(320 + 150);
    relay.dropConnections = false;
    await waitFor(() => sync.isConnected(), { timeoutMs: 5000 });
  });

  it('debounces edit requests for one field: the last code is sent once', async () => {
    const sync = create({ debounceMs: 50 });
    await sync.connect({ pairingToken: 'ABCD-EFGH' });
    const ids = await Promise.all([sync.editCodeSnippet('f', 'one', 'css'), sync.editCodeSnippet('f', 'two', 'css'), sync.editCodeSnippet('f', 'three', 'css')]);
    expect(new Set(ids).size).toBe(1);
    await sleep(100);
    const requests = relay.received.filter((m) => m.type === 'edit_request');
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatchObject({ sessionId: ids[0], payload: { fieldId: 'f', type: 'css', code: 'three', version: 0 } });
  });

  it("applies the editor's update on the version it was based on, and acknowledges it (a resend once)", async () => {
    const sync = create();
    const updates: CodeUpdate[] = [];
    sync.onCodeUpdate((u) => updates.push(u));
    await sync.connect({ pairingToken: 'ABCD-EFGH' });
    const sessionId = await openField(sync);
    const update = { type: 'code_update', sessionId, payload: { code: 'from the editor', baseVersion: 0, version: 1, updateId: 'editor-update-00000001' } };
    relay.send(update);
    expect((await relay.next('code_ack')).payload).toEqual({ updateId: 'editor-update-00000001', status: 'applied', version: 1 });
    relay.send(update);
    expect((await relay.next('code_ack')).payload).toEqual({ updateId: 'editor-update-00000001', status: 'applied', version: 1 });
    expect(updates).toEqual([{ sessionId, fieldId: 'script', code: 'from the editor', version: 1 }]);
  });

  it('reports crossing edits as a conflict to both sides; the page keeps its text', async () => {
    const sync = create();
    const conflicts: CodeConflict[] = [];
    const updates: CodeUpdate[] = [];
    sync.onConflict((c) => conflicts.push(c));
    sync.onCodeUpdate((u) => updates.push(u));
    await sync.connect({ pairingToken: 'ABCD-EFGH' });
    const sessionId = await openField(sync);
    sync.setCode('script', 'typed in the page');
    const pageUpdate = await relay.next('code_update');
    expect(pageUpdate.payload).toMatchObject({ code: 'typed in the page', baseVersion: 0, version: 1 });
    // The editor saved on version 0 too, before the page's change reached it.
    relay.send({ type: 'code_update', sessionId, payload: { code: 'saved in the editor', baseVersion: 0, version: 1, updateId: 'editor-update-00000002' } });
    expect((await relay.next('code_ack')).payload).toEqual({ updateId: 'editor-update-00000002', status: 'conflict', version: 1, code: 'typed in the page' });
    expect(conflicts).toEqual([{ sessionId, fieldId: 'script', pageCode: 'typed in the page', editorCode: 'saved in the editor', version: 1 }]);
    expect(updates).toEqual([]);
    // The editor saves again, knowing: based on version 1 it is applied.
    relay.send({ type: 'code_update', sessionId, payload: { code: 'saved again', baseVersion: 1, version: 2, updateId: 'editor-update-00000003' } });
    expect((await relay.next('code_ack')).payload).toMatchObject({ status: 'applied', version: 2 });
  });

  it('reports the desktop refusing a page change (a save of its own not yet sent)', async () => {
    const sync = create();
    const conflicts: CodeConflict[] = [];
    sync.onConflict((c) => conflicts.push(c));
    await sync.connect({ pairingToken: 'ABCD-EFGH' });
    const sessionId = await openField(sync);
    sync.setCode('script', 'page text');
    const sent = await relay.next('code_update');
    relay.send({ type: 'code_ack', sessionId, payload: { updateId: sent.payload!.updateId, status: 'conflict', version: 1, code: 'editor text' } });
    await waitFor(() => conflicts.length === 1);
    expect(conflicts[0]).toMatchObject({ pageCode: 'page text', editorCode: 'editor text' });
  });

  it('sends an unacknowledged page change again after a reconnect', async () => {
    const sync = create();
    await sync.connect({ pairingToken: 'ABCD-EFGH' });
    await openField(sync);
    sync.setCode('script', 'not yet acknowledged');
    const first = await relay.next('code_update');
    relay.dropAll();
    const again = await relay.next('code_update', 5000);
    expect(again.payload).toEqual(first.payload);
  });

  it('ends a session when told, and stops a desktop sending to a field no longer open', async () => {
    const sync = create();
    const ended: string[] = [];
    sync.onSessionEnd((e) => ended.push(`${e.fieldId}:${e.reason}`));
    await sync.connect({ pairingToken: 'ABCD-EFGH' });
    const sessionId = await openField(sync);
    relay.send({ type: 'session_end', sessionId, payload: { reason: 'expired' } });
    await waitFor(() => ended.length === 1);
    expect(ended).toEqual(['script:expired']);
    relay.send({ type: 'code_update', sessionId, payload: { code: 'late', baseVersion: 0, version: 1, updateId: 'editor-update-00000004' } });
    expect(await relay.next('session_end')).toMatchObject({ sessionId, payload: { reason: 'closed' } });
  });
});
