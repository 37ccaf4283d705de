// A real stack, as users run one: Debian's redis-server in tier 0 (tcp probe), a Node app in tier 1
// (log probe; liveness on its /health, which needs redis), nginx in tier 2 (http probe through it,
// a master and two workers). tooling/scripts/ensure-tools.mjs installs redis-server and nginx.
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePorts, isAlive, killAllFixtures, makeTempDir, sleep, waitFor, type Fixture, type TempDir } from '@baton/test-utils';
import type { StatusSnapshot } from '../src/index.js';
import { answers, cli, startOrchestrator } from './helpers.js';

const app = fileURLToPath(new URL('./fixtures/redisApp.mjs', import.meta.url));
const linux = process.platform === 'linux';
const have = (bin: string) => spawnSync('sh', ['-c', `command -v ${bin}`]).status === 0;
let tmp: TempDir;
let ports: { redis: number; app: number; nginx: number };

async function writeStack(nginxEnv = 'one'): Promise<void> {
  const nginxDir = join(tmp.path, 'nginx');
  await mkdir(nginxDir, { recursive: true });
  await writeFile(
    join(nginxDir, 'nginx.conf'),
    `daemon off;\nmaster_process on;\nworker_processes 2;\npid ${nginxDir}/nginx.pid;\nerror_log stderr warn;\nevents { worker_connections 64; }\nhttp {\n  access_log off;\n  client_body_temp_path ${nginxDir}/body;\n  proxy_temp_path ${nginxDir}/proxy;\n  fastcgi_temp_path ${nginxDir}/fastcgi;\n  uwsgi_temp_path ${nginxDir}/uwsgi;\n  scgi_temp_path ${nginxDir}/scgi;\n  server {\n    listen 127.0.0.1:${ports.nginx};\n    location / { proxy_pass http://127.0.0.1:${ports.app}; }\n  }\n}\n`,
  );
  await writeFile(
    join(tmp.path, 'orchestrator.yaml'),
    `reload: { debounceMs: 100000 }
services:
  redis:
    command: redis-server
    args: [--port, "${ports.redis}", --bind, 127.0.0.1, --save, "", --appendonly, "no"]
    tier: 0
    readiness: { type: tcp, port: ${ports.redis}, periodMs: 50 }
    restart: { policy: on-failure, maxRestarts: 2, windowMs: 60000, backoff: { initialMs: 100, maxMs: 200, jitter: 0 } }
  app:
    command: ${process.execPath}
    args: [${app}]
    tier: 1
    env: { REDIS_PORT: "${ports.redis}", APP_PORT: "${ports.app}" }
    readiness: { type: log, pattern: "app ready" }
    liveness: { type: http, url: "http://127.0.0.1:${ports.app}/health", periodMs: 200, failureThreshold: 2, timeoutMs: 1000 }
    restart: { policy: on-failure, maxRestarts: 50, windowMs: 60000, backoff: { initialMs: 100, maxMs: 300, jitter: 0 } }
  nginx:
    command: nginx
    args: [-e, stderr, -p, ${nginxDir}, -c, ${nginxDir}/nginx.conf]
    tier: 2
    env: { STACK_VERSION: "${nginxEnv}" }
    readiness: { type: http, url: "http://127.0.0.1:${ports.nginx}/health", periodMs: 50 }
    stop: { signal: SIGQUIT, timeoutMs: 5000 }
`,
  );
}

async function status(): Promise<StatusSnapshot> {
  const result = await cli(tmp.path, ['status', '--json']);
  return JSON.parse(result.stdout) as StatusSnapshot;
}
const byName = (snapshot: StatusSnapshot) => Object.fromEntries(snapshot.services.map((s) => [s.name, s]));
/** Live (non-zombie) members of process group `pgid`. */
function group(pgid: number): number[] {
  const out = spawnSync('ps', ['-eo', 'pid=,pgid=,stat='], { encoding: 'utf8' }).stdout;
  return out.trim().split('\n').map((l) => l.trim().split(/\s+/)).filter(([, g, stat]) => Number(g) === pgid && !stat!.startsWith('Z')).map(([p]) => Number(p));
}
const count = async () => (await fetch(`http://127.0.0.1:${ports.nginx}/count`)).text();

beforeAll(() => {
  if (linux && (!have('redis-server') || !have('nginx'))) {
    throw new Error("The real-stack test needs redis-server and nginx: 'sudo apt-get install redis-server nginx' (the test script installs them when it can)");
  }
});
afterEach(async () => {
  await cli(tmp.path, ['stop']).catch(() => {});
  await killAllFixtures();
  await tmp.cleanup();
});
afterAll(killAllFixtures);

describe('a real stack: redis, a node app, nginx', () => {
  (linux ? it : it.skip)('starts in tiers, restarts a crash, reloads only what changed, marks dependants, and stops every process', async () => {
    tmp = await makeTempDir();
    const [redis, app, nginx] = await freePorts(3);
    ports = { redis: redis!, app: app!, nginx: nginx! };
    await writeStack();
    const orchestrator: Fixture = await startOrchestrator(tmp.path);
    const text = orchestrator.lines.join('\n');
    expect(text.indexOf('tier 1: app starting')).toBeGreaterThan(text.indexOf('tier 0: redis ready'));
    expect(text.indexOf('tier 2: nginx starting')).toBeGreaterThan(text.indexOf('tier 1: app ready'));
    expect(await count()).toBe('1');
    let services = byName(await status());
    // nginx's master and its two workers are one group, stopped together.
    const nginxGroup = services.nginx!.pid!;
    await waitFor(() => group(nginxGroup).length >= 3, { what: 'nginx and its workers' });

    // A crash of redis: restarted with its backoff; the app's liveness notices meanwhile or not, and all are ready again.
    const redisPid = services.redis!.pid!;
    process.kill(redisPid, 'SIGKILL');
    await waitFor(async () => {
      const s = byName(await status());
      return s.redis!.state === 'ready' && s.redis!.pid !== redisPid && s.app!.state === 'ready' && s.app!.degraded.length === 0;
    }, { timeoutMs: 20_000, what: 'redis restarted and the stack healthy' });
    services = byName(await status());
    expect(services.redis!.restarts).toBe(1);
    expect(Number(await count())).toBeGreaterThanOrEqual(1);

    // A reload that changes only nginx restarts only nginx.
    const before = Object.fromEntries(Object.values(services).map((s) => [s.name, s.pid]));
    await writeStack('two');
    const reload = await cli(tmp.path, ['reload']);
    expect(reload.stdout).toContain('changed nginx');
    const after = byName(await status());
    expect([after.redis!.pid, after.app!.pid]).toEqual([before.redis, before.app]);
    expect(after.nginx!.pid).not.toBe(before.nginx);
    expect(group(nginxGroup)).toEqual([]);

    // redis gives up (killed past its restart limit): the app's liveness fails and it is restarted;
    // while ready it is shown degraded; nginx too (it is above both).
    for (let i = 0; i < 3; i++) {
      const s = byName(await status());
      if (s.redis!.pid) process.kill(s.redis!.pid, 'SIGKILL');
      await waitFor(async () => {
        const now = byName(await status()).redis!;
        return now.state === 'failed' || (now.pid !== undefined && now.pid !== s.redis!.pid && now.state === 'ready');
      }, { timeoutMs: 20_000, what: `redis after kill ${i + 1}` });
    }
    await waitFor(async () => byName(await status()).redis!.state === 'failed', { timeoutMs: 10_000, what: 'redis gave up' });
    // The terminal and the log give the same count (restarts within the window), and the last attempt's cause.
    await waitFor(() => orchestrator.lines.some((l) => l.includes('redis failed: restarted 2 times within 60 s and gave up; the last attempt: killed by SIGKILL')), { what: 'the give-up line' });
    expect(orchestrator.lines.some((l) => l.includes('restarted 2 times within 60000 ms; giving up'))).toBe(true);
    await waitFor(async () => (byName(await status()).app!.lastExit?.reason ?? '') === 'liveness', { timeoutMs: 20_000, what: 'the app stopped for its liveness' });
    await waitFor(async () => {
      const s = byName(await status());
      return s.nginx!.state === 'ready' && s.nginx!.degraded.includes('redis');
    }, { timeoutMs: 10_000, what: 'nginx degraded' });
    const table = await cli(tmp.path, ['status']);
    expect(table.stdout).toMatch(/redis\s+0\s+failed/);
    expect(table.stdout).toMatch(/nginx\s+2\s+ready \(degraded: [a-z, ]*redis[a-z, ]* not ready\)/);

    // Stop: no process of any service is left, nginx's workers included.
    const pids = (await status()).services.map((s) => s.pid).filter((p): p is number => p !== undefined);
    const nginxNow = byName(await status()).nginx!.pid!;
    expect((await cli(tmp.path, ['stop'])).stdout).toContain('stopped');
    await orchestrator.exited;
    expect(pids.filter(isAlive)).toEqual([]);
    expect(group(nginxNow)).toEqual([]);
  }, 120_000);

  (linux ? it : it.skip)('after a SIGKILLed orchestrator the next start stops the leftovers (nginx workers too) before starting', async () => {
    tmp = await makeTempDir();
    const [redis, app, nginx] = await freePorts(3);
    ports = { redis: redis!, app: app!, nginx: nginx! };
    await writeStack();
    const first = await startOrchestrator(tmp.path);
    const services = byName(await status());
    const nginxGroup = services.nginx!.pid!;
    await waitFor(() => group(nginxGroup).length >= 3, { what: 'nginx and its workers' });
    first.kill('SIGKILL');
    await first.exited;
    await sleep(300);
    expect(isAlive(services.redis!.pid!)).toBe(true);
    const second = await startOrchestrator(tmp.path);
    expect(second.lines.join('\n')).toContain('stopping a leftover process of a previous supervisor');
    expect(group(nginxGroup)).toEqual([]);
    expect(isAlive(services.redis!.pid!)).toBe(false);
    expect(await count()).toBe('1');
  }, 90_000);

  (linux ? it : it.skip)('a redis already on the port is named, and nothing is started against it', async () => {
    tmp = await makeTempDir();
    const [redis, app, nginx] = await freePorts(3);
    ports = { redis: redis!, app: app!, nginx: nginx! };
    await writeStack();
    const squatter: ChildProcess = spawn('redis-server', ['--port', String(ports.redis), '--bind', '127.0.0.1', '--save', ''], { stdio: 'ignore' });
    try {
      await waitFor(() => answers(ports.redis), { what: 'the other redis listening' });
      const result = await cli(tmp.path, ['start']);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`Service 'redis' was not started: port ${ports.redis}, which its tcp readiness probe checks, is already in use by pid ${squatter.pid} (redis-server)`);
      expect(result.stdout).toContain(`redis failed: not started: port ${ports.redis}, which its tcp readiness probe checks, is in use by pid ${squatter.pid} (redis-server)`);
      expect(result.stdout).not.toContain('app starting');
    } finally {
      squatter.kill('SIGKILL');
    }
  }, 60_000);
});
