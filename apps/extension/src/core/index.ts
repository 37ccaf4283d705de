// Baton Health Watch's core: everything but the VS Code API, so that it runs (and is tested) in
// plain Node processes the way N extension hosts run it.
export { formatIssue, parseEndpoints, parseWorkspaceFile, endpointSchema, type ConfigIssue, type ConfigSource, type Endpoint, type EndpointInput, type ParsedConfig } from './config.js';
export { runProbe, type ProbeResult } from './probes.js';
export { applyProbe, emptyResults, historyLength, incidentsKept, type EndpointState, type EndpointStatus, type HistoryPoint, type Incident, type Results } from './results.js';
export { HealthWatch, formatCoordinationStatus, formatDuration, groupName, type CoordinationStatus, type HealthWatchHost, type HealthWatchOptions, type Notice, type RunNowResult } from './healthWatch.js';
export { dashboardHtml, parseFromDashboard, summarize, type FromDashboard, type ToDashboard } from './dashboard.js';
