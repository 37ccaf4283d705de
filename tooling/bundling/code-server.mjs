// Real VS Code for end-to-end runs: code-server from npm (installed once under ~/.cache/baton-e2e by
// apps/extension/scripts/install-code-server.sh; see ../shared/vscode-e2e.md), one extension installed from its
// .vsix, windows opened as pages of one Chromium context (so they share globalState, as desktop windows do).
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const installer = fileURLToPath(new URL('../../apps/extension/scripts/install-code-server.sh', import.meta.url));
export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `predicate` every 100 ms until it returns something truthy; throws naming `what` after `timeoutMs`. */
export async function waitFor(predicate, what, timeoutMs = 60_000) {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = await predicate();
    if (value) return value;
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(100);
  }
}

async function freePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * Installs code-server if missing, starts it on a free loopback port with `vsix` installed (none if undefined), user
 * `settings`, and `env` for its extension hosts, and launches Chromium. Returns { work, data, folder, pid (the
 * server's: its extension hosts are its descendants), openWindow(), close() }.
 * `say` reports progress.
 */
export async function startCodeServer({ vsix, settings = {}, env = {}, say = () => {}, requireFrom }) {
  const cache = process.env.BATON_E2E_CACHE ?? join(homedir(), '.cache', 'baton-e2e');
  const entry = join(cache, 'cs', 'node_modules', 'code-server', 'out', 'node', 'entry.js');
  const chromiumPath = process.env.CHROMIUM ?? '/usr/bin/chromium';
  if (!existsSync(entry)) {
    say(`code-server is not installed under ${cache}: installing it (several minutes, once) ...`);
    execFileSync('bash', [installer, cache], { stdio: ['ignore', 'inherit', 'inherit'] });
  }
  if (!existsSync(chromiumPath)) throw new Error(`no Chromium at ${chromiumPath} (apt-get install chromium, or set CHROMIUM)`);
  if (vsix !== undefined && !existsSync(vsix)) throw new Error(`${vsix} is missing: build it first`);
  const { chromium } = createRequire(requireFrom)('playwright-core');

  const work = mkdtempSync(join(tmpdir(), 'baton-e2e-'));
  const data = join(work, 'data');
  const extensions = join(work, 'extensions');
  const folder = join(work, 'folder');
  for (const dir of [join(data, 'User'), extensions, folder]) mkdirSync(dir, { recursive: true });
  writeFileSync(join(data, 'config.yaml'), '');
  writeFileSync(join(data, 'User', 'settings.json'), JSON.stringify({ 'security.workspace.trust.enabled': false, ...settings }));
  const base = ['--config', join(data, 'config.yaml'), '--user-data-dir', data, '--extensions-dir', extensions];
  if (vsix !== undefined) {
    say(`installing ${vsix} ...`);
    execFileSync(process.execPath, [entry, ...base, '--install-extension', vsix], { stdio: 'pipe' });
  }
  const port = await freePort();
  say(`starting code-server on 127.0.0.1:${port} ...`);
  // Its own process group: the extension hosts it forks go with it.
  const server = spawn(process.execPath, [entry, ...base, '--auth', 'none', '--bind-addr', `127.0.0.1:${port}`, '--disable-telemetry', '--disable-update-check', folder], {
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
    env: { ...process.env, ...env },
  });
  let log = '';
  server.stdout.on('data', (chunk) => (log += chunk));
  server.stderr.on('data', (chunk) => (log += chunk));
  let browser;
  const close = async () => {
    await browser?.close().catch(() => {});
    const group = (signal) => {
      try {
        process.kill(-server.pid, signal);
      } catch {
        // already gone
      }
    };
    group('SIGTERM');
    await Promise.race([server.exitCode === null ? new Promise((resolve) => server.once('exit', resolve)) : undefined, sleep(5000)]);
    await sleep(500);
    group('SIGKILL');
    if (process.env.BATON_E2E_KEEP) say(`kept ${work} (BATON_E2E_KEEP)`);
    else rmSync(work, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
  };
  try {
    await waitFor(() => /HTTP server listening/.test(log) || server.exitCode !== null, 'code-server to listen');
    if (server.exitCode !== null) throw new Error(`code-server exited: ${log.slice(-2000)}`);
    browser = await chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  } catch (err) {
    await close();
    throw err;
  }
  // One context: code-server keeps globalState in the browser's IndexedDB, which pages of one context share.
  const context = await browser.newContext();
  return {
    pid: server.pid,
    work,
    data,
    folder,
    /** A new window (page) on the folder. */
    openWindow: async () => {
      const page = await context.newPage();
      await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(folder)}`);
      return page;
    },
    close,
  };
}
