export { Store, openStore, type ChangeEvent, type StoreErrorEvent, type StoreOptions, type WatchMode, type WriteOptions, type WriteResult } from './store.js';
export { checksumOf, decodeEnvelope, encodeEnvelope, encodeEnvelopeWithValue, stateFormat, type Envelope, type Recovery, type Schema } from './envelope.js';
export { ConflictError, CorruptStateError, InvalidStateError, StateTooLargeError } from './errors.js';
export { EventLog, openLog, type CompactResult, type LogOptions, type LogRecord } from './log.js';
