// The demo's end-to-end check, run by `pnpm orchestrator run -- node apps/orchestrator/examples/check-demo.mjs`
// (CI does): the API answers its health check and its JSON endpoint, and the WebDevSync relay its status and its
// demo page, while the whole stack runs.
const port = Number(process.env.API_PORT ?? 4321);
const relayPort = Number(process.env.DEVSYNC_PORT ?? 8787);
const health = await fetch(`http://127.0.0.1:${port}/health`);
const body = await (await fetch(`http://127.0.0.1:${port}/`)).json();
const relayStatus = await (await fetch(`http://127.0.0.1:${relayPort}/web-dev-sync/status`)).json();
const relayPage = await fetch(`http://127.0.0.1:${relayPort}/web-dev-sync/`);
const ok = health.status === 200 && typeof body.requests === 'number' && typeof relayStatus.connections?.browser === 'number' && relayPage.status === 200;
process.stdout.write(`demo: /health ${health.status}, / answered ${JSON.stringify(body)}; relay status ${JSON.stringify(relayStatus)}, page ${relayPage.status}; ${ok ? 'ok' : 'FAILED'}\n`);
process.exit(ok ? 0 : 1);
