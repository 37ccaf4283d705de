import { defineErrorClass, registerErrorClass } from '@baton/base';

/**
 * A write was sent to etcd and its answer was lost (the connection dropped, a deadline passed), and whether it was
 * applied could not be learned: etcd stayed unreachable, or the key's history since the write was compacted.
 * `data.writeIds` names the attempts; each is in the envelope of the value it wrote, if it landed. Retry only when
 * applying the write twice is harmless, or read the value first to decide.
 */
export class OutcomeUnknownError extends defineErrorClass('EOUTCOMEUNKNOWN') {}

registerErrorClass(OutcomeUnknownError);
