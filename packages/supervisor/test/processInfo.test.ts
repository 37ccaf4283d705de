import { describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { groupAlive } from '../src/processInfo.js';

describe('groupAlive', () => {
  (process.platform === 'linux' ? it : it.skip)('counts a group holding only an unreaped zombie as gone', async () => {
    // A parent that never reaps: its child makes its own group and exits at once.
    const parent = spawn('python3', ['-c', [
      'import os, sys, time',
      'pid = os.fork()',
      'if pid == 0:',
      '    os.setpgid(0, 0)',
      '    os._exit(0)',
      // Both sides set the group, so it exists before the pid is printed, whichever runs first.
      'try:',
      '    os.setpgid(pid, pid)',
      'except OSError:',
      '    pass',
      'print(pid, flush=True)',
      'time.sleep(30)',
    ].join('\n')], { stdio: ['ignore', 'pipe', 'inherit'] });
    const live = spawn('sleep', ['30'], { detached: true, stdio: 'ignore' });
    try {
      const [line] = await createInterface({ input: parent.stdout! })[Symbol.asyncIterator]().next().then((r) => [r.value as string]);
      const zombie = Number(line);
      // Until it is a zombie, the group is alive.
      const deadline = Date.now() + 5000;
      while (groupAlive(zombie) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      expect(groupAlive(zombie)).toBe(false);
      // It is still there to be signalled: only its zombie-ness makes it gone.
      expect(() => process.kill(-zombie, 0)).not.toThrow();
      expect(groupAlive(live.pid!)).toBe(true);
    } finally {
      parent.kill('SIGKILL');
      live.kill('SIGKILL');
    }
  });
});
