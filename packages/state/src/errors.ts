import { BatonError, defineErrorClass, registerErrorClass, type BatonErrorOptions } from '@baton/base';

/** The write lock could not be had within the retry budget (other writers kept it). */
export class ConflictError extends defineErrorClass('ECONFLICT') {}

/**
 * What is on disk is not a valid state file; `reason` says why (`missing`: the file is gone and
 * nothing else holds its value). The store keeps its last good value and never writes over good
 * data because of it.
 */
export class CorruptStateError extends BatonError {
  constructor(
    readonly reason: 'json' | 'checksum' | 'format' | 'schema' | 'size' | 'envelope' | 'record' | 'missing',
    message: string,
    options?: BatonErrorOptions,
  ) {
    super('ECORRUPT', message, options);
  }
}

/** A value given to set()/update() fails the schema; nothing was written. */
export class InvalidStateError extends defineErrorClass('EINVALIDSTATE') {}

/** A value given to set()/update() serializes to more than maxBytes; nothing was written. */
export class StateTooLargeError extends defineErrorClass('ETOOLARGE') {}

for (const errorClass of [ConflictError, CorruptStateError, InvalidStateError, StateTooLargeError]) registerErrorClass(errorClass);
