import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileIfExists, writeFileAtomic } from '@baton/base';
import { AuthError } from './errors.js';

/**
 * The scope's shared secret: read from `file`, or created there (0600, atomically) when missing.
 * Only processes of the same user can read it, so only they can talk to the server. The file is
 * created exclusively: of processes starting together, one writes it and every one of them
 * returns that token (a token that lost the race is never handed out).
 */
export async function ensureAuthToken(file: string): Promise<string> {
  const existing = await readAuthToken(file);
  if (existing) return existing;
  const token = randomBytes(32).toString('hex');
  try {
    await writeFileAtomic(file, token + '\n', { mode: 0o600, exclusive: true });
    return token;
  } catch (err) {
    if (((err as Error).cause as NodeJS.ErrnoException | undefined)?.code !== 'EEXIST') throw err;
  }
  const winner = await readAuthToken(file);
  if (!winner) throw new AuthError(`Auth token file ${file} vanished while it was being created; try again`);
  return winner;
}

/** The token in `file`, or undefined if there is none. */
export async function readAuthToken(file: string): Promise<string | undefined> {
  const data = await readFileIfExists(file);
  if (data === undefined) return undefined;
  // The file is the token and a newline: the token is what a client sends, without the newline.
  const token = data.toString('utf8').trim();
  if (token.length < 16) throw new AuthError(`Auth token file ${file} holds no usable token (${token.length} characters); delete it to have a new one made`);
  return token;
}

/** Constant-time comparison of two tokens of any length. */
export function tokensMatch(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}
