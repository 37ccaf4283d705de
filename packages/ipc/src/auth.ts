import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { stat } from 'node:fs/promises';
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

/**
 * The token in `file`, or undefined if there is none. As ssh treats a private key, the file is refused unless it is
 * this user's and no one else can read or write it (POSIX), and unless it holds what the protocol says: 64 lowercase
 * hex characters and a newline. Each refusal says what is wrong and how to fix it.
 */
export async function readAuthToken(file: string): Promise<string | undefined> {
  const data = await readFileIfExists(file);
  if (data === undefined) return undefined;
  if (process.platform !== 'win32') {
    const info = await stat(file);
    const uid = process.getuid?.();
    if (uid !== undefined && info.uid !== uid) {
      throw new AuthError(`Auth token file ${file} belongs to uid ${info.uid}, not to this user (uid ${uid}): another user could have written it. Remove it (a new one is made) if you trust that user, or run as its owner`, { data: { file, owner: info.uid, uid } });
    }
    const mode = info.mode & 0o777;
    if ((mode & 0o077) !== 0) {
      throw new AuthError(`Auth token file ${file} can be read or written by group or others (mode 0${mode.toString(8)}): any local user could take the token. Run: chmod 600 ${file}`, { data: { file, mode } });
    }
  }
  // The file is the token and a newline: the token is what a client sends, without the newline.
  const token = data.toString('utf8').trim();
  if (!/^[0-9a-f]{64}$/.test(token)) {
    throw new AuthError(`Auth token file ${file} holds no usable token (expected 64 lowercase hex characters, found ${token.length} characters); delete it to have a new one made`, { data: { file } });
  }
  return token;
}

/** Constant-time comparison of two tokens of any length. */
export function tokensMatch(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}
