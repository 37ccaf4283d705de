import { BatonError, defineErrorClass, registerErrorClass, type BatonErrorOptions } from '@baton/base';

/** Service specs that do not validate; `issues` lists each problem with its path. */
export class SpecError extends BatonError {
  constructor(
    readonly issues: readonly { path: string; message: string }[],
    options?: BatonErrorOptions,
  ) {
    super('EINVALIDSPEC', `Invalid service configuration:\n${issues.map((i) => `  ${i.path}: ${i.message}`).join('\n')}`, options);
  }
}

/** A service did not become ready (probe timed out, or it exited first). */
export class ReadinessError extends BatonError {
  constructor(
    readonly service: string,
    message: string,
    readonly lastLines: readonly string[],
    options?: BatonErrorOptions,
  ) {
    super('ENOTREADY', message, options);
  }
}

/** An operation named a service that is not configured. */
export class UnknownServiceError extends defineErrorClass('ENOSERVICE') {}

/** A service's program could not be started (not found in PATH, not executable, a missing cwd). */
export class SpawnError extends defineErrorClass('ESPAWN') {}

/** The port a service's tcp/http readiness probe looks at is held by another program before it starts. */
export class PortInUseError extends defineErrorClass('EPORTINUSE') {}

/** A service start or restart was asked after the supervisor began to stop. */
export class StoppingError extends defineErrorClass('ESTOPPING') {}

for (const errorClass of [SpecError, ReadinessError, UnknownServiceError, SpawnError, PortInUseError, StoppingError]) registerErrorClass(errorClass);
