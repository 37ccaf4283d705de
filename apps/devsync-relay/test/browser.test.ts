// WebDevSync end to end in a real browser: Debian's Chromium driven by playwright-core opens the demo page the
// relay serves; the desktop agent runs as a real process, with a test script as its "editor".
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFile, readdir, rename, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { fileURLToPath } from 'node:url';
import { killAllFixtures, makeTempDir, spawnFixture, waitFor, type Fixture, type TempDir } from '@baton/test-utils';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { findBrowser } from './browserPath.js';
import { startRelay, type TestRelay } from './helpers.js';

const desktopBin = fileURLToPath(new URL('../../devsync-desktop/bin/devsync-desktop.mjs', import.meta.url));
const editorScript = fileURLToPath(new URL('./fixtures/editor.mjs', import.meta.url));

let relay: TestRelay;
let browser: Browser;
let tmp: TempDir;
const contexts: BrowserContext[] = [];

interface User {
  desktop: Fixture;
  page: Page;
  editDir: string;
  editorLog: string;
}

async function startDesktop(name: string): Promise<{ desktop: Fixture; token: string; editDir: string; editorLog: string }> {
  const editDir = `${tmp.path}/${name}-edit`;
  const editorLog = `${tmp.path}/${name}-editor.log`;
  const desktop = spawnFixture(desktopBin, ['--relay', relay.ws, '--dir', editDir, '--credentials', `${tmp.path}/${name}-credentials.json`, '--editor', `node ${editorScript}`], {
    env: { TEST_EDITOR_LOG: editorLog, TEST_EDITOR_LINE: `// saved by ${name}'s editor`, BATON_LOG_LEVEL: 'warn' },
  });
  const line = await desktop.waitForLine(/pairing token: /, 15_000);
  return { desktop, token: /pairing token: (\S+)/.exec(line)![1]!, editDir, editorLog };
}

/** A user: a desktop agent, and a page of its own (own browser profile) paired with it. */
async function startUser(name: string): Promise<User> {
  const { desktop, token, editDir, editorLog } = await startDesktop(name);
  const context = await browser.newContext();
  contexts.push(context);
  const page = await context.newPage();
  await page.goto(`${relay.relay.url}/`);
  // The page names its own relay in the command it shows.
  expect(await page.textContent('#agent-command')).toBe(`devsync-desktop --relay ${new URL(relay.relay.url).host}`);
  await page.fill('#token', token);
  await page.click('#pair button[type=submit]');
  await page.waitForSelector('#status[data-status="connected"]', { timeout: 10_000 });
  return { desktop, page, editDir, editorLog };
}

/** Records, in the page, when each field last fired `input` (wall clock, comparable with the editor's). */
async function recordInputs(page: Page): Promise<void> {
  await page.evaluate(() => {
    const times: Record<string, number> = {};
    (window as unknown as { inputTimes: Record<string, number> }).inputTimes = times;
    for (const field of document.querySelectorAll('textarea')) field.addEventListener('input', () => (times[field.id] = performance.timeOrigin + performance.now()));
  });
}

/** With UPDATE_SCREENSHOTS=1, saves the page as docs/screenshots/<name>.png (the README shows them). */
async function shot(page: Page, name: string): Promise<void> {
  if (process.env.UPDATE_SCREENSHOTS !== '1') return;
  await page.screenshot({ path: fileURLToPath(new URL(`../docs/screenshots/${name}.png`, import.meta.url)) });
}

const fieldValue = (page: Page, id: string) => page.$eval(`#${id}`, (el) => (el as HTMLTextAreaElement).value);
const inputCount = (page: Page, id: string) => page.$eval(`#${id}-inputs`, (el) => Number(el.textContent));

beforeAll(async () => {
  const chromiumPath = findBrowser();
  if (!chromiumPath) throw new Error('no Chromium or Chrome found: apt-get install chromium (the test script does it), or set CHROMIUM');
  tmp = await makeTempDir('devsync-e2e-');
  relay = await startRelay({ heartbeatMs: 1000 });
  browser = await chromium.launch({
    executablePath: chromiumPath,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}, 60_000);

afterAll(async () => {
  for (const context of contexts) await context.close();
  await browser?.close();
  await killAllFixtures();
  await relay?.cleanup();
  await tmp?.cleanup();
});

describe('WebDevSync in Chromium', () => {
  let alice: User;

  it('"Edit externally" opens the field in the editor; its save shows in the field and fires input within 200 ms', async () => {
    alice = await startUser('alice');
    await recordInputs(alice.page);
    const before = await inputCount(alice.page, 'script');
    await alice.page.click('[data-edit="script"]');
    await alice.desktop.waitForLine(/editing script: /, 10_000);
    await waitFor(async () => (await fieldValue(alice.page, 'script')).includes("// saved by alice's editor"), { timeoutMs: 10_000 });
    expect(await inputCount(alice.page, 'script')).toBe(before + 1);
    const [saved] = (await readFile(alice.editorLog, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { file: string; savedAt: number });
    expect(saved!.file).toMatch(/\/script-[A-Za-z0-9_-]{12}\.js$/);
    const firedAt = await alice.page.evaluate(() => (window as unknown as { inputTimes: Record<string, number> }).inputTimes.script!);
    // From the editor's rename to the page's input event: debounce, relay, page.
    expect(firedAt - saved!.savedAt).toBeLessThan(200);
    expect(firedAt - saved!.savedAt).toBeGreaterThanOrEqual(0);
  }, 60_000);

  it('typing in the open field reaches the editor\'s file', async () => {
    const [name] = (await readdir(alice.editDir)).filter((n) => n.startsWith('script-'));
    await alice.page.fill('#script', 'const typed = "in the page";\n');
    await waitFor(async () => (await readFile(`${alice.editDir}/${name}`, 'utf8')) === 'const typed = "in the page";\n', { timeoutMs: 5000 });
  }, 30_000);

  it('after a relay restart both sides reconnect and the session goes on', async () => {
    relay = await relay.restart();
    await alice.page.waitForSelector('#status[data-status="reconnecting"], #status[data-status="connecting"]', { timeout: 10_000 }).catch(() => {});
    await alice.page.waitForSelector('#status[data-status="connected"]', { timeout: 15_000 });
    await waitFor(() => alice.desktop.lines.filter((l) => l === 'relay: connected').length >= 2, { timeoutMs: 15_000 });
    // The user saves again in the editor (as editors do: a temporary file renamed over the old one).
    const [name] = (await readdir(alice.editDir)).filter((n) => n.startsWith('script-') && !n.includes('.page-'));
    const file = `${alice.editDir}/${name}`;
    await writeFile(`${file}.tmp`, 'after the restart\n');
    await rename(`${file}.tmp`, file);
    await waitFor(async () => (await fieldValue(alice.page, 'script')) === 'after the restart\n', { timeoutMs: 10_000 });
  }, 60_000);

  it('two users stay isolated', async () => {
    const bob = await startUser('bob');
    await bob.page.click('[data-edit="style"]');
    await waitFor(async () => (await fieldValue(bob.page, 'style')).includes("// saved by bob's editor"), { timeoutMs: 10_000 });
    expect(await fieldValue(alice.page, 'style')).not.toContain('bob');
    expect(await fieldValue(alice.page, 'script')).toBe('after the restart\n');
    expect(bob.desktop.lines.some((l) => l.startsWith('editing script'))).toBe(false);
    expect(alice.desktop.lines.some((l) => l.startsWith('editing style'))).toBe(false);
    // Each page is paired with its own user.
    const [aliceUser, bobUser] = await Promise.all([alice.page, bob.page].map((p) => p.evaluate(() => (window as unknown as { webDevSync: { userId: string } }).webDevSync.userId)));
    expect(aliceUser).not.toBe(bobUser);
  }, 60_000);

  it("runs the client README's example as written (its import pointed at the relay's bundle, its token a real one)", async () => {
    const readme = await readFile(fileURLToPath(new URL('../../../packages/devsync-client/README.md', import.meta.url)), 'utf8');
    const example = /^```js\n([\s\S]*?)^```$/m.exec(readme)![1]!;
    const { desktop, token } = await startDesktop('carol');
    // The demo page is a page of the relay's origin with the field the example edits (its own script stays idle:
    // this profile is not paired). The example runs inline, which the page's CSP forbids, hence bypassCSP.
    const context = await browser.newContext({ bypassCSP: true });
    contexts.push(context);
    const page = await context.newPage();
    const logged: string[] = [];
    page.on('console', (message) => logged.push(message.text()));
    page.on('pageerror', (err) => logged.push(`pageerror: ${err.message}`));
    await page.goto(`${relay.relay.url}/`);
    const before = await fieldValue(page, 'script');
    const code = example.replace("'@baton/devsync-client/browser'", "'./webdevsync.js'").replace("'K7QM-2XWP'", JSON.stringify(token));
    expect(code).not.toBe(example);
    await page.addScriptTag({ type: 'module', content: code });
    await desktop.waitForLine(/editing script: /, 10_000);
    await waitFor(() => logged.includes('script saved in the editor'), { timeoutMs: 10_000 }).catch((err: Error) => {
      throw new Error(`${err.message}; the page logged ${JSON.stringify(logged)}`);
    });
    expect(logged).toContain('connected');
    expect(await fieldValue(page, 'script')).toBe(`${before}// saved by carol's editor\n`);
  }, 60_000);

  it('the demo page says what happens in the user\'s words: pair first, a wrong token once, a field open in the editor', async () => {
    const context = await browser.newContext({ viewport: { width: 900, height: 640 } });
    contexts.push(context);
    const page = await context.newPage();
    await page.goto(`${relay.relay.url}/`);
    const notices = () => page.$$eval('#messages .notice', (divs) => divs.map((d) => d.textContent));
    await page.click('[data-edit="script"]');
    expect(await notices()).toEqual(['Pair this page first: enter the token devsync-desktop printed.']);
    await shot(page, 'not-paired');
    await page.fill('#token', 'WRNG-TOKN');
    await page.click('#pair button[type=submit]');
    await waitFor(async () => (await notices())[0]?.startsWith('That pairing token is unknown') === true, { timeoutMs: 10_000 });
    // Said once (the relay's refusal and the failed connect are one event to the user), in place of the earlier notice.
    expect(await notices()).toEqual(['That pairing token is unknown or has expired. Run devsync-desktop --pair for a new one and enter it here.']);
    await shot(page, 'wrong-token');
    const { desktop, token } = await startDesktop('dave');
    await page.fill('#token', token);
    await page.click('#pair button[type=submit]');
    await page.waitForSelector('#status[data-status="connected"]', { timeout: 10_000 });
    expect(await notices()).toEqual([]);
    expect(await page.isVisible('#script-open')).toBe(false);
    await page.click('[data-edit="script"]');
    await desktop.waitForLine(/editing script: /, 10_000);
    await page.waitForSelector('#script-open', { state: 'visible', timeout: 5000 });
    expect(await page.textContent('#agent')).toBe('connected');
    await shot(page, 'editing');
    // The agent stops: the page says so at once.
    desktop.kill('SIGTERM');
    await page.waitForSelector('#agent[data-status="away"]', { timeout: 10_000 });
    expect(await page.textContent('#agent')).toBe('not connected');
    await shot(page, 'agent-away');
  }, 60_000);

  it('refuses a page from an origin that is not allowed', async () => {
    const server: Server = createServer((_req, res) => res.end('<!doctype html><title>elsewhere</title>'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const address = server.address() as { port: number };
      const context = await browser.newContext();
      contexts.push(context);
      const page = await context.newPage();
      await page.goto(`http://127.0.0.1:${address.port}/`);
      const outcome = await page.evaluate(
        (url) =>
          new Promise<string>((resolve) => {
            const socket = new WebSocket(url);
            socket.onopen = () => resolve('opened');
            socket.onclose = (event) => resolve(`closed ${event.code}`);
          }),
        relay.ws,
      );
      expect(outcome).toBe('closed 1006');
      const metrics = await (await fetch(`${relay.relay.url}/metrics`)).text();
      expect(metrics).toMatch(/devsync_relay_errors_total\{code="ORIGIN_REFUSED"\} [1-9]/);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  }, 30_000);
});
