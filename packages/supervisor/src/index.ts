export { Supervisor, createSupervisor, readLeftovers, type OrphanRecord, type ApplyReport, type ServiceStatus, type SupervisorOptions } from './supervisor.js';
export { ServiceRunner, spawnProblem, type OutputEntry, type OutputLine, type ProcessRecord, type ServiceInfo, type ServiceState, type StateChange } from './service.js';
export { CpuBudget } from './outputFile.js';
export {
  computeTiers,
  parseServices,
  readinessSchema,
  restartSchema,
  sameSpec,
  serviceSpecSchema,
  stopSchema,
  validateServices,
  type Issue,
  type ReadinessSpec,
  type RestartSpec,
  type ServiceSpec,
  type ServiceSpecInput,
} from './spec.js';
export { PortInUseError, ReadinessError, SpawnError, SpecError, StoppingError, UnknownServiceError } from './errors.js';
export { portHolder } from './portHolder.js';
export { processStartTime } from './processInfo.js';
export { describeProbe } from './readiness.js';
