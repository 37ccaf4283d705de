import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { connect } from 'node:net';
import type { ReadinessSpec } from './spec.js';

/** The local port a tcp or http readiness probe looks at, when it is on this machine. */
export function probedPort(readiness: ReadinessSpec | undefined): { host: string; port: number } | undefined {
  if (!readiness) return undefined;
  if (readiness.type === 'tcp') return isLocal(readiness.host) ? { host: readiness.host, port: readiness.port } : undefined;
  if (readiness.type !== 'http') return undefined;
  const url = new URL(readiness.url);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (!isLocal(host)) return undefined;
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  return { host, port };
}

function isLocal(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '0.0.0.0' || host === '::' || /^127\./.test(host);
}

/** Whether something accepts connections on host:port now (a short connect). */
export function portAnswers(host: string, port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host, port });
    const done = (answered: boolean) => {
      socket.destroy();
      resolve(answered);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/**
 * Who listens on a TCP port, where the OS tells (Linux: /proc); undefined elsewhere or when the
 * holder's process is not readable by this user.
 */
export function portHolder(port: number): { pid: number; name: string } | undefined {
  if (process.platform !== 'linux') return undefined;
  const inodes = new Set<string>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      // local_address is HEX_IP:HEX_PORT; state 0A is LISTEN.
      if (fields.length > 9 && fields[3] === '0A' && parseInt(fields[1]!.split(':')[1]!, 16) === port) inodes.add(fields[9]!);
    }
  }
  if (inodes.size === 0) return undefined;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${entry}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      let target: string;
      try {
        target = readlinkSync(`/proc/${entry}/fd/${fd}`);
      } catch {
        continue;
      }
      const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
      if (inode && inodes.has(inode)) {
        let name = '';
        try {
          name = readFileSync(`/proc/${entry}/comm`, 'utf8').trim();
        } catch {
          // Gone meanwhile: the pid is still worth naming.
        }
        return { pid: Number(entry), name };
      }
    }
  }
  return undefined;
}
