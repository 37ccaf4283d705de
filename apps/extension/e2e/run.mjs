#!/usr/bin/env node
// `pnpm --filter @baton/extension e2e`: the built .vsix in real VS Code (code-server from npm,
// driven by playwright-core with Debian's Chromium), three windows of one browser:
//   1. exactly one extension host probes (hits on an HTTP endpoint served here), all three show it;
//   2. closing the probing window's page moves probing to another window;
//   3. two windows each make 500 increments of one counter through globalState and through the
//      shared storage: lost updates and window-to-window propagation of each, side by side.
// Prints a report and writes it to dist/e2e-report.json; exits non-zero when a check fails.
// BATON_E2E_KEEP=1 keeps the temporary directory (code-server's logs, the windows' logs) for a look.
// code-server is installed once under ~/.cache/baton-e2e (BATON_E2E_CACHE) by scripts/install-code-server.sh.
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startCodeServer, waitFor } from '@baton/bundling/code-server';

const root = fileURLToPath(new URL('..', import.meta.url));
const version = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version;
const vsix = join(root, 'dist', `baton-health-watch-${version}.vsix`);
const started = performance.now();
const say = (text) => process.stderr.write(`[e2e ${((performance.now() - started) / 1000).toFixed(1)} s] ${text}\n`);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const failures = [];
const check = (ok, what) => {
  say(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) failures.push(what);
};

const hooks = mkdtempSync(join(tmpdir(), 'baton-healthwatch-hooks-'));
/** Monotonic times of the probes the endpoint saw. */
const hits = [];
const endpoint = createServer((_request, response) => {
  hits.push(performance.now());
  response.end('ok');
});
let vscode;
const report = {};

try {
  await new Promise((resolve) => endpoint.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${endpoint.address().port}/health`;
  report.vsixKiB = Math.round(statSync(vsix).size / 1024);
  vscode = await startCodeServer({ vsix, say, requireFrom: import.meta.url, settings: { 'healthWatch.endpoints': [{ type: 'http', name: 'local', url, intervalSeconds: 1 }] }, env: { BATON_HEALTHWATCH_E2E: hooks } });

  const label = (page) => page.locator('[aria-label^="Health Watch:"]').first().getAttribute('aria-label', { timeout: 5000 }).catch(() => '');
  const pages = [];
  for (let i = 0; i < 3; i++) {
    const page = await vscode.openWindow();
    await waitFor(async () => (await label(page)).includes('1 up'), `window ${i + 1} to show the endpoint up`, 90_000);
    say(`window ${i + 1} open: ${await label(page)}`);
    pages.push(page);
  }

  // 1. One probe per interval whatever the number of windows.
  await sleep(1500);
  const from = hits.length;
  const windowStart = performance.now();
  await sleep(8000);
  const seconds = (performance.now() - windowStart) / 1000;
  const probes = hits.length - from;
  report.probesPerSecondWith3Windows = Math.round((probes / seconds) * 100) / 100;
  check(probes >= Math.floor(seconds) - 1 && probes <= Math.ceil(seconds) + 1, `3 windows, 1 endpoint every 1 s: ${probes} probes in ${seconds.toFixed(1)} s (one window probing; three would make about ${Math.round(3 * seconds)})`);
  const labels = await Promise.all(pages.map(label));
  const leaders = labels.filter((l) => l.includes('this window probes'));
  check(leaders.length === 1, `exactly one window probes: ${labels.join(' | ')}`);
  check(labels.every((l) => l.includes('1 up')), 'every window shows the result');

  // 2. Closing the probing window's page moves probing to another window.
  const leaderIndex = labels.findIndex((l) => l.includes('this window probes'));
  const closedAt = performance.now();
  await pages[leaderIndex].close({ runBeforeUnload: true });
  const rest = pages.filter((_, i) => i !== leaderIndex);
  await waitFor(async () => (await Promise.all(rest.map(label))).some((l) => l.includes('this window probes')), 'another window to probe', 30_000);
  report.handoverAfterPageCloseMs = Math.round(performance.now() - closedAt);
  const afterClose = hits.length;
  await sleep(3000);
  check(hits.length - afterClose >= 2, `probing goes on after the leader's page closed (taken over ${report.handoverAfterPageCloseMs} ms after the close, VS Code's extension-host shutdown included; ${hits.length - afterClose} probes in the next 3 s)`);
  const gaps = hits.slice(1).map((t, i) => t - hits[i]);
  report.longestGapBetweenProbesMs = Math.round(Math.max(...gaps));
  check(report.longestGapBetweenProbesMs < 3000, `no gap between probes longer than the interval and the handover: longest ${report.longestGapBetweenProbesMs} ms`);
  report.activationMs = activationTimes(vscode.data, /activated \{"ms":([\d.]+)/);
  report.readyMs = activationTimes(vscode.data, /ready: joined the windows.*"ms":([\d.]+)/);
  report.handoverInExtensionMs = handoverTime(vscode.data);

  // 3. globalState against the shared storage, two windows at once.
  const readyHosts = () => readdirSync(hooks).filter((f) => f.startsWith('ready-')).length;
  say(`two windows: ${2 * 500} increments of one counter through globalState and through the shared storage ...`);
  check(readyHosts() >= 2, 'the comparison hook runs in the windows');
  writeFileSync(join(hooks, 'go'), '');
  await waitFor(() => readdirSync(hooks).filter((f) => f.startsWith('incremented-')).length >= 2 || readdirSync(hooks).some((f) => f.startsWith('error-')), 'both windows to finish incrementing', 180_000);
  writeFileSync(join(hooks, 'measure'), '');
  await waitFor(() => readdirSync(hooks).filter((f) => f.startsWith('result-')).length >= 2 || readdirSync(hooks).some((f) => f.startsWith('error-')), 'both windows to report', 60_000);
  const errors = readdirSync(hooks).filter((f) => f.startsWith('error-'));
  if (errors.length > 0) throw new Error(`a window's hook failed: ${readFileSync(join(hooks, errors[0]), 'utf8')}`);
  const results = readdirSync(hooks).filter((f) => f.startsWith('result-')).map((f) => JSON.parse(readFileSync(join(hooks, f), 'utf8')));
  const final = (key) => Math.max(...results.map((r) => r[key]));
  const pct = (xs, p) => (xs.length === 0 ? undefined : [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)]);
  const propagation = (kind) => {
    const all = results.flatMap((r) => r.propagationMs[kind]);
    return { samples: all.length, p50: pct(all, 50), p95: pct(all, 95), max: all.length ? Math.max(...all) : undefined };
  };
  report.counter = {
    expected: 1000,
    globalState: { final: final('globalStateCounter'), lost: 1000 - final('globalStateCounter'), propagationMs: propagation('globalState') },
    sharedStorage: { final: final('sharedCounter'), lost: 1000 - final('sharedCounter'), propagationMs: propagation('shared') },
  };
  check(report.counter.sharedStorage.lost === 0, `shared storage lost ${report.counter.sharedStorage.lost} of 1000 updates (globalState lost ${report.counter.globalState.lost})`);
} catch (err) {
  failures.push(String(err.message ?? err));
  say(`error: ${err.stack ?? err}`);
} finally {
  report.seconds = Math.round((performance.now() - started) / 1000);
  await vscode?.close();
  endpoint.close();
  rmSync(hooks, { recursive: true, force: true });
}

report.failures = failures;
mkdirSync(join(root, 'dist'), { recursive: true });
writeFileSync(join(root, 'dist', 'e2e-report.json'), `${JSON.stringify(report, null, 2)}\n`);
process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
process.exitCode = failures.length > 0 ? 1 : 0;

/** Times the extension logs in each window's output channel: 'activated {"ms":...}' (activate() returned), 'ready: ... "ms"' (joined, configured). */
function activationTimes(dataDir, pattern) {
  return logLines(dataDir)
    .map((l) => pattern.exec(l)?.[1])
    .filter(Boolean)
    .map(Number);
}

/** From the closing window's 'deactivating' to the next leader's 'leading' line, by the log's timestamps (ms). */
function handoverTime(dataDir) {
  const stamp = (line) => Date.parse(line.slice(0, 23).replace(' ', 'T'));
  const lines = logLines(dataDir);
  const left = lines.filter((l) => l.includes('deactivating: leaving the group') && l.includes('"role":"leader"')).map(stamp);
  const led = lines.filter((l) => l.includes('leading: probing for every window')).map(stamp);
  if (left.length === 0) return undefined;
  const next = led.filter((t) => t >= left[0]).sort((a, b) => a - b)[0];
  return next === undefined ? undefined : next - left[0];
}

function logLines(dataDir) {
  const files = [];
  const walk = (dir) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith('Baton Health Watch.log')) files.push(path);
    }
  };
  walk(join(dataDir, 'logs'));
  return files.flatMap((f) => readFileSync(f, 'utf8').split('\n'));
}
