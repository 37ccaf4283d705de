export { Orchestrator, AlreadyRunningError, WorkspaceLockError, ConfigError, loadConfig, type Lifecycle, type LifecycleEvent, type OrchestratorOptions, type ReloadOutcome, type StatusSnapshot } from './orchestrator.js';
export { parseConfig, interpolate, type OrchestratorConfig } from './config.js';
export { orchestratorPaths } from './paths.js';
export { statusTable, formatDuration } from './render.js';
