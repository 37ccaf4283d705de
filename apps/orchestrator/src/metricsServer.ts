import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ServiceStatus } from '@baton/supervisor';
import { createMetrics } from '@baton/telemetry';

export type ReloadResult = 'applied' | 'deferred' | 'refused' | 'rolled_back' | 'failed';

/**
 * The orchestrator's Prometheus endpoint (`metrics.listen`): per service its state, restarts,
 * last exit code, uptime and readiness time; reloads by outcome. Service values are read from the
 * supervisor at each scrape, so nothing runs between scrapes.
 */
export class MetricsServer {
  private readonly _metrics = createMetrics({ prefix: 'baton_orchestrator_' });
  private readonly _up = this._metrics.gauge('service_up', '1 when the service is ready (or a one-shot finished), else 0', ['service']);
  private readonly _state = this._metrics.gauge('service_state', '1 for the state the service is in', ['service', 'state']);
  private readonly _restarts = this._metrics.gauge('service_restarts', 'Restarts of the service since the orchestrator started', ['service']);
  private readonly _exitCode = this._metrics.gauge('service_last_exit_code', 'Exit code of the last exit (-1 when killed by a signal)', ['service']);
  private readonly _uptime = this._metrics.gauge('service_uptime_seconds', 'Uptime of the current process', ['service']);
  private readonly _readiness = this._metrics.gauge('service_readiness_seconds', 'Time from spawn to ready, at its last start', ['service']);
  private readonly _degraded = this._metrics.gauge('service_degraded', '1 while a service it depends on is not ready', ['service']);
  private readonly _reloads = this._metrics.counter('reloads_total', 'Config reloads by outcome', ['outcome']);
  private readonly _readinessSeconds = new Map<string, number>();
  private _server: Server | undefined;

  constructor(private readonly _services: () => readonly ServiceStatus[]) {
    for (const outcome of ['applied', 'deferred', 'refused', 'rolled_back', 'failed'] satisfies ReloadResult[]) this._reloads.inc({ outcome }, 0);
  }

  /** Listens on `host:port`; rejects with the reason (address in use, not allowed). */
  async listen(host: string, port: number): Promise<AddressInfo> {
    const server = createServer((req, res) => {
      if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') {
        res.statusCode = 404;
        res.end('Baton orchestrator: metrics are at /metrics\n');
        return;
      }
      this.render().then(
        (text) => {
          res.setHeader('content-type', this._metrics.registry.contentType);
          res.end(text);
        },
        (err: unknown) => {
          res.statusCode = 500;
          res.end(`${(err as Error).message}\n`);
        },
      );
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this._server = server;
    return server.address() as AddressInfo;
  }

  readied(service: string, seconds: number): void {
    this._readinessSeconds.set(service, seconds);
  }

  reloaded(outcome: ReloadResult): void {
    this._reloads.inc({ outcome });
  }

  async render(): Promise<string> {
    for (const gauge of [this._up, this._state, this._restarts, this._exitCode, this._uptime, this._readiness, this._degraded]) gauge.reset();
    for (const s of this._services()) {
      const labels = { service: s.name };
      this._up.set(labels, s.state === 'ready' || (s.state === 'exited' && s.lastExit?.code === 0) ? 1 : 0);
      this._state.set({ service: s.name, state: s.state }, 1);
      this._restarts.set(labels, s.restarts);
      if (s.lastExit) this._exitCode.set(labels, s.lastExit.code ?? -1);
      if (s.uptimeMs !== undefined) this._uptime.set(labels, s.uptimeMs / 1000);
      const readiness = this._readinessSeconds.get(s.name);
      if (readiness !== undefined) this._readiness.set(labels, readiness);
      this._degraded.set(labels, s.degraded.length > 0 ? 1 : 0);
    }
    return this._metrics.render();
  }

  close(): Promise<void> {
    const server = this._server;
    this._server = undefined;
    if (!server) return Promise.resolve();
    server.closeAllConnections();
    return new Promise((resolve) => server.close(() => resolve()));
  }
}
