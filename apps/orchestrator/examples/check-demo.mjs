// The demo's end-to-end check, run by `pnpm orchestrator run -- node apps/orchestrator/examples/check-demo.mjs`
// (CI does): the API answers its health check and its JSON endpoint while the whole stack runs.
const port = Number(process.env.API_PORT ?? 4321);
const health = await fetch(`http://127.0.0.1:${port}/health`);
const body = await (await fetch(`http://127.0.0.1:${port}/`)).json();
const ok = health.status === 200 && typeof body.requests === 'number';
process.stdout.write(`demo: /health ${health.status}, / answered ${JSON.stringify(body)}; ${ok ? 'ok' : 'FAILED'}\n`);
process.exit(ok ? 0 : 1);
