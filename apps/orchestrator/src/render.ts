import type { ServiceStatus } from '@baton/supervisor';

export function formatDuration(ms: number | undefined): string {
  if (ms === undefined) return '-';
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

function lastExit(service: ServiceStatus): string {
  if (!service.lastExit) return '-';
  const how = service.lastExit.signal ? `signal ${service.lastExit.signal}` : `code ${service.lastExit.code}`;
  return service.lastExit.reason === 'liveness' ? `${how} (unhealthy)` : how;
}

/** `512 B`, `3.4 MB`, `1.2 GB`. */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let value = bytes / 1000;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ${units[unit]}`;
}

/** The state, with what qualifies it: failing liveness checks, dependencies that are not ready. */
function state(service: ServiceStatus): string {
  const notes: string[] = [];
  if (service.livenessFailures) notes.push(`liveness failing x${service.livenessFailures}`);
  if (service.degraded?.length) notes.push(`degraded: ${service.degraded.join(', ')} not ready`);
  if (service.outputDroppedBytes) notes.push(`${formatBytes(service.outputDroppedBytes)} of output dropped: it prints faster than it can be kept`);
  return notes.length ? `${service.state} (${notes.join('; ')})` : service.state;
}

/** The status table: one row per service, aligned columns. */
export function statusTable(services: readonly ServiceStatus[]): string {
  const header = ['SERVICE', 'TIER', 'STATE', 'PID', 'RESTARTS', 'UPTIME', 'LAST EXIT'];
  const rows = services.map((s) => [s.name, String(s.tier), state(s), s.pid ? String(s.pid) : '-', String(s.restarts), formatDuration(s.uptimeMs), lastExit(s)]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

/**
 * A service's line made safe for the user's terminal: every control character but the tab (ESC, which starts the
 * sequences that move the cursor, clear the screen or retitle the window; BEL; a carriage return that would overwrite
 * the line; C1 controls) shown as an escape (`\\x1b[31m`), so nothing a service printed acts on the terminal.
 */
export function visibleControls(line: string): string {
  // eslint-disable-next-line no-control-regex
  return line.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}
