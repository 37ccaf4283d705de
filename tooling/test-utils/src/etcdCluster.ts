// Real etcd clusters for tests and benchmarks: one to three members on loopback ports, each in
// its own temporary data directory, started from the `etcd` binary (Debian's etcd-server) and
// removed afterwards. Nothing here talks to an etcd the machine already runs.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { makeTempDir, type TempDir } from './tempDir.js';
import { freePorts, sleep } from './wait.js';

export interface EtcdMember {
  readonly name: string;
  readonly clientUrl: string;
  readonly peerUrl: string;
  readonly dataDir: string;
  child: ChildProcess | undefined;
  output: string;
}

export interface EtcdCluster {
  readonly members: readonly EtcdMember[];
  /** Client URLs of every member, for `hosts`. */
  readonly endpoints: string[];
  /** The member that is the Raft leader now (asks each running member). */
  leader(): Promise<EtcdMember>;
  kill(member: EtcdMember, signal?: NodeJS.Signals): Promise<void>;
  /** Starts a stopped member again on the same ports and data (rejoins the cluster). */
  restart(member: EtcdMember): Promise<void>;
  /** Stops every member and removes their data. */
  stop(): Promise<void>;
}

const clusters = new Set<EtcdCluster>();

/** Throws a sentence saying what to install when the etcd binary is missing. */
export function requireEtcd(): string {
  const found = spawnSync('etcd', ['--version'], { encoding: 'utf8' });
  if (found.error || found.status !== 0) {
    throw new Error(
      "The etcd binary is not on PATH. Install it (Debian/Ubuntu: 'sudo apt-get install etcd-server'; macOS: 'brew install etcd'); .ci/run installs it when it can.",
    );
  }
  return /etcd Version: (\S+)/.exec(found.stdout)?.[1] ?? 'unknown';
}

async function healthy(member: EtcdMember): Promise<boolean> {
  try {
    const response = await fetch(`${member.clientUrl}/health`, { signal: AbortSignal.timeout(1000) });
    const body = (await response.json()) as { health?: string };
    return body.health === 'true';
  } catch {
    return false;
  }
}

export async function startEtcdCluster(size = 1, options: { heartbeatMs?: number; electionMs?: number } = {}): Promise<EtcdCluster> {
  // The ports are free when chosen and bound by etcd a moment later: another test process running
  // at the same time can take one in between. Then start again on new ports.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startEtcdClusterOnce(size, options);
    } catch (err) {
      if (attempt >= 4 || !/address already in use/.test((err as Error).message)) throw err;
    }
  }
}

async function startEtcdClusterOnce(size: number, options: { heartbeatMs?: number; electionMs?: number }): Promise<EtcdCluster> {
  requireEtcd();
  const tmp: TempDir = await makeTempDir('baton-etcd-');
  const token = `baton-${process.pid}-${Date.now()}`;
  const members: EtcdMember[] = [];
  const ports = await freePorts(2 * size);
  for (let i = 0; i < size; i++) {
    members.push({
      name: `m${i}`,
      clientUrl: `http://127.0.0.1:${ports[2 * i]}`,
      peerUrl: `http://127.0.0.1:${ports[2 * i + 1]}`,
      dataDir: join(tmp.path, `m${i}`),
      child: undefined,
      output: '',
    });
  }
  const initialCluster = members.map((m) => `${m.name}=${m.peerUrl}`).join(',');
  // Election timeout well above what a busy 2-core machine can delay a heartbeat by, so the
  // cluster does not churn leaders under load; it bounds only the etcd leader-kill tests.
  const heartbeat = options.heartbeatMs ?? 100;
  const election = options.electionMs ?? 1000;

  const launch = (member: EtcdMember, state: 'new' | 'existing') => {
    const child = spawn(
      'etcd',
      [
        '--name', member.name,
        '--data-dir', member.dataDir,
        '--listen-client-urls', member.clientUrl,
        '--advertise-client-urls', member.clientUrl,
        '--listen-peer-urls', member.peerUrl,
        '--initial-advertise-peer-urls', member.peerUrl,
        '--initial-cluster', initialCluster,
        '--initial-cluster-state', state,
        '--initial-cluster-token', token,
        '--heartbeat-interval', String(heartbeat),
        '--election-timeout', String(election),
        '--logger', 'zap',
        '--log-level', 'error',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const keep = (chunk: Buffer) => {
      member.output = (member.output + chunk.toString('utf8')).slice(-8000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    member.child = child;
  };

  const waitHealthy = async (list: EtcdMember[]) => {
    const deadline = performance.now() + 30_000;
    for (const member of list) {
      while (!(await healthy(member))) {
        if (member.child?.exitCode !== null && member.child?.exitCode !== undefined) {
          throw new Error(`etcd member ${member.name} exited with code ${member.child.exitCode}: ${member.output}`);
        }
        if (performance.now() > deadline) throw new Error(`etcd member ${member.name} not healthy within 30 s: ${member.output}`);
        await sleep(50);
      }
    }
  };

  const kill = async (member: EtcdMember, signal: NodeJS.Signals = 'SIGKILL') => {
    const child = member.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill(signal);
    if (signal === 'SIGKILL' || signal === 'SIGTERM') {
      await exited;
      member.child = undefined;
    }
  };

  const cluster: EtcdCluster = {
    members,
    endpoints: members.map((m) => m.clientUrl),
    async leader() {
      for (;;) {
        for (const member of members) {
          if (!member.child) continue;
          try {
            const response = await fetch(`${member.clientUrl}/v3/maintenance/status`, { method: 'POST', body: '{}', signal: AbortSignal.timeout(1000) });
            const status = (await response.json()) as { header?: { member_id?: string }; leader?: string };
            if (status.leader && status.leader === status.header?.member_id) return member;
          } catch {
            // Not answering: ask the next one.
          }
        }
        await sleep(50);
      }
    },
    kill,
    async restart(member) {
      if (member.child) await kill(member);
      launch(member, 'existing');
      await waitHealthy([member]);
    },
    async stop() {
      clusters.delete(cluster);
      for (const member of members) {
        // A stopped (SIGSTOP) member must be continued to die of SIGKILL promptly everywhere.
        // (Windows has neither signal; Node throws ERR_UNKNOWN_SIGNAL for SIGCONT there.)
        if (process.platform !== 'win32') member.child?.kill('SIGCONT');
        await kill(member);
      }
      await tmp.cleanup();
    },
  };
  clusters.add(cluster);
  try {
    for (const member of members) launch(member, 'new');
    await waitHealthy(members);
  } catch (err) {
    await cluster.stop();
    throw err;
  }
  return cluster;
}

/** Stops every cluster this process started (for afterAll). */
export async function stopAllEtcdClusters(): Promise<void> {
  await Promise.all([...clusters].map((c) => c.stop()));
}
