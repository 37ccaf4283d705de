import type { Results } from './results.js';

/** Messages to the dashboard: the whole state (first, and after each reload), then changes. */
export type ToDashboard = { type: 'snapshot'; results: Results; muted: readonly string[]; role: string } | { type: 'results'; results: Results } | { type: 'muted'; muted: readonly string[] } | { type: 'role'; role: string };

/** Messages from the dashboard. */
export type FromDashboard = { type: 'runNow' } | { type: 'mute'; id: string; muted: boolean };

/** Checks a message from the dashboard (it crosses a process boundary: the webview is another process). */
export function parseFromDashboard(message: unknown): FromDashboard | undefined {
  if (typeof message !== 'object' || message === null) return undefined;
  const m = message as Record<string, unknown>;
  if (m.type === 'runNow') return { type: 'runNow' };
  if (m.type === 'mute' && typeof m.id === 'string' && m.id.length < 2000 && typeof m.muted === 'boolean') return { type: 'mute', id: m.id, muted: m.muted };
  return undefined;
}

/** Counts for the status bar and the dashboard's header. */
export function summarize(results: Results): { up: number; down: number; unknown: number } {
  const counts = { up: 0, down: 0, unknown: 0 };
  for (const status of Object.values(results.endpoints)) counts[status.state]++;
  return counts;
}

/**
 * The dashboard page. Strict CSP: nothing loads from anywhere, the one script and style carry a
 * nonce, and the page draws from the messages it gets (no HTML from the results is ever parsed:
 * text goes in through textContent). Colours are the theme's (VS Code's CSS variables).
 */
export function dashboardHtml(nonce: string, cspSource: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src ${cspSource} data:; style-src 'nonce-${nonce}'; script-src 'nonce-${nonce}';">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Health Watch</title>
<style nonce="${nonce}">
  body { font-family: var(--vscode-font-family); color: var(--vscode-foreground); background: var(--vscode-editor-background); padding: 0 16px; }
  h1 { font-size: 1.3em; font-weight: 600; }
  h2 { font-size: 1.05em; font-weight: 600; margin-top: 1.5em; }
  table { border-collapse: collapse; width: 100%; }
  th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid var(--vscode-panel-border); vertical-align: middle; }
  .up { color: var(--vscode-testing-iconPassed); }
  .down { color: var(--vscode-testing-iconFailed); }
  .unknown { color: var(--vscode-descriptionForeground); }
  .muted { opacity: 0.6; }
  button { color: var(--vscode-button-foreground); background: var(--vscode-button-background); border: none; padding: 3px 10px; cursor: pointer; }
  button:hover { background: var(--vscode-button-hoverBackground); }
  svg polyline { fill: none; stroke: var(--vscode-charts-blue); stroke-width: 1.5; }
  svg circle.fail { fill: var(--vscode-charts-red); }
  .meta { color: var(--vscode-descriptionForeground); }
</style>
</head>
<body>
<h1>Health Watch <span id="summary" class="meta"></span></h1>
<p><button id="run">Run Probes Now</button> <span id="role" class="meta"></span></p>
<table><thead><tr><th>Endpoint</th><th>State</th><th>Latency</th><th>Uptime</th><th>Breaker</th><th>Last 60 probes (latency)</th><th></th></tr></thead><tbody id="endpoints"></tbody></table>
<h2>Incidents</h2>
<table><thead><tr><th>Endpoint</th><th>Started</th><th>Ended</th><th>What</th></tr></thead><tbody id="incidents"></tbody></table>
<script nonce="${nonce}">
(function () {
  const vscode = acquireVsCodeApi();
  let results = { endpoints: {}, incidents: [] };
  let muted = [];
  const el = (tag, text, cls) => { const e = document.createElement(tag); if (text !== undefined) e.textContent = String(text); if (cls) e.className = cls; return e; };
  const time = (ms) => ms === undefined ? '' : new Date(ms).toLocaleString();
  function chart(history) {
    const ns = 'http://www.w3.org/2000/svg';
    const svg = document.createElementNS(ns, 'svg');
    svg.setAttribute('width', '180'); svg.setAttribute('height', '28');
    const max = Math.max(1, ...history.map((h) => h.latencyMs));
    const x = (i) => (history.length < 2 ? 90 : (i * 176) / (history.length - 1) + 2);
    const y = (v) => 26 - (v / max) * 24;
    const line = document.createElementNS(ns, 'polyline');
    line.setAttribute('points', history.map((h, i) => x(i) + ',' + y(h.latencyMs)).join(' '));
    svg.appendChild(line);
    history.forEach((h, i) => { if (!h.ok) { const c = document.createElementNS(ns, 'circle'); c.setAttribute('cx', x(i)); c.setAttribute('cy', '24'); c.setAttribute('r', '2'); c.setAttribute('class', 'fail'); svg.appendChild(c); } });
    const title = document.createElementNS(ns, 'title'); title.textContent = 'max ' + max + ' ms'; svg.appendChild(title);
    return svg;
  }
  function render() {
    const list = Object.values(results.endpoints).sort((a, b) => a.name.localeCompare(b.name));
    const counts = { up: 0, down: 0, unknown: 0 };
    list.forEach((s) => counts[s.state]++);
    document.getElementById('summary').textContent = counts.up + ' up, ' + counts.down + ' down' + (counts.unknown ? ', ' + counts.unknown + ' not yet probed' : '');
    const body = document.getElementById('endpoints');
    body.replaceChildren();
    for (const s of list) {
      const isMuted = muted.includes(s.id);
      const row = el('tr', undefined, isMuted ? 'muted' : '');
      const name = el('td'); name.appendChild(el('div', s.name)); name.appendChild(el('div', s.target, 'meta')); row.appendChild(name);
      const state = el('td', s.state, s.state); state.title = s.detail || ''; row.appendChild(state);
      row.appendChild(el('td', s.latencyMs === undefined ? '' : s.latencyMs + ' ms'));
      row.appendChild(el('td', s.checks ? ((100 * s.ups) / s.checks).toFixed(1) + '%' : ''));
      row.appendChild(el('td', s.breaker.state + (s.breaker.state === 'open' ? ' until ' + time(s.breaker.retryAt) : '')));
      const graph = el('td'); graph.appendChild(chart(s.history)); row.appendChild(graph);
      const action = el('td'); const b = el('button', isMuted ? 'Unmute' : 'Mute');
      b.addEventListener('click', () => vscode.postMessage({ type: 'mute', id: s.id, muted: !isMuted }));
      action.appendChild(b); row.appendChild(action);
      body.appendChild(row);
    }
    const incidents = document.getElementById('incidents');
    incidents.replaceChildren();
    for (const i of [...results.incidents].reverse().slice(0, 50)) {
      const row = el('tr', undefined, i.endedAt === undefined ? 'down' : '');
      row.appendChild(el('td', i.name)); row.appendChild(el('td', time(i.startedAt))); row.appendChild(el('td', i.endedAt === undefined ? 'ongoing' : time(i.endedAt))); row.appendChild(el('td', i.detail));
      incidents.appendChild(row);
    }
  }
  window.addEventListener('message', (event) => {
    const m = event.data;
    if (m.type === 'snapshot') { results = m.results; muted = m.muted; document.getElementById('role').textContent = 'this window: ' + m.role; }
    else if (m.type === 'results') results = m.results;
    else if (m.type === 'muted') muted = m.muted;
    else if (m.type === 'role') document.getElementById('role').textContent = 'this window: ' + m.role;
    render();
  });
  document.getElementById('run').addEventListener('click', () => vscode.postMessage({ type: 'runNow' }));
  vscode.postMessage({ type: 'ready' });
})();
</script>
</body>
</html>`;
}
