import { describe, expect, it } from '@jest/globals';
import type { ServiceStatus } from '@baton/supervisor';
import { statusTable, visibleControls } from '../src/render.js';

const base: ServiceStatus = { name: 'x', tier: 0, state: 'ready', pid: 10, restarts: 0, startedAt: undefined, uptimeMs: 5000, lastExit: undefined, livenessFailures: undefined, outputDroppedBytes: 0, restartBudget: { used: 0, max: 5, windowMs: 60_000 }, nextStartAt: undefined, degraded: [] };

describe('statusTable', () => {
  it('shows failing liveness checks, degraded dependants and an unhealthy last exit', () => {
    const table = statusTable([
      { ...base, name: 'db', livenessFailures: 0 },
      { ...base, name: 'api', tier: 1, livenessFailures: 2, degraded: ['db'], restarts: 1, lastExit: { code: 0, signal: undefined, at: '', reason: 'liveness' } },
    ]);
    expect(table.split('\n')).toEqual([
      'SERVICE  TIER  STATE                                                PID  RESTARTS  UPTIME  LAST EXIT',
      'db       0     ready                                                10   0         5s      -',
      'api      1     ready (liveness failing x2; degraded: db not ready)  10   1         5s      code 0 (unhealthy)',
    ]);
  });

  it('says how much output a service dropped', () => {
    expect(statusTable([{ ...base, name: 'yes', outputDroppedBytes: 3_750_000_000 }]).split('\n')[1]).toContain('ready (3.8 GB of output dropped: it prints faster than it can be kept)');
  });

  it('shows a service\'s escape sequences and control characters instead of passing them to the terminal', () => {
    const line = 'ok \u001b[2J\u001b]0;title\u0007 red \u001b[31mx\u001b[0m\r over\ttab \u009b';
    expect(visibleControls(line)).toBe('ok \\x1b[2J\\x1b]0;title\\x07 red \\x1b[31mx\\x1b[0m\\x0d over\ttab \\x9b');
    expect(visibleControls('plain text, ünïcödé')).toBe('plain text, ünïcödé');
  });
});
