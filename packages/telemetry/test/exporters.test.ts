import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { makeTempDir, type TempDir } from '@baton/test-utils';
import { createBatcher, createFileExporter, createNotifyExporter, createOtlpExporter } from '../src/index.js';

let tmp: TempDir;
beforeEach(async () => {
  tmp = await makeTempDir();
});
afterEach(async () => {
  await tmp.cleanup();
});

describe('file exporter', () => {
  it('rotates by size, keeps maxFiles, and loses no line across rotation', async () => {
    const path = join(tmp.path, 'logs', 'events.ndjson');
    const exporter = createFileExporter<{ n: number; pad: string }>({ path, maxBytes: 4096, maxFiles: 50 });
    const batcher = createBatcher({ exporter, maxBatchSize: 7, maxQueueSize: 10_000 });
    for (let n = 0; n < 2000; n++) batcher.add({ n, pad: 'x'.repeat(20) });
    await batcher.shutdown();
    const files = (await readdir(join(tmp.path, 'logs'))).sort();
    expect(files.length).toBeGreaterThan(10);
    const seen: number[] = [];
    for (const file of files) {
      const text = await readFile(join(tmp.path, 'logs', file), 'utf8');
      expect(text.endsWith('\n')).toBe(true);
      for (const line of text.trim().split('\n')) seen.push((JSON.parse(line) as { n: number }).n);
      expect((await stat(join(tmp.path, 'logs', file))).size).toBeLessThanOrEqual(4096);
    }
    expect(seen.sort((a, b) => a - b)).toEqual(Array.from({ length: 2000 }, (_, i) => i));
    if (process.platform !== 'win32') expect((await stat(path)).mode & 0o777).toBe(0o600);
  });

  it('keeps only maxFiles files, the newest', async () => {
    const path = join(tmp.path, 'e.ndjson');
    const exporter = createFileExporter<number>({ path, maxBytes: 100, maxFiles: 3 });
    const signal = new AbortController().signal;
    for (let i = 0; i < 20; i++) await exporter.export(Array.from({ length: 10 }, (_, j) => i * 10 + j), { signal });
    await exporter.shutdown?.();
    expect((await readdir(tmp.path)).sort()).toEqual(['e.ndjson', 'e.ndjson.1', 'e.ndjson.2']);
    expect((await readFile(path, 'utf8')).trim().split('\n').at(-1)).toBe('199');
  });
});

describe('notify exporter', () => {
  it('sends each batch through the given function', async () => {
    const sent: [string, unknown][] = [];
    const exporter = createNotifyExporter({ notify: (method, batch) => void sent.push([method, batch]) });
    await exporter.export([1, 2], { signal: new AbortController().signal });
    expect(sent).toEqual([['telemetry.batch', [1, 2]]]);
  });
});

describe('OTLP/HTTP exporter against a local collector', () => {
  let server: Server;
  let url: string;
  const bodies: unknown[] = [];
  let statuses: number[] = [];

  beforeEach(async () => {
    bodies.length = 0;
    server = createServer((req: IncomingMessage, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        bodies.push(JSON.parse(body));
        const status = statuses.shift() ?? 200;
        res.writeHead(status, { 'content-type': 'application/json', ...(status === 429 ? { 'retry-after': '0' } : {}) });
        res.end(status === 200 ? '{}' : '{"message":"nope"}');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const address = server.address() as { port: number };
    url = `http://127.0.0.1:${address.port}/v1/logs`;
  });
  afterEach(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  it('posts OTLP JSON log records', async () => {
    statuses = [200];
    const batcher = createBatcher({ exporter: createOtlpExporter({ url, resource: { 'service.name': 'orchestrator' } }), maxBatchSize: 2 });
    batcher.add({ level: 30, time: 1_700_000_000_000, msg: 'leader elected', token: 7 });
    batcher.add({ level: 'error', msg: 'worker crashed', service: 'api' });
    await batcher.flush();
    const body = bodies[0] as { resourceLogs: { resource: { attributes: unknown[] }; scopeLogs: { logRecords: Record<string, unknown>[] }[] }[] };
    expect(body.resourceLogs[0]!.resource.attributes).toContainEqual({ key: 'service.name', value: { stringValue: 'orchestrator' } });
    const records = body.resourceLogs[0]!.scopeLogs[0]!.logRecords;
    expect(records[0]).toMatchObject({
      timeUnixNano: '1700000000000000000',
      severityNumber: 9,
      severityText: 'INFO',
      body: { stringValue: 'leader elected' },
      attributes: [{ key: 'token', value: { intValue: '7' } }],
    });
    expect(records[1]).toMatchObject({ severityText: 'ERROR', body: { stringValue: 'worker crashed' } });
  });

  it('retries on 429 and 503, as OTLP/HTTP specifies', async () => {
    statuses = [429, 503, 200];
    const batcher = createBatcher({ exporter: createOtlpExporter({ url }), maxBatchSize: 1, retry: { attempts: 3, backoff: { initialMs: 1, maxMs: 5 } } });
    batcher.add({ msg: 'x' });
    await batcher.flush();
    expect(bodies).toHaveLength(3);
    expect(batcher.stats).toMatchObject({ exported: 1, dropped: { exportFailed: 0 } });
  });

  it('does not retry on 500 or 400 and counts the events as dropped', async () => {
    statuses = [500, 400];
    const batcher = createBatcher({ exporter: createOtlpExporter({ url }), maxBatchSize: 1, retry: { attempts: 5, backoff: { initialMs: 1, maxMs: 5 } } });
    batcher.add({ msg: 'a' });
    await batcher.flush();
    batcher.add({ msg: 'b' });
    await batcher.flush();
    expect(bodies).toHaveLength(2);
    expect(batcher.stats.dropped.exportFailed).toBe(2);
    expect(batcher.stats.lastError?.message).toMatch(/answered 400/);
  });

  it('retries when the collector is unreachable', async () => {
    const batcher = createBatcher({ exporter: createOtlpExporter({ url: 'http://127.0.0.1:1/v1/logs' }), maxBatchSize: 1, retry: { attempts: 2, backoff: { initialMs: 1, maxMs: 1 } } });
    batcher.add({ msg: 'a' });
    await batcher.flush();
    expect(batcher.stats.dropped.exportFailed).toBe(1);
    expect(batcher.stats.lastError?.code).toBe('EEXPORTFAILED');
  });
});
