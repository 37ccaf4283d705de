import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/**
 * When the process started, as an opaque string that differs between two processes that had the
 * same pid: with it, a recorded pid is only acted on if it is still the same process.
 * Linux: field 22 of /proc/<pid>/stat (clock ticks since boot); macOS/BSD: `ps -o lstart`.
 */
export function processStartTime(pid: number): string | undefined {
  if (process.platform === 'linux') {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // The command name may hold spaces and parentheses: fields start after the last ')'.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return fields[19];
    } catch {
      return undefined;
    }
  }
  if (process.platform === 'win32') return undefined;
  try {
    const out = execFileSync('ps', ['-o', 'lstart=', '-p', String(pid)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    return out || undefined;
  } catch {
    return undefined;
  }
}

/**
 * Whether any process of group `pgid` is alive. A zombie (exited, not yet reaped) is not: the
 * members of a group whose supervisor died are reaped by init, or, in a container whose first
 * process does not reap, never; waiting for them would wait for nothing.
 */
export function groupAlive(pgid: number): boolean {
  // Windows has no process groups to probe: the service's main process stands for its tree.
  if (process.platform === 'win32') return isRunning(pgid);
  try {
    process.kill(-pgid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  return process.platform === 'linux' ? liveGroupMemberOnLinux(pgid) : true;
}

function liveGroupMemberOnLinux(pgid: number): boolean {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return true;
  }
  for (const entry of entries) {
    const c = entry.charCodeAt(0);
    if (c < 48 || c > 57) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // exited meanwhile
    }
    // Fields after the command name (which may hold spaces and parentheses): state, ppid, pgrp.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ', 3);
    if (Number(fields[2]) === pgid && fields[0] !== 'Z') return true;
  }
  return false;
}

/**
 * Signals a whole process group (a service and every process it started); false if none is left.
 * On Windows, where a console program has no signal to stop gracefully and Node's kill ends only
 * the one process, the service's whole tree is ended with `taskkill /T /F`.
 */
export function signalGroup(pgid: number, signal: NodeJS.Signals): boolean {
  if (process.platform === 'win32') {
    if (!isRunning(pgid)) return false;
    try {
      execFileSync('taskkill', ['/PID', String(pgid), '/T', '/F'], { stdio: 'ignore', windowsHide: true });
      return true;
    } catch {
      // Exited meanwhile, or not ours to end: Node's own kill as the fallback.
      try {
        process.kill(pgid, signal);
        return true;
      } catch {
        return false;
      }
    }
  }
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
