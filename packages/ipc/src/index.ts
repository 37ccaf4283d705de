export { createServer, IpcServer, probe, removeStaleSocketFiles, type PeerInfo, type RequestContext, type RequestHandler, type ServerOptions } from './server.js';
export { connect, IpcClient, type ClientOptions, type ConnectionState, type Listener } from './client.js';
export { ensureAuthToken, readAuthToken } from './auth.js';
export { FrameDecoder, encodeFrames, encodePayload, defaultMaxFrameBytes } from './codec.js';
export { FramedChannel, framesPerTurn, type ChannelOptions, type CloseEvent, type EncodedMessage, type SlowConsumerPolicy } from './channel.js';
export { parseEnvelope, protocolVersion, supportedVersions, type Envelope } from './protocol.js';
export type { HeartbeatOptions, RequestOptions } from './rpc.js';
export {
  AuthError,
  ConnectionLostError,
  FrameTimeoutError,
  FrameTooLargeError,
  HandshakeTimeoutError,
  MalformedFrameError,
  MethodNotFoundError,
  ProtocolError,
  RequestTimeoutError,
  ServerRunningError,
  SlowConsumerError,
} from './errors.js';
