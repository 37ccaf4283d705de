import { dirname, resolve } from 'node:path';
import { coordinationPaths, type CoordinationPaths } from '@baton/base';

/** The orchestrator's coordination directory for a config file: `<config dir>/.baton/orchestrator`. */
export function orchestratorPaths(configFile: string): CoordinationPaths {
  return coordinationPaths({ scope: 'orchestrator', root: dirname(resolve(configFile)) });
}
