#!/usr/bin/env node
// `pnpm --filter @baton/vscode e2e`: the example extension (example/, built and packed as its users would ship it)
// in real VS Code (code-server from npm, Chromium through playwright-core):
//   1. two windows: exactly one leads, both see both;
//   2. 2 x 500 increments of one counter through globalState and through the shared state, at once: lost updates;
//      then each window writes its own key every 150 ms: how soon the other sees it, through the shared state's
//      onDidChange, globalState (polled every 5 ms: it has no change event) and the secrets.onDidChange workaround;
//   3. a third window: still one leader; closing the leader's page hands the lead over.
// Prints a report and writes it to example/dist/e2e-report.json; exits non-zero when a check fails.
// BATON_E2E_KEEP=1 keeps the temporary directory (code-server's logs, the windows' logs).
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startCodeServer, waitFor } from '@baton/bundling/code-server';

const root = fileURLToPath(new URL('..', import.meta.url));
const manifest = JSON.parse(readFileSync(join(root, 'example', 'package.json'), 'utf8'));
const vsix = join(root, 'example', 'dist', `${manifest.name}-${manifest.version}.vsix`);
const started = performance.now();
const say = (text) => process.stderr.write(`[e2e ${((performance.now() - started) / 1000).toFixed(1)} s] ${text}\n`);
const failures = [];
const check = (ok, what) => {
  say(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) failures.push(what);
};
const report = {};
const pct = (xs, p) => (xs.length === 0 ? undefined : [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)]);

const hooks = mkdtempSync(join(tmpdir(), 'baton-vscode-hooks-'));
const files = (prefix) => readdirSync(hooks).filter((f) => f.startsWith(prefix));
const label = (page) => page.locator('[aria-label^="Baton Example:"]').first().getAttribute('aria-label', { timeout: 5000 }).catch(() => '');
const isLeader = (text) => text.includes(', leader,');

let vscode;
try {
  vscode = await startCodeServer({ vsix, say, requireFrom: import.meta.url, env: { BATON_VSCODE_E2E: hooks } });
  const pages = [];
  const open = async (n) => {
    const page = await vscode.openWindow();
    pages.push(page);
    await waitFor(async () => new RegExp(` ${n} windows?$`).test(await label(page)), `window ${pages.length} to see ${n} window(s)`, 90_000);
    say(`window ${pages.length} open: ${await label(page)}`);
  };
  await open(1);
  await open(2);
  // The first window saw one window when it opened; both now see two.
  await waitFor(async () => (await Promise.all(pages.map(label))).every((l) => l.endsWith(' 2 windows')), 'both windows to see two', 30_000);

  // 1. One leader of two.
  let labels = await Promise.all(pages.map(label));
  check(labels.filter(isLeader).length === 1, `two windows, one leads: ${labels.join(' | ')}`);

  // 2. Lost updates and propagation, side by side.
  await waitFor(() => files('ready-').length >= 2, 'the measuring code in both windows', 30_000);
  say('two windows: 2 x 500 increments of one counter through globalState and through the shared state ...');
  writeFileSync(join(hooks, 'go'), '');
  await waitFor(() => files('incremented-').length >= 2 || files('error-').length > 0, 'both windows to finish incrementing', 240_000);
  writeFileSync(join(hooks, 'measure'), '');
  await waitFor(() => files('result-').length >= 2 || files('error-').length > 0, 'both windows to report', 60_000);
  if (files('error-').length > 0) throw new Error(`a window's measuring failed: ${readFileSync(join(hooks, files('error-')[0]), 'utf8')}`);
  const results = files('result-').map((f) => JSON.parse(readFileSync(join(hooks, f), 'utf8')));
  const final = (key) => Math.max(...results.map((r) => r[key]));
  const propagation = (kind) => {
    const all = results.flatMap((r) => r.propagationMs[kind]);
    return { samples: all.length, of: 2 * 40, p50: pct(all, 50), p99: pct(all, 99), max: all.length ? Math.max(...all) : undefined };
  };
  report.increments = {
    expected: 1000,
    globalState: { final: final('globalStateCounter'), lost: 1000 - final('globalStateCounter') },
    sharedState: { final: final('sharedCounter'), lost: 1000 - final('sharedCounter') },
  };
  report.propagationMs = { sharedState: propagation('shared'), globalState: propagation('globalState'), secretsOnDidChange: propagation('secrets') };
  check(report.increments.sharedState.lost === 0, `the shared state lost ${report.increments.sharedState.lost} of 1000 increments (globalState, the same run: ${report.increments.globalState.lost})`);
  check(report.propagationMs.sharedState.samples >= 70, `the shared state's writes reached the other window: ${report.propagationMs.sharedState.samples} of 80 seen, p50 ${report.propagationMs.sharedState.p50} ms`);

  // 3. A third window; the leader's page closed.
  await open(3);
  await waitFor(async () => (await Promise.all(pages.map(label))).every((l) => l.endsWith(' 3 windows')), 'three windows to see three', 30_000);
  labels = await Promise.all(pages.map(label));
  check(labels.filter(isLeader).length === 1, `three windows, one leads: ${labels.join(' | ')}`);
  const leader = labels.findIndex(isLeader);
  const closedAt = performance.now();
  await pages[leader].close({ runBeforeUnload: true });
  const rest = pages.filter((_, i) => i !== leader);
  await waitFor(async () => (await Promise.all(rest.map(label))).some(isLeader), 'another window to lead', 30_000);
  report.handoverAfterPageCloseMs = Math.round(performance.now() - closedAt);
  labels = await Promise.all(rest.map(label));
  check(labels.filter(isLeader).length === 1, `after the leader's page closed, one of the two others leads (${report.handoverAfterPageCloseMs} ms, VS Code's extension-host shutdown included): ${labels.join(' | ')}`);
} catch (err) {
  failures.push(String(err.message ?? err));
  say(`error: ${err.stack ?? err}`);
} finally {
  report.seconds = Math.round((performance.now() - started) / 1000);
  await vscode?.close();
  rmSync(hooks, { recursive: true, force: true });
}

report.failures = failures;
mkdirSync(join(root, 'example', 'dist'), { recursive: true });
writeFileSync(join(root, 'example', 'dist', 'e2e-report.json'), `${JSON.stringify(report, null, 2)}\n`);
process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
process.exitCode = failures.length > 0 ? 1 : 0;
