#!/usr/bin/env node
// `pnpm --filter @baton/vscode bench:vscode`: what the package costs an idle follower window's extension host in
// real VS Code (code-server). Two code-servers side by side: one with the example extension (example/, packed as it
// ships) and two windows, one without any extension and one window. After the windows settle, each extension host's
// CPU over IDLE_SECONDS (default 60) and its RSS, from /proc (Linux): the example's follower against the bare host.
// Run `pnpm --filter @baton/vscode example` first.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startCodeServer, waitFor } from '@baton/bundling/code-server';

const root = fileURLToPath(new URL('..', import.meta.url));
const manifest = JSON.parse(readFileSync(join(root, 'example', 'package.json'), 'utf8'));
const vsix = join(root, 'example', 'dist', `${manifest.name}-${manifest.version}.vsix`);
const seconds = Number(process.env.IDLE_SECONDS ?? 60);
const say = (text) => process.stderr.write(`${text}\n`);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** The extension host processes under `pid`. */
function extensionHosts(pid) {
  const children = new Map();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const ppid = Number(readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1].split(' ')[1]);
      children.set(Number(entry), ppid);
    } catch {
      // gone
    }
  }
  const under = (p) => {
    for (let at = children.get(p); at !== undefined && at > 1; at = children.get(at)) if (at === pid) return true;
    return false;
  };
  return [...children.keys()].filter((p) => under(p) && readFileSync(`/proc/${p}/cmdline`, 'utf8').includes('--type=extensionHost'));
}
const cpu = (pid) => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
};
const rss = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;

let withPackage;
let bare;
try {
  withPackage = await startCodeServer({ vsix, say, requireFrom: import.meta.url });
  bare = await startCodeServer({ say, requireFrom: import.meta.url });
  const label = (page) => page.locator('[aria-label^="Baton Example:"]').first().getAttribute('aria-label', { timeout: 5000 }).catch(() => '');
  const pages = [await withPackage.openWindow(), await withPackage.openWindow()];
  await waitFor(async () => (await Promise.all(pages.map(label))).every((l) => l.endsWith(' 2 windows')), 'two example windows', 120_000);
  await bare.openWindow();
  await waitFor(() => extensionHosts(bare.pid).length === 1 && extensionHosts(withPackage.pid).length === 2, 'three extension hosts', 60_000);
  say('settling for 15 s ...');
  await sleep(15_000);
  const labels = await Promise.all(pages.map(label));
  // Hosts in the order the windows opened (pids grow); the follower is the window whose label says so.
  const hosts = extensionHosts(withPackage.pid).sort((a, b) => a - b);
  const follower = hosts[labels.findIndex((l) => l.includes(', follower,'))];
  const bareHost = extensionHosts(bare.pid)[0];
  const measured = [follower, bareHost];
  const before = measured.map(cpu);
  const t0 = performance.now();
  say(`idle for ${seconds} s ...`);
  await sleep(seconds * 1000);
  const elapsed = (performance.now() - t0) / 1000;
  const [followerCpu, bareCpu] = measured.map((p, i) => (100 * (cpu(p) - before[i])) / elapsed);
  const [followerRss, bareRss] = measured.map(rss);
  const report = {
    date: new Date().toISOString().slice(0, 10),
    seconds: Math.round(elapsed),
    followerHost: { cpuPercent: +followerCpu.toFixed(3), rssMiB: +followerRss.toFixed(1) },
    bareHost: { cpuPercent: +bareCpu.toFixed(3), rssMiB: +bareRss.toFixed(1) },
    followerAdds: { cpuPercent: +(followerCpu - bareCpu).toFixed(3), rssMiB: +(followerRss - bareRss).toFixed(1) },
    targets: { cpuPercent: 1, rssMiB: 10 },
  };
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
} finally {
  await withPackage?.close();
  await bare?.close();
}
