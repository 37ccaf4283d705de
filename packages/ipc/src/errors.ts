import { BatonError, registerErrorClass, type BatonErrorOptions } from '@baton/base';
import { FrameTooLargeError, MalformedFrameError } from './codec.js';

/** The connection closed while a request was pending, or there is no server to talk to. */
export class ConnectionLostError extends BatonError {
  constructor(message: string, options?: BatonErrorOptions) {
    super('ECONNLOST', message, options);
  }
}

/** No handler is registered for the requested method. */
export class MethodNotFoundError extends BatonError {
  constructor(message: string, options?: BatonErrorOptions) {
    super('ENOMETHOD', message, options);
  }
}

/** The server refused the auth token. */
export class AuthError extends BatonError {
  constructor(message: string, options?: BatonErrorOptions) {
    super('EAUTH', message, options);
  }
}

/** The peer speaks another protocol version, or broke the protocol. */
export class ProtocolError extends BatonError {
  constructor(message: string, options?: BatonErrorOptions) {
    super('EPROTOCOL', message, options);
  }
}

/** A request got no response within its timeout. */
export class RequestTimeoutError extends BatonError {
  constructor(message: string, options?: BatonErrorOptions) {
    super('EREQUESTTIMEOUT', message, options);
  }
}

/** Another live server is accepting on the path; it was not touched. */
export class ServerRunningError extends BatonError {
  constructor(message: string, options?: BatonErrorOptions) {
    super('ESERVERRUNNING', message, options);
  }
}

/** A peer did not read its messages and its queue went over the bound. */
export class SlowConsumerError extends BatonError {
  constructor(message: string, options?: BatonErrorOptions) {
    super('ESLOWCONSUMER', message, options);
  }
}

for (const errorClass of [
  ConnectionLostError,
  MethodNotFoundError,
  AuthError,
  ProtocolError,
  RequestTimeoutError,
  ServerRunningError,
  SlowConsumerError,
  FrameTooLargeError,
  MalformedFrameError,
]) {
  registerErrorClass(errorClass);
}

export { FrameTooLargeError, MalformedFrameError };
