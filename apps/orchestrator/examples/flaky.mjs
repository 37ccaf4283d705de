// The demo's flaky worker: crashes a moment after it starts, so the orchestrator shows restarts
// with growing backoff and then gives up (state 'failed').
const lifeMs = 400 + Math.floor(Math.random() * 400);
process.stdout.write(`flaky worker up; will crash in ${lifeMs} ms\n`);
setTimeout(() => {
  process.stderr.write('flaky worker: something went wrong\n');
  process.exit(1);
}, lifeMs);
