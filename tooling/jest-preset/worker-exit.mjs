// How long a Node process with a jest worker's heap takes to exit once nothing holds it open:
// `node tooling/jest-preset/worker-exit.mjs [objects] [runs]`. jest kills a worker that has not
// exited 500 ms after its last test file ("A worker process has failed to exit gracefully"); run
// this beside CPU-bound processes to see how a loaded machine stretches an exit with no handle open.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

if (process.argv[2] === '--child') {
  // About 95 MB of heap with the default 6e5 objects: a jest worker's, after ts-jest and a package's tests.
  const keep = [];
  for (let i = 0; i < Number(process.argv[3]); i++) keep.push({ a: i, b: `x${i}`, c: [i] });
  globalThis.keep = keep;
  // As jest's worker does at the end: stop listening on the IPC channel, and exit when the loop is empty.
  process.on('message', function end() {
    process.removeListener('message', end);
  });
  const { heapUsed, rss } = process.memoryUsage();
  process.send(`heap ${Math.round(heapUsed / 1e6)} MB, rss ${Math.round(rss / 1e6)} MB`);
} else {
  const objects = process.argv[2] ?? '6e5';
  const runs = Number(process.argv[3] ?? 8);
  const times = [];
  let size = '';
  for (let i = 0; i < runs; i++) {
    const child = fork(fileURLToPath(import.meta.url), ['--child', objects]);
    size = await new Promise((resolve) => child.once('message', resolve));
    const exited = new Promise((resolve) => child.once('exit', resolve));
    const start = performance.now();
    child.send('end');
    await exited;
    times.push(Math.round(performance.now() - start));
  }
  process.stdout.write(`${size}: exit took ${times.join(', ')} ms (load average ${(await import('node:os')).loadavg()[0].toFixed(1)})\n`);
}
