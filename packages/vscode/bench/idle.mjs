#!/usr/bin/env node
// `pnpm --filter @baton/vscode bench`: what the package costs an idle follower window's extension host. Three
// "extension hosts" (plain Node processes with a fake `vscode` module, test/fixtures/host.cjs) load the example
// extension as shipped (bundled, staged as in its .vsix): a leader and a follower; and a third loads an extension
// that does nothing. Over IDLE_SECONDS (default 60) of no activity, the follower's CPU and RSS against the empty
// one's, read from /proc (Linux). Run `pnpm --filter @baton/vscode build` first.
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const seconds = Number(process.env.IDLE_SECONDS ?? 60);
const ticks = 100; // USER_HZ
const say = (text) => process.stderr.write(`${text}\n`);

execFileSync(process.execPath, [join(root, 'scripts', 'example.mjs')], { stdio: 'pipe' });
const work = mkdtempSync(join(tmpdir(), 'baton-vscode-bench-'));
const children = [];
try {
  const withFakeVscode = (dir) => {
    mkdirSync(join(dir, 'node_modules', 'vscode'), { recursive: true });
    cpSync(join(root, 'test', 'fixtures', 'vscode.cjs'), join(dir, 'node_modules', 'vscode', 'index.js'));
    return dir;
  };
  const example = withFakeVscode(join(work, 'example'));
  cpSync(join(root, 'example', 'dist', 'vsix'), example, { recursive: true });
  const empty = withFakeVscode(join(work, 'empty'));
  mkdirSync(join(empty, 'dist'));
  writeFileSync(join(empty, 'package.json'), JSON.stringify({ name: 'empty', main: './dist/extension.cjs' }));
  writeFileSync(join(empty, 'dist', 'extension.cjs'), 'exports.activate = async () => {};\nexports.deactivate = async () => {};\n');

  const start = async (dir) => {
    const child = spawn(process.execPath, [join(root, 'test', 'fixtures', 'host.cjs'), dir, join(work, 'storage')], { stdio: ['pipe', 'pipe', 'inherit'] });
    children.push(child);
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    await new Promise((resolve, reject) => {
      const timer = setInterval(() => {
        if (out.includes('activated')) resolve(clearInterval(timer));
        if (child.exitCode !== null) reject(new Error(`a host exited: ${out}`));
      }, 20);
    });
    return { child, out: () => out };
  };
  const leader = await start(example);
  const follower = await start(example);
  const none = await start(empty);
  await new Promise((resolve) => setTimeout(resolve, 3000));
  if (!leader.out().includes(', leader, 2 windows') || !follower.out().includes(', follower, 2 windows')) throw new Error('the two example hosts did not form a group');

  const cpu = (pid) => {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / ticks;
  };
  const rss = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;
  const measured = [follower, none, leader];
  const before = measured.map((h) => cpu(h.child.pid));
  const t0 = performance.now();
  say(`idle for ${seconds} s ...`);
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  const elapsed = (performance.now() - t0) / 1000;
  const [followerCpu, noneCpu, leaderCpu] = measured.map((h, i) => (100 * (cpu(h.child.pid) - before[i])) / elapsed);
  const [followerRss, noneRss, leaderRss] = measured.map((h) => rss(h.child.pid));
  const report = {
    date: new Date().toISOString().slice(0, 10),
    seconds: Math.round(elapsed),
    follower: { cpuPercent: +followerCpu.toFixed(3), rssMiB: +followerRss.toFixed(1) },
    leader: { cpuPercent: +leaderCpu.toFixed(3), rssMiB: +leaderRss.toFixed(1) },
    withoutThePackage: { cpuPercent: +noneCpu.toFixed(3), rssMiB: +noneRss.toFixed(1) },
    followerAdds: { cpuPercent: +(followerCpu - noneCpu).toFixed(3), rssMiB: +(followerRss - noneRss).toFixed(1) },
    targets: { cpuPercent: 1, rssMiB: 10 },
  };
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  process.exitCode = report.followerAdds.cpuPercent <= 1 && report.followerAdds.rssMiB <= 10 ? 0 : 1;
} finally {
  for (const child of children) child.kill('SIGKILL');
  rmSync(work, { recursive: true, force: true });
}
