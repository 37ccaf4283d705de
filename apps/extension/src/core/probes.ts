import { spawn } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:net';
import type { Endpoint } from './config.js';

export interface ProbeResult {
  readonly ok: boolean;
  /** How long the probe took (ms, monotonic). */
  readonly latencyMs: number;
  /** What was seen, for people: `HTTP 200`, `connection refused (ECONNREFUSED)`, `exit code 1`. */
  readonly detail: string;
}

/** Largest body read for `bodyMatch`; the rest is not read. */
const maxBodyBytes = 256 * 1024;

/** Probes `endpoint` once. Never rejects: a failure is a result with `ok: false` saying why. */
export async function runProbe(endpoint: Endpoint, signal?: AbortSignal): Promise<ProbeResult> {
  const started = performance.now();
  const done = (ok: boolean, detail: string): ProbeResult => ({ ok, latencyMs: Math.round((performance.now() - started) * 100) / 100, detail });
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new Error(`timed out after ${endpoint.timeoutMs} ms`)), endpoint.timeoutMs);
  const onAbort = () => controller.abort(new Error('cancelled'));
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    if (signal?.aborted) return done(false, 'cancelled');
    const outcome =
      endpoint.type === 'http' ? await probeHttp(endpoint, controller.signal) : endpoint.type === 'tcp' ? await probeTcp(endpoint, controller.signal) : await probeCommand(endpoint, controller.signal);
    return done(outcome.ok, outcome.detail);
  } catch (err) {
    return done(false, controller.signal.aborted ? String((controller.signal.reason as Error).message) : describeError(err));
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
  }
}

type Outcome = { ok: boolean; detail: string };

/**
 * A fresh connection per probe (no agent, `Connection: close`): a probe checks that the endpoint
 * accepts connections now, and leaves no idle socket open to it between probes.
 */
function probeHttp(endpoint: Extract<Endpoint, { type: 'http' }>, signal: AbortSignal): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const url = new URL(endpoint.url);
    const request = (url.protocol === 'https:' ? httpsRequest : httpRequest)(url, { method: 'GET', signal, agent: false, headers: { 'user-agent': 'baton-health-watch', connection: 'close' } }, (response) => {
      const status = response.statusCode ?? 0;
      const statusOk = endpoint.expectStatus ? endpoint.expectStatus.includes(status) : status >= 200 && status < 400;
      if (!statusOk || endpoint.bodyMatch === undefined) {
        response.resume();
        response.on('end', () => resolve({ ok: statusOk, detail: statusOk ? `HTTP ${status}` : `HTTP ${status}, expected ${endpoint.expectStatus?.join(' or ') ?? '2xx or 3xx'}` }));
        response.on('error', reject);
        return;
      }
      const chunks: Buffer[] = [];
      let length = 0;
      const finish = () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const matched = new RegExp(endpoint.bodyMatch!).test(body);
        resolve({ ok: matched, detail: matched ? `HTTP ${status}, body matches` : `HTTP ${status}, body does not match /${endpoint.bodyMatch}/` });
      };
      response.on('data', (chunk: Buffer) => {
        if (length >= maxBodyBytes) return;
        chunks.push(chunk);
        length += chunk.length;
        if (length >= maxBodyBytes) {
          response.destroy();
          finish();
        }
      });
      response.on('end', finish);
      response.on('error', (err) => (length >= maxBodyBytes ? undefined : reject(err)));
    });
    request.on('error', reject);
    request.end();
  });
}

function probeTcp(endpoint: Extract<Endpoint, { type: 'tcp' }>, signal: AbortSignal): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: endpoint.host, port: endpoint.port, signal });
    socket.once('connect', () => {
      socket.destroy();
      resolve({ ok: true, detail: `connected to ${endpoint.host}:${endpoint.port}` });
    });
    socket.once('error', reject);
  });
}

function probeCommand(endpoint: Extract<Endpoint, { type: 'command' }>, signal: AbortSignal): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(endpoint.command, [...endpoint.args], { cwd: endpoint.cwd, stdio: 'ignore', signal, killSignal: 'SIGKILL', windowsHide: true });
    child.once('error', reject);
    child.once('exit', (code, exitSignal) => {
      if (signal.aborted) return; // 'error' reports it
      if (code === null) resolve({ ok: false, detail: `ended by ${exitSignal}` });
      else resolve({ ok: code === endpoint.expectExitCode, detail: code === endpoint.expectExitCode ? `exit code ${code}` : `exit code ${code}, expected ${endpoint.expectExitCode}` });
    });
  });
}

const errnoText: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host lookup failed',
  ETIMEDOUT: 'connection timed out',
  EHOSTUNREACH: 'host unreachable',
  ENOENT: 'command not found',
  EACCES: 'permission denied',
};

function describeError(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code && errnoText[code]) return `${errnoText[code]} (${code})`;
  return (err as Error | undefined)?.message ?? String(err);
}
