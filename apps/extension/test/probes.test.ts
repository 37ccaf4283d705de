import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer, type Server, type ServerResponse } from 'node:http';
import { createServer as createTcpServer, type AddressInfo } from 'node:net';
import { parseEndpoints, runProbe, type Endpoint } from '../src/core/index.js';

let server: Server;
let base = '';
const hanging = new Set<ServerResponse>();

beforeAll(async () => {
  server = createServer((request, response) => {
    if (request.url === '/ok') response.end('status: all good');
    else if (request.url === '/down') {
      response.statusCode = 503;
      response.end('maintenance');
    } else if (request.url === '/redirect') {
      response.statusCode = 302;
      response.setHeader('location', '/ok');
      response.end();
    } else if (request.url === '/hang') hanging.add(response);
    else if (request.url === '/big') {
      response.write('x'.repeat(300 * 1024));
      response.end('needle');
    } else {
      response.statusCode = 404;
      response.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  for (const response of hanging) response.destroy();
  await new Promise((resolve) => server.close(resolve));
});

/** An endpoint from its settings form (name 'e'), checked as the extension checks settings. */
function endpoint(input: Record<string, unknown>): Endpoint {
  const { endpoints, issues } = parseEndpoints([{ source: 'test', path: 'e', endpoints: [{ name: 'e', ...input }] }]);
  expect(issues).toEqual([]);
  return endpoints[0]!;
}

/** A port nothing listens on: bound, then closed. */
async function closedPort(): Promise<number> {
  const s = createTcpServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as AddressInfo).port;
  await new Promise((resolve) => s.close(resolve));
  return port;
}

describe('http probe', () => {
  it('is up on 2xx and 3xx by default (a redirect is not followed), down on others, saying the status', async () => {
    expect(await runProbe(endpoint({ type: 'http', url: `${base}/ok` }))).toMatchObject({ ok: true, detail: 'HTTP 200' });
    expect(await runProbe(endpoint({ type: 'http', url: `${base}/redirect` }))).toMatchObject({ ok: true, detail: 'HTTP 302' });
    expect(await runProbe(endpoint({ type: 'http', url: `${base}/down` }))).toMatchObject({ ok: false, detail: 'HTTP 503, expected 2xx or 3xx' });
    expect(await runProbe(endpoint({ type: 'http', url: `${base}/down`, expectStatus: [503] }))).toMatchObject({ ok: true });
    expect(await runProbe(endpoint({ type: 'http', url: `${base}/redirect`, expectStatus: 200 }))).toMatchObject({ ok: false, detail: 'HTTP 302, expected 200' });
  });

  it('matches the body when asked, reading at most 256 KiB of it', async () => {
    expect(await runProbe(endpoint({ type: 'http', url: `${base}/ok`, bodyMatch: 'all good' }))).toMatchObject({ ok: true, detail: 'HTTP 200, body matches' });
    expect(await runProbe(endpoint({ type: 'http', url: `${base}/ok`, bodyMatch: '^ready$' }))).toMatchObject({ ok: false, detail: 'HTTP 200, body does not match /^ready$/' });
    // The needle is past the limit: not read, so not matched.
    expect(await runProbe(endpoint({ type: 'http', url: `${base}/big`, bodyMatch: 'needle' }))).toMatchObject({ ok: false });
  });

  it('fails after its timeout when the server does not answer, and when nothing listens', async () => {
    const started = performance.now();
    const result = await runProbe(endpoint({ type: 'http', url: `${base}/hang`, timeoutSeconds: 0.3 }));
    expect(result).toMatchObject({ ok: false, detail: 'timed out after 300 ms' });
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
    expect(performance.now() - started).toBeLessThan(3000);
    const port = await closedPort();
    expect(await runProbe(endpoint({ type: 'http', url: `http://127.0.0.1:${port}/` }))).toMatchObject({ ok: false, detail: 'connection refused (ECONNREFUSED)' });
  });

  it('stops when its signal is aborted', async () => {
    const controller = new AbortController();
    const pending = runProbe(endpoint({ type: 'http', url: `${base}/hang`, timeoutSeconds: 30 }), controller.signal);
    setTimeout(() => controller.abort(), 50);
    expect(await pending).toMatchObject({ ok: false, detail: 'cancelled' });
  });
});

describe('tcp probe', () => {
  it('is up when a connection opens and down when it is refused', async () => {
    const port = Number(new URL(base).port);
    expect(await runProbe(endpoint({ type: 'tcp', port }))).toMatchObject({ ok: true, detail: `connected to 127.0.0.1:${port}` });
    const closed = await closedPort();
    expect(await runProbe(endpoint({ type: 'tcp', port: closed }))).toMatchObject({ ok: false, detail: 'connection refused (ECONNREFUSED)' });
  });
});

describe('command probe', () => {
  it('is up on the expected exit code, down on another, and says which', async () => {
    const node = process.execPath;
    expect(await runProbe(endpoint({ type: 'command', command: node, args: ['-e', ''] }))).toMatchObject({ ok: true, detail: 'exit code 0' });
    expect(await runProbe(endpoint({ type: 'command', command: node, args: ['-e', 'process.exit(3)'] }))).toMatchObject({ ok: false, detail: 'exit code 3, expected 0' });
    expect(await runProbe(endpoint({ type: 'command', command: node, args: ['-e', 'process.exit(3)'], expectExitCode: 3 }))).toMatchObject({ ok: true });
  });

  it('reports a missing command, and kills one that outlives its timeout', async () => {
    expect(await runProbe(endpoint({ type: 'command', command: 'baton-no-such-command' }))).toMatchObject({ ok: false, detail: 'command not found (ENOENT)' });
    const started = performance.now();
    const result = await runProbe(endpoint({ type: 'command', command: process.execPath, args: ['-e', 'setTimeout(() => {}, 60000)'], timeoutSeconds: 0.3 }));
    expect(result).toMatchObject({ ok: false, detail: 'timed out after 300 ms' });
    expect(performance.now() - started).toBeLessThan(5000);
  });
});
