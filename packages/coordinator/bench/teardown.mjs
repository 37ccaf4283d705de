// How long the kernel takes to tear a killed Node process down before its connections close: the
// part of every failover that no design on the survivors' side can shorten. A victim process with
// `extra` MB of filled buffers connects to this process's socket; it is SIGKILLed at rest, and the
// time from kill() to the end of its connection here is recorded. Linux (reads /proc for the RSS).
//
//   node packages/coordinator/bench/teardown.mjs [kills per size = 15] [extra MB sizes = 0,20,50,100]
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const kills = Number(process.argv[2] ?? 15);
const sizes = (process.argv[3] ?? '0,20,50,100').split(',').map(Number);
const victim = `
  const keep = [];
  for (let i = 0; i < Number(process.argv[2]); i++) keep.push(Buffer.alloc(1 << 20, 1));
  require('node:net').connect(process.argv[1], () => process.stdout.write('ready\\n'));
  setInterval(() => {}, 1 << 30);
`;
const dir = mkdtempSync(join(tmpdir(), 'baton-teardown-'));
const path = join(dir, 'victim.sock');
const now = () => Number(process.hrtime.bigint()) / 1e6;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
let onClose;
const server = createServer((socket) => {
  socket.on('error', () => {});
  socket.on('close', () => onClose?.(now()));
});
await new Promise((resolve) => server.listen(path, resolve));
try {
  for (const mb of sizes) {
    const times = [];
    let rss = 0;
    for (let i = 0; i < kills; i++) {
      const child = spawn(process.execPath, ['-e', victim, path, String(mb)], { stdio: ['ignore', 'pipe', 'inherit'] });
      const exited = new Promise((r) => child.once('exit', r));
      await new Promise((r) => child.stdout.once('data', r));
      rss = (Number(readFileSync(`/proc/${child.pid}/statm`, 'utf8').split(' ')[1]) * 4096) / 2 ** 20;
      await sleep(300);
      const closed = new Promise((r) => (onClose = r));
      const killedAt = now();
      child.kill('SIGKILL');
      times.push((await closed) - killedAt);
      await exited;
    }
    times.sort((a, b) => a - b);
    const at = (q) => times[Math.min(times.length - 1, Math.floor(q * times.length))].toFixed(2);
    process.stdout.write(`victim RSS ${rss.toFixed(0)} MB (${mb} MB filled): kill -> connection closed p50 ${at(0.5)} ms, max ${at(1)} ms, min ${at(0)} ms (${kills} kills)\n`);
  }
} finally {
  server.close();
  rmSync(dir, { recursive: true, force: true });
}
