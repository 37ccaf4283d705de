export { Relay, BASE_PATH, type RelayOptions } from './relay.js';
export { parseRelayConfig, type ConfigResult, type RelayConfig } from './config.js';
export { PairingStore, normalizePairingToken } from './pairings.js';
export { TokenBucket, GuessThrottle } from './rateLimit.js';
