import { defineErrorClass, registerErrorClass } from '@baton/base';
import { FrameTooLargeError, MalformedFrameError } from './codec.js';

/** The connection closed while a request was pending, or there is no server to talk to. */
export class ConnectionLostError extends defineErrorClass('ECONNLOST') {}

/** No handler is registered for the requested method. */
export class MethodNotFoundError extends defineErrorClass('ENOMETHOD') {}

/** The server refused the auth token. */
export class AuthError extends defineErrorClass('EAUTH') {}

/** The peer speaks another protocol version, or broke the protocol. */
export class ProtocolError extends defineErrorClass('EPROTOCOL') {}

/** A frame began to arrive and did not complete within frameTimeoutMs; the connection is closed. */
export class FrameTimeoutError extends defineErrorClass('EFRAMETIMEOUT') {}

/** A connection did not complete the handshake within handshakeTimeoutMs. */
export class HandshakeTimeoutError extends defineErrorClass('EHANDSHAKETIMEOUT') {}

/** A request got no response within its timeout. */
export class RequestTimeoutError extends defineErrorClass('EREQUESTTIMEOUT') {}

/** Another live server is accepting on the path; it was not touched. */
export class ServerRunningError extends defineErrorClass('ESERVERRUNNING') {}

/** A peer did not read its messages and its queue went over the bound. */
export class SlowConsumerError extends defineErrorClass('ESLOWCONSUMER') {}

for (const errorClass of [
  ConnectionLostError,
  MethodNotFoundError,
  AuthError,
  ProtocolError,
  RequestTimeoutError,
  ServerRunningError,
  SlowConsumerError,
  FrameTimeoutError,
  HandshakeTimeoutError,
  FrameTooLargeError,
  MalformedFrameError,
]) {
  registerErrorClass(errorClass);
}

export { FrameTooLargeError, MalformedFrameError };
