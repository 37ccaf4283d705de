import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { connect } from '../src/index.js';
const dir = mkdtempSync('/tmp/rtt-');
const path = dir + '/s.sock';
const token = 'b'.repeat(64);
const child = spawn(process.execPath, ['--import', 'tsx', ...(process.env.PROF_SERVER ? ['--cpu-prof', '--cpu-prof-dir=/tmp/prof-server'] : []), 'bench/fixtures/server.ts', 'baton', path, token], { stdio: ['ignore', 'pipe', 'inherit'] });
await new Promise((r) => child.stdout.once('data', r));
const c = await connect({ path, auth: { token } });
for (let k = 0; k < 3; k++) {
  const times: number[] = [];
  for (let i = 0; i < 5000; i++) { const t = process.hrtime.bigint(); await c.request('echo', i); times.push(Number(process.hrtime.bigint() - t) / 1000); }
  times.sort((a, b) => a - b);
  console.log('p50', times[2500]!.toFixed(1), 'p99', times[4950]!.toFixed(1));
}
const t = performance.now(); let issued = 0;
await Promise.all(Array.from({ length: 64 }, async () => { while (issued < 100000) { issued++; await c.request('echo', issued); } }));
console.log('pipelined64', Math.round(100000 / ((performance.now() - t) / 1000)));
{ const base = await c.request('count') as number; const t2 = performance.now(); const N = 300000; const pl = 'x'.repeat(100); for (let i = 0; i < N; i++) { c.notify('note', pl); if (i % 256 === 255) await c.whenWritable(); } while ((await c.request('count') as number) < base + N) await new Promise(r => setTimeout(r, 1)); console.log('notes/s', Math.round(N / ((performance.now() - t2) / 1000))); }
await c.close(); child.kill('SIGINT'); await new Promise(r => setTimeout(r, 300)); process.exit(0);
