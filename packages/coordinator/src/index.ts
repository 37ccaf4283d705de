export {
  Group,
  joinGroup,
  type CallContext,
  type CallHandler,
  type CallOptions,
  type GroupLeader,
  type GroupOptions,
  type GroupRole,
  type GroupRoleChange,
  type GroupStoreOptions,
  type LeaderTask,
} from './group.js';
export type { Member } from './protocol.js';
export type { GroupMetricsReport, LatencyReport } from './metrics.js';
export { CallFailedError, CallTimeoutError, GroupClosedError, LeaderChangedError, NoLeaderError, NotLeaderError, isRetryable } from './errors.js';
