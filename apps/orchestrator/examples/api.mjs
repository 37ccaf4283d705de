// Tier 1 of the demo: a small HTTP API with a /health endpoint (the orchestrator's http probe).
import { createServer } from 'node:http';

const port = Number(process.env.API_PORT ?? 4321);
let requests = 0;
const server = createServer((req, res) => {
  requests++;
  if (req.url === '/health') return res.end('ok');
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify({ requests, time: new Date().toISOString() }));
});
// A short warm-up, so the readiness probe has something to wait for.
setTimeout(() => server.listen(port, '127.0.0.1', () => process.stdout.write(`api listening on http://127.0.0.1:${port}\n`)), 300);
process.on('SIGTERM', () => server.close(() => process.exit(0)));
