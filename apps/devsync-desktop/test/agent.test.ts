import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { readdir, readFile, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { Writable } from 'node:stream';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FakeClock, eventToPromise } from '@baton/base';
import { makeTempDir, sleep, waitFor, type TempDir } from '@baton/test-utils';
import { createLogger } from '@baton/telemetry';
import { DesktopAgent, type DesktopAgentOptions } from '../src/index.js';
import { agentFaultPoints } from '../src/agent.js';
import { EditDirectory, editFaultPoints } from '../src/editFiles.js';
import { FakeRelay, type Sent } from './fakeRelay.js';

// Windows has no POSIX modes: it reports 0o666 for any file node can write.
const posix = process.platform !== 'win32';
const editorScript = fileURLToPath(new URL('./fixtures/editor-log.mjs', import.meta.url));
let tmp: TempDir;
let relay: FakeRelay;
let agents: DesktopAgent[] = [];

beforeEach(async () => {
  tmp = await makeTempDir('devsync-desktop-');
  relay = await FakeRelay.start();
});
afterEach(async () => {
  for (const agent of agents) await agent.close();
  agents = [];
  await relay.close();
  await tmp.cleanup();
});

async function startAgent(options: Partial<DesktopAgentOptions> = {}): Promise<DesktopAgent> {
  const agent = await DesktopAgent.start({
    url: relay.url,
    credentialsFile: `${tmp.path}/config/credentials.json`,
    editDir: `${tmp.path}/edit`,
    editor: `node ${editorScript} ${tmp.path}/editor.log`,
    debounceMs: 20,
    maxFileBytes: 1000,
    ...options,
  });
  agents.push(agent);
  await waitFor(() => agent.status === 'connected');
  return agent;
}

let sessionCounter = 0;
function editRequest(fieldId: string, code: string, type = 'javascript'): string {
  const sessionId = `session-${String(++sessionCounter).padStart(12, '0')}`;
  relay.send({ type: 'edit_request', sessionId, payload: { fieldId, type, code, version: 0 } });
  return sessionId;
}
/** Saves as editors do: a temporary file renamed over the old one. */
async function save(file: string, text: string): Promise<void> {
  await writeFile(`${file}.swp`, text);
  await rename(`${file}.swp`, file);
}
const fileOf = async (agent: DesktopAgent, sessionId: string) => (await waitFor(() => agent.sessions.find((s) => s.sessionId === sessionId))).file;
const update = (sessionId: string, code: string, baseVersion: number, updateId: string): Sent => ({
  type: 'code_update',
  sessionId,
  payload: { code, baseVersion, version: baseVersion + 1, updateId },
});

/** An agent with one session whose editor saved "editor" over "base"; that save has been sent to the relay. */
async function savedOnce() {
  const agent = await startAgent();
  const conflicts: unknown[] = [];
  agent.onDidConflict((c) => conflicts.push(c));
  const sessionId = editRequest('f', 'base\n');
  const file = await fileOf(agent, sessionId);
  await save(file, 'editor\n');
  const sent = await relay.next('code_update');
  return { agent, conflicts, sessionId, file, sent };
}

/**
 * Holds the agent's next read of an edit file at a fault point (editFaultPoints): at `afterRead` the read that
 * found the text `found`, at `beforeRead` the one whose size check found `found` bytes. `reached` resolves when
 * it is held; `release()` lets it go on (and disarms the hold if it never came).
 */
function holdNextRead(point: 'beforeRead' | 'afterRead', found: string | number): { reached: Promise<void>; release: () => void } {
  let release: (() => void) | undefined;
  const reached = new Promise<void>((resolve) => {
    editFaultPoints[point] = async (_name: string, value: string | number) => {
      if (value !== found) return;
      editFaultPoints[point] = undefined;
      resolve();
      await new Promise<void>((done) => (release = done));
    };
  });
  return {
    reached,
    release: () => {
      editFaultPoints[point] = undefined;
      release?.();
    },
  };
}

/** A logger for the agent that keeps its warnings (and worse), parsed. */
function warningLog() {
  const warnings: Array<Record<string, unknown>> = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().trim().split('\n')) warnings.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { warnings, logger: createLogger({ name: 'agent', level: 'warn', destination, pretty: false }) };
}

describe('DesktopAgent', () => {
  it('registers, keeps its credentials private, shows the pairing token, and resumes with them', async () => {
    const tokens: string[] = [];
    const agent = await DesktopAgent.start({ url: relay.url, credentialsFile: `${tmp.path}/config/credentials.json`, editDir: `${tmp.path}/edit`, editor: 'true' });
    agents.push(agent);
    agent.onDidIssuePairingToken(({ token }) => tokens.push(token));
    await waitFor(() => tokens.length === 1);
    expect(tokens).toEqual(['ABCD-EFGH']);
    await waitFor(async () => (await stat(`${tmp.path}/config/credentials.json`).catch(() => undefined)) !== undefined);
    if (posix) {
      expect((await stat(`${tmp.path}/config/credentials.json`)).mode & 0o777).toBe(0o600);
      expect((await stat(`${tmp.path}/config`)).mode & 0o777).toBe(0o700);
    }
    await agent.close();
    await startAgent({ pair: true });
    expect(relay.hellos.at(-1)!.payload).toEqual({ protocol: 1, userId: 'user-000000000000001', secret: 'desktop-secret-0000000001', pair: true });
  });

  it('writes a field to a private file with a safe name, opens the editor, and sends each save', async () => {
    const agent = await startAgent();
    const sessionId = editRequest('../../etc/passwd', 'let a = 1;\n');
    const file = await fileOf(agent, sessionId);
    expect(file.startsWith(`${tmp.path}/edit/`)).toBe(true);
    expect(file).toMatch(/\/etc_passwd-[A-Za-z0-9_-]{12}\.js$/);
    if (posix) {
      expect((await stat(file)).mode & 0o777).toBe(0o600);
      expect((await stat(`${tmp.path}/edit`)).mode & 0o777).toBe(0o700);
    }
    expect(await readFile(file, 'utf8')).toBe('let a = 1;\n');
    await waitFor(async () => (await readFile(`${tmp.path}/editor.log`, 'utf8').catch(() => '')).includes(file));

    await save(file, 'let a = 2;\n');
    const first = await relay.next('code_update');
    expect(first).toMatchObject({ sessionId, payload: { code: 'let a = 2;\n', baseVersion: 0, version: 1 } });
    relay.send({ type: 'code_ack', sessionId, payload: { updateId: first.payload!.updateId, status: 'applied', version: 1 } });
    await sleep(50);
    await save(file, 'let a = 3;\n');
    expect((await relay.next('code_update')).payload).toMatchObject({ code: 'let a = 3;\n', baseVersion: 1, version: 2 });
  });

  it('takes extensions from an allow-list only', async () => {
    const agent = await startAgent();
    const css = editRequest('style', 'a {}', 'css');
    const odd = editRequest('x', 'text', 'exe');
    expect(await fileOf(agent, css)).toMatch(/\.css$/);
    expect(await fileOf(agent, odd)).toMatch(/\.txt$/);
  });

  it("writes the page's changes into the file when nothing was saved here since", async () => {
    const agent = await startAgent();
    const sessionId = editRequest('f', 'one\n');
    const file = await fileOf(agent, sessionId);
    relay.send(update(sessionId, 'two\n', 0, 'page-update-000000001'));
    expect((await relay.next('code_ack')).payload).toEqual({ updateId: 'page-update-000000001', status: 'applied', version: 1 });
    expect(await readFile(file, 'utf8')).toBe('two\n');
    // Its own write is not sent back as a save.
    await sleep(150);
    expect(relay.received.filter((m) => m.type === 'code_update')).toHaveLength(0);
  });

  it("a save check that read the file just before the page's text was written into it sends nothing", async () => {
    const agent = await startAgent();
    const sessionId = editRequest('f', 'one\n');
    const file = await fileOf(agent, sessionId);
    // The next read that finds "one" (a save check after the touch below) is held until the page's
    // update has been written and acknowledged: it then returns the old text.
    const read = holdNextRead('afterRead', 'one\n');
    try {
      const now = new Date();
      await utimes(file, now, now);
      await read.reached;
      relay.send(update(sessionId, 'two\n', 0, 'page-update-000000001'));
      expect((await relay.next('code_ack')).payload).toMatchObject({ status: 'applied', version: 1 });
      read.release();
      await sleep(150);
      expect(relay.received.filter((m) => m.type === 'code_update')).toHaveLength(0);
      expect(await readFile(file, 'utf8')).toBe('two\n');
    } finally {
      read.release();
    }
  });

  it("a save that lands between the agent's read of the file and its write of the page's text stays, and the page's update is refused as a conflict", async () => {
    const agent = await startAgent({ debounceMs: 500 });
    const sessionId = editRequest('f', 'base\n');
    const file = await fileOf(agent, sessionId);
    // The check that follows the agent's own write of the file has run: the next read of "base" is the page update's.
    await sleep(700);
    const read = holdNextRead('afterRead', 'base\n');
    try {
      relay.send(update(sessionId, 'page\n', 0, 'page-update-000000005'));
      await read.reached;
      await save(file, 'editor\n');
      read.release();
      expect((await relay.next('code_ack')).payload).toEqual({ updateId: 'page-update-000000005', status: 'conflict', version: 1, code: 'editor\n' });
    } finally {
      read.release();
    }
    expect(await readFile(file, 'utf8')).toBe('editor\n');
    expect(await readFile(file.replace(/\.js$/, '.page-v1.js'), 'utf8')).toBe('page\n');
    // The conflict told the page of the save: it is not sent on its own afterwards.
    await sleep(700);
    expect(relay.received.filter((m) => m.type === 'code_update')).toHaveLength(0);
  });

  it('a field opened again with newer text takes it, unless a save here came first, even one landing during the write', async () => {
    const agent = await startAgent({ debounceMs: 500 });
    const sessionId = editRequest('f', 'v0\n');
    const file = await fileOf(agent, sessionId);
    const reopen = (code: string, version: number) => relay.send({ type: 'edit_request', sessionId, payload: { fieldId: 'f', type: 'javascript', code, version } });
    const opened = () => eventToPromise(agent.onDidOpen);
    // Nothing saved here: the page's newer text is written.
    let done = opened();
    reopen('v1\n', 1);
    await done;
    expect(await readFile(file, 'utf8')).toBe('v1\n');
    // The check after that write has run; then a save lands between the agent's read and its write of v2.
    await sleep(700);
    const read = holdNextRead('afterRead', 'v1\n');
    try {
      done = opened();
      reopen('v2\n', 2);
      await read.reached;
      await save(file, 'mine\n');
      read.release();
      await done;
    } finally {
      read.release();
    }
    expect(await readFile(file, 'utf8')).toBe('mine\n');
    // The save is sent, on the version this agent had.
    expect((await relay.next('code_update')).payload).toMatchObject({ code: 'mine\n', baseVersion: 1, version: 2 });
  });

  it('a change event for the save a conflict refused, late, sends nothing: only the next save goes out, on the new version', async () => {
    const { conflicts, sessionId, file, sent } = await savedOnce();
    // The agent's read of the editor's file as it takes in the conflict is held, and the file's
    // watch fires meanwhile (on a loaded machine an event can come that late).
    const read = holdNextRead('afterRead', 'editor\n');
    try {
      relay.send({ type: 'code_ack', sessionId, payload: { updateId: sent.payload!.updateId, status: 'conflict', version: 1, code: 'page\n' } });
      await read.reached;
      const now = new Date();
      await utimes(file, now, now);
      await sleep(300);
      read.release();
      await waitFor(() => conflicts.length === 1);
      await sleep(100);
      expect(relay.received.filter((m) => m.type === 'code_update')).toHaveLength(1);
    } finally {
      read.release();
    }
    await save(file, 'editor, again\n');
    expect((await relay.next('code_update')).payload).toMatchObject({ code: 'editor, again\n', baseVersion: 1, version: 2 });
  });

  it('saves crossing in flight: the editor keeps its text, the page\'s goes next to it, the next save is sent on the new version', async () => {
    const { conflicts, sessionId, file, sent } = await savedOnce();
    // The page changed the field on the same base before our save reached it; it sends its change, then refuses ours.
    relay.send(update(sessionId, 'page\n', 0, 'page-update-000000002'));
    relay.send({ type: 'code_ack', sessionId, payload: { updateId: sent.payload!.updateId, status: 'conflict', version: 1, code: 'page\n' } });
    await waitFor(() => conflicts.length === 1);
    expect(await readFile(file, 'utf8')).toBe('editor\n');
    const pageFile = file.replace(/\.js$/, '.page-v1.js');
    expect(await readFile(pageFile, 'utf8')).toBe('page\n');
    expect(conflicts[0]).toMatchObject({ sessionId, file, pageFile, version: 1 });
    // The page's update was not applied over the save in flight.
    expect(relay.received.filter((m) => m.type === 'code_ack')).toHaveLength(0);
    await save(file, 'editor, again\n');
    expect((await relay.next('code_update')).payload).toMatchObject({ code: 'editor, again\n', baseVersion: 1, version: 2 });
  });

  it("a page change after a conflict not yet settled is refused too: the editor's refused text stays in its file, the page's newest goes next to it, and the next save is sent on the page's latest version", async () => {
    const { conflicts, sessionId, file, sent } = await savedOnce();
    relay.send({ type: 'code_ack', sessionId, payload: { updateId: sent.payload!.updateId, status: 'conflict', version: 1, code: 'page\n' } });
    await waitFor(() => conflicts.length === 1);
    const pageFile = (version: number) => file.replace(/\.js$/, `.page-v${version}.js`);
    expect(await readFile(pageFile(1), 'utf8')).toBe('page\n');
    // The page changes the field again, twice, before the user saved again.
    relay.send(update(sessionId, 'page, later\n', 1, 'page-update-000000010'));
    expect((await relay.next('code_ack')).payload).toEqual({ updateId: 'page-update-000000010', status: 'conflict', version: 2, code: 'editor\n' });
    relay.send(update(sessionId, 'page, later still\n', 2, 'page-update-000000011'));
    expect((await relay.next('code_ack')).payload).toEqual({ updateId: 'page-update-000000011', status: 'conflict', version: 3, code: 'editor\n' });
    expect(await readFile(file, 'utf8')).toBe('editor\n');
    expect(await readFile(pageFile(3), 'utf8')).toBe('page, later still\n');
    expect(conflicts.slice(1)).toMatchObject([{ version: 2, pageFile: pageFile(2) }, { version: 3, pageFile: pageFile(3) }]);
    // The page's earlier texts, untouched since written, gave way to its newest; one the user edited stays.
    const names = await readdir(`${tmp.path}/edit`);
    expect(names.filter((n) => n.includes('.page-v'))).toEqual([basename(pageFile(3))]);
    // A save now goes out on the page's latest version and settles it: the page's next change is taken in.
    await save(file, 'editor, again\n');
    const again = await relay.next('code_update');
    expect(again.payload).toMatchObject({ code: 'editor, again\n', baseVersion: 3, version: 4 });
    relay.send({ type: 'code_ack', sessionId, payload: { updateId: again.payload!.updateId, status: 'applied', version: 4 } });
    relay.send(update(sessionId, 'page, after\n', 4, 'page-update-000000012'));
    expect((await relay.next('code_ack')).payload).toEqual({ updateId: 'page-update-000000012', status: 'applied', version: 5 });
    expect(await readFile(file, 'utf8')).toBe('page, after\n');
  });

  it("a field opened again with newer text during a conflict not yet settled keeps the editor's refused text in its file", async () => {
    const { agent, conflicts, sessionId, file, sent } = await savedOnce();
    relay.send({ type: 'code_ack', sessionId, payload: { updateId: sent.payload!.updateId, status: 'conflict', version: 1, code: 'page\n' } });
    await waitFor(() => conflicts.length === 1);
    const opened = eventToPromise(agent.onDidOpen);
    relay.send({ type: 'edit_request', sessionId, payload: { fieldId: 'f', type: 'javascript', code: 'page, reopened\n', version: 2 } });
    await opened;
    expect(await readFile(file, 'utf8')).toBe('editor\n');
    // Saved again, it goes out on the version the agent had; the page decides (here: a conflict, with its text).
    await save(file, 'editor, again\n');
    expect((await relay.next('code_update')).payload).toMatchObject({ code: 'editor, again\n', baseVersion: 1 });
  });

  it("a page file the user edited is kept when the page's next text goes next to it", async () => {
    const { conflicts, sessionId, file, sent } = await savedOnce();
    relay.send({ type: 'code_ack', sessionId, payload: { updateId: sent.payload!.updateId, status: 'conflict', version: 1, code: 'page\n' } });
    await waitFor(() => conflicts.length === 1);
    const first = file.replace(/\.js$/, '.page-v1.js');
    await save(first, 'page, merged by hand\n');
    relay.send(update(sessionId, 'page, later\n', 1, 'page-update-000000013'));
    expect((await relay.next('code_ack')).payload).toMatchObject({ status: 'conflict', code: 'editor\n' });
    expect(await readFile(first, 'utf8')).toBe('page, merged by hand\n');
    expect(await readFile(file.replace(/\.js$/, '.page-v2.js'), 'utf8')).toBe('page, later\n');
  });

  it('a page change that meets a save not yet sent is refused as a conflict with the editor\'s text', async () => {
    const agent = await startAgent({ debounceMs: 500 });
    const sessionId = editRequest('f', 'base\n');
    const file = await fileOf(agent, sessionId);
    await save(file, 'saved here\n');
    relay.send(update(sessionId, 'page\n', 0, 'page-update-000000003'));
    expect((await relay.next('code_ack')).payload).toEqual({ updateId: 'page-update-000000003', status: 'conflict', version: 1, code: 'saved here\n' });
    expect(await readFile(file, 'utf8')).toBe('saved here\n');
    expect(await readFile(file.replace(/\.js$/, '.page-v1.js'), 'utf8')).toBe('page\n');
    // The save the conflict reported is not sent on its own afterwards.
    await sleep(700);
    expect(relay.received.filter((m) => m.type === 'code_update')).toHaveLength(0);
  });

  it('a resent page update is acknowledged again, applied once', async () => {
    const agent = await startAgent();
    const sessionId = editRequest('f', 'a');
    const file = await fileOf(agent, sessionId);
    relay.send(update(sessionId, 'b', 0, 'page-update-000000004'));
    await relay.next('code_ack');
    await save(file, 'c');
    const mine = await relay.next('code_update');
    relay.send({ type: 'code_ack', sessionId, payload: { updateId: mine.payload!.updateId, status: 'applied', version: 2 } });
    await sleep(50);
    relay.send(update(sessionId, 'b', 0, 'page-update-000000004'));
    expect((await relay.next('code_ack')).payload).toMatchObject({ updateId: 'page-update-000000004', status: 'applied' });
    expect(await readFile(file, 'utf8')).toBe('c');
  });

  it('handles many sessions at once, each save to its own session', async () => {
    const agent = await startAgent();
    const ids = Array.from({ length: 40 }, (_, i) => editRequest(`field${i}`, `text ${i}\n`));
    const files = await Promise.all(ids.map((id) => fileOf(agent, id)));
    expect(new Set(files).size).toBe(40);
    await Promise.all(files.map((file, i) => save(file, `saved ${i}\n`)));
    await waitFor(() => relay.received.filter((m) => m.type === 'code_update').length === 40, { timeoutMs: 10_000 });
    for (const message of relay.received.filter((m) => m.type === 'code_update')) {
      expect(message.payload!.code).toBe(`saved ${ids.indexOf(message.sessionId!)}\n`);
    }
  });

  it('does not send a file over the size limit, and refuses a field too large to write', async () => {
    const agent = await startAgent();
    const sessionId = editRequest('f', 'small');
    const file = await fileOf(agent, sessionId);
    await save(file, 'x'.repeat(1001));
    const big = editRequest('g', 'y'.repeat(1001));
    expect(await relay.next('session_end')).toMatchObject({ sessionId: big, payload: { reason: 'desktop_gone' } });
    expect(relay.received.filter((m) => m.type === 'code_update')).toHaveLength(0);
    await save(file, 'small again');
    expect((await relay.next('code_update')).payload!.code).toBe('small again');
  });

  it('keeps to the limit the relay names, and says in its log that a save over it is not sent', async () => {
    relay.maxCodeBytes = 100;
    const { warnings, logger } = warningLog();
    const agent = await startAgent({ maxFileBytes: undefined, logger });
    const sessionId = editRequest('f', 'small');
    const file = await fileOf(agent, sessionId);
    await save(file, 'x'.repeat(101));
    await waitFor(() => warnings.some((w) => w.msg === 'a save over the size limit is not sent'));
    expect(warnings.find((w) => w.msg === 'a save over the size limit is not sent')).toMatchObject({ bytes: 101, maxBytes: 100, file });
    await save(file, 'x'.repeat(100));
    expect((await relay.next('code_update')).payload!.code).toBe('x'.repeat(100));
    expect(relay.received.filter((m) => m.type === 'code_update')).toHaveLength(1);
  });

  it('sends the text whose size it checked, even when a larger file is renamed over it meanwhile', async () => {
    const agent = await startAgent();
    const sessionId = editRequest('f', 'small');
    const file = await fileOf(agent, sessionId);
    const held = holdNextRead('beforeRead', 'small, saved'.length);
    try {
      await save(file, 'small, saved');
      await held.reached;
      await save(file, 'x'.repeat(1001));
    } finally {
      held.release();
    }
    expect((await relay.next('code_update')).payload!.code).toBe('small, saved');
    // The save over the limit is read too, and not sent.
    await sleep(300);
    expect(relay.received.filter((m) => m.type === 'code_update').map((m) => m.payload!.code)).toEqual(['small, saved']);
    expect(await readFile(file, 'utf8')).toBe('x'.repeat(1001));
  });

  it('a save made while the agent writes its new credentials is sent once', async () => {
    let release: (() => void) | undefined;
    const saving = new Promise<void>((reached) => {
      agentFaultPoints.beforeCredentialsSaved = () => {
        reached();
        return new Promise<void>((done) => (release = done));
      };
    });
    try {
      const agent = await startAgent();
      await saving;
      const sessionId = editRequest('f', 'a');
      await save(await fileOf(agent, sessionId), 'b');
      const sent = await relay.next('code_update');
      release!();
      await waitFor(async () => (await stat(`${tmp.path}/config/credentials.json`).catch(() => undefined)) !== undefined);
      await sleep(100);
      expect(relay.received.filter((m) => m.type === 'code_update')).toEqual([sent]);
    } finally {
      delete agentFaultPoints.beforeCredentialsSaved;
      release?.();
    }
  });

  it('removes files: old ones at start, ended sessions, and at exit unless a save did not reach the page', async () => {
    const edit = `${tmp.path}/edit`;
    const first = await startAgent();
    const stale = editRequest('stale', 'old');
    const staleFile = await fileOf(first, stale);
    await first.close();
    await writeFile(`${edit}/notes.txt`, 'not the agent\'s');
    const past = new Date(Date.now() - 2 * 86_400_000);
    await writeFile(staleFile, 'old');
    await utimes(staleFile, past, past);
    await utimes(`${edit}/notes.txt`, past, past);

    const agent = await startAgent();
    expect(await readdir(edit)).toEqual(['notes.txt']);
    const ended = editRequest('ended', 'e');
    const endedFile = await fileOf(agent, ended);
    relay.send({ type: 'session_end', sessionId: ended, payload: { reason: 'closed' } });
    await waitFor(async () => !(await readdir(edit)).includes(basename(endedFile)));
    const clean = editRequest('clean', 'c');
    const dirty = editRequest('dirty', 'd');
    const cleanFile = await fileOf(agent, clean);
    const dirtyFile = await fileOf(agent, dirty);
    await relay.close();
    await save(dirtyFile, 'unsent');
    await sleep(100);
    await agent.close();
    const left = await readdir(edit);
    expect(left).toContain(basename(dirtyFile));
    expect(left).not.toContain(basename(cleanFile));
    relay = await FakeRelay.start();
  });

  it("keeps an ended session's file when a save lands as the session ends, or when it holds a save over the size limit", async () => {
    const { warnings, logger } = warningLog();
    const agent = await startAgent({ debounceMs: 500, logger });
    const landing = editRequest('landing', 'a\n');
    const big = editRequest('big', 'b\n');
    const landingFile = await fileOf(agent, landing);
    const bigFile = await fileOf(agent, big);
    // The checks after the agent's own writes have run: the next read of "a" is the end's.
    await sleep(700);
    const read = holdNextRead('afterRead', 'a\n');
    try {
      relay.send({ type: 'session_end', sessionId: landing, payload: { reason: 'closed' } });
      await read.reached;
      await save(landingFile, 'saved as it ended\n');
      read.release();
    } finally {
      read.release();
    }
    await save(bigFile, 'x'.repeat(1001));
    relay.send({ type: 'session_end', sessionId: big, payload: { reason: 'closed' } });
    const kept = () => warnings.filter((w) => w.msg === 'editing ended with a save the page did not get; the file is kept').map((w) => w.file);
    await waitFor(() => kept().length === 2, { what: 'both files kept' });
    expect(kept().sort()).toEqual([bigFile, landingFile].sort());
    expect(await readFile(landingFile, 'utf8')).toBe('saved as it ended\n');
    expect(await readFile(bigFile, 'utf8')).toBe('x'.repeat(1001));
  });

  it("keeps the editor's file when a session ends on a conflict not yet resolved, by either side's refusal; removes it once a save settled it", async () => {
    const { warnings, logger } = warningLog();
    // A long quiet time: the page's update below reaches the agent before the save it crosses is sent.
    const agent = await startAgent({ debounceMs: 500, logger });
    const kept = () => warnings.filter((w) => w.msg === 'editing ended with a save the page did not get; the file is kept').map((w) => w.file);
    const conflicts: string[] = [];
    agent.onDidConflict((c) => conflicts.push(c.sessionId));
    // The page refuses the editor's save: the page keeps its text, the file holds the editor's.
    const refused = editRequest('refused', 'base\n');
    const refusedFile = await fileOf(agent, refused);
    await save(refusedFile, 'editor\n');
    const sent = await relay.next('code_update');
    relay.send({ type: 'code_ack', sessionId: refused, payload: { updateId: sent.payload!.updateId, status: 'conflict', version: 1, code: 'page\n' } });
    // The agent refuses the page's update: a save here had not been sent yet.
    const crossed = editRequest('crossed', 'base\n');
    const crossedFile = await fileOf(agent, crossed);
    // The check after the agent's own write of the field has run.
    await sleep(700);
    await save(crossedFile, 'saved here\n');
    relay.send(update(crossed, 'page\n', 0, 'page-update-000000006'));
    await waitFor(() => conflicts.length === 2, { what: 'both conflicts' });
    relay.send({ type: 'session_end', sessionId: refused, payload: { reason: 'closed' } });
    relay.send({ type: 'session_end', sessionId: crossed, payload: { reason: 'closed' } });
    await waitFor(() => kept().length === 2, { what: 'both files kept' });
    expect(kept().sort()).toEqual([crossedFile, refusedFile].sort());
    expect(await readFile(refusedFile, 'utf8')).toBe('editor\n');
    expect(await readFile(crossedFile, 'utf8')).toBe('saved here\n');

    // Saved again after the conflict and applied: the page has the file's text, and the file goes.
    const settled = editRequest('settled', 'base\n');
    const settledFile = await fileOf(agent, settled);
    await save(settledFile, 'editor\n');
    const first = await relay.next('code_update');
    relay.send({ type: 'code_ack', sessionId: settled, payload: { updateId: first.payload!.updateId, status: 'conflict', version: 1, code: 'page\n' } });
    await waitFor(() => conflicts.length === 3);
    await save(settledFile, 'editor, again\n');
    const second = await relay.next('code_update');
    expect(second.payload).toMatchObject({ code: 'editor, again\n', baseVersion: 1, version: 2 });
    relay.send({ type: 'code_ack', sessionId: settled, payload: { updateId: second.payload!.updateId, status: 'applied', version: 2 } });
    await sleep(200);
    relay.send({ type: 'session_end', sessionId: settled, payload: { reason: 'closed' } });
    await waitFor(async () => !(await readdir(`${tmp.path}/edit`)).includes(basename(settledFile)), { what: 'the settled file removed' });
    expect(kept()).toHaveLength(2);
  });

  // Windows keeps a watched directory until its watch lets go of it (the watch fails first): the hourly look's case.
  (posix ? it : it.skip)('goes on when its edit directory is removed under it (a temp cleaner): makes it anew, watches it again, and sends the saves made there', async () => {
    const { warnings, logger } = warningLog();
    const agent = await startAgent({ logger });
    const edit = `${tmp.path}/edit`;
    const before = editRequest('before', 'a\n');
    const beforeFile = await fileOf(agent, before);
    await rm(edit, { recursive: true });
    await waitFor(() => warnings.some((w) => w.msg === 'the edit directory was removed; made it anew and watching it again'), { what: 'the edit directory made anew' });
    expect((await stat(edit)).isDirectory()).toBe(true);
    if (posix) expect((await stat(edit)).mode & 0o777).toBe(0o700);
    // The editor saves the open field again, into the new directory: sent.
    await save(beforeFile, 'saved after the removal\n');
    expect((await relay.next('code_update')).payload).toMatchObject({ code: 'saved after the removal\n', baseVersion: 0 });
    // A new field is written there, and its saves are seen.
    const after = editRequest('after', 'b\n');
    const afterFile = await fileOf(agent, after);
    expect(await readFile(afterFile, 'utf8')).toBe('b\n');
    await save(afterFile, 'b, saved\n');
    expect((await relay.next('code_update')).payload).toMatchObject({ code: 'b, saved\n' });
    // The signs of the one removal (the watch's, the missing file's) led to one new watch.
    expect(warnings.filter((w) => w.msg === 'the edit directory was removed; made it anew and watching it again')).toHaveLength(1);
  });

  it('the hourly look makes anew an edit directory removed without the watch reporting it (and leaves a watched one alone)', async () => {
    const { warnings, logger } = warningLog();
    const clock = new FakeClock();
    // A quiet time longer than the test: the watch reports nothing, so only the hourly look can find the change.
    const agent = await startAgent({ logger, clock, debounceMs: 3_600_000 });
    const edit = `${tmp.path}/edit`;
    await clock.advanceAsync(3_600_000);
    expect(warnings.filter((w) => w.msg === 'the edit directory was removed; made it anew and watching it again')).toHaveLength(0);
    await rm(edit, { recursive: true });
    await clock.advanceAsync(3_600_000);
    await waitFor(() => warnings.some((w) => w.msg === 'the edit directory was removed; made it anew and watching it again'), { what: 'the hourly look' });
    expect((await stat(edit)).isDirectory()).toBe(true);
    expect(agent.sessions).toEqual([]);
  });

  it('the edit directory gone when a field comes or the cleanup runs: written after making the directory anew; the cleanup finds nothing to remove', async () => {
    const dir = await EditDirectory.open(`${tmp.path}/gone`, 1000);
    await rm(dir.path, { recursive: true });
    expect(await dir.removeOlderThan(0)).toBe(0);
    const file = await dir.write('field-abcdefghijkl.js', 'text');
    expect(await readFile(file, 'utf8')).toBe('text');
    if (posix) expect((await stat(dir.path)).mode & 0o777).toBe(0o700);
  });

  it('reconnects with backoff after the relay goes away and sends the save it could not deliver', async () => {
    const agent = await startAgent();
    const sessionId = editRequest('f', 'a');
    const file = await fileOf(agent, sessionId);
    const port = Number(new URL(relay.url).port);
    const waits: string[] = [];
    const errors: string[] = [];
    agent.onDidWait((wait) => waits.push(`${wait.fieldId}: ${wait.reason}`));
    agent.onDidError((error) => errors.push(error.code));
    await relay.close();
    await waitFor(() => agent.status === 'reconnecting');
    await save(file, 'while the relay was down');
    // Said once, with the save kept for later.
    await waitFor(() => waits.length === 1);
    expect(waits).toEqual(['f: the relay is not connected; it is sent when the relay is back']);
    expect(agent.waitingSaves).toBe(1);
    await sleep(300);
    relay = await FakeRelay.start(port);
    await waitFor(() => agent.status === 'connected', { timeoutMs: 15_000 });
    const first = await relay.next('code_update', 10_000);
    expect(first.payload).toMatchObject({ code: 'while the relay was down', baseVersion: 0 });
    // A restarted relay does not know the session until the page announces it again: a wait, not an error, said
    // once however many times it is answered so; the save goes through once the page is back.
    for (let i = 0; i < 3; i++) {
      relay.send({ type: 'error', sessionId, payload: { code: 'SESSION_NOT_FOUND', message: 'no such session', retryable: false, inReplyTo: 'code_update' } });
      if (i < 2) await relay.next('code_update', 10_000);
    }
    const resent = await relay.next('code_update', 10_000);
    relay.send({ type: 'code_ack', sessionId, payload: { updateId: String(resent.payload!.updateId), status: 'applied', version: 1 } });
    await waitFor(() => agent.waitingSaves === 0);
    expect(waits).toHaveLength(2);
    expect(waits[1]).toMatch(/^f: the relay does not know this field yet/);
    expect(errors).toEqual([]);
  });
});
