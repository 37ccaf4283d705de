import { createHash } from 'node:crypto';
import { chmodSync, lstatSync, mkdirSync, type Stats } from 'node:fs';
import { chmod, lstat, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, posix, win32 } from 'node:path';
import { InvalidArgumentError, UnsafePathError } from './errors.js';

/** Options of `coordinationPaths`: the scope, the root under which `.baton/` lives, and where long socket paths go. */
export interface CoordinationPathsOptions {
  /** What the files coordinate, for example a workspace id or 'global'. Becomes a directory name. */
  scope: string;
  /** The directory under which `.baton/` lives (default: the current directory). */
  root?: string;
  /** Where sockets go when the natural path is too long (default $XDG_RUNTIME_DIR, else <tmp>/baton-<uid>). */
  runtimeDir?: string;
  /** For tests of other platforms' naming (default process.platform). */
  platform?: NodeJS.Platform;
}

/** Where a scope keeps its coordination files: its directory, and the path of each kind of file in it. */
export interface CoordinationPaths {
  readonly scope: string;
  /** `<root>/.baton/<scope>`: the scope's private directory (0700). */
  readonly dir: string;
  /** `<root>/.baton`. */
  readonly batonDir: string;
  /** File holding the scope's IPC auth token (0600). */
  readonly tokenFile: string;
  /** The lock file of `name` in this scope. */
  lockFile(name: string): string;
  /** The state file of `name` in this scope. */
  stateFile(name: string): string;
  /** The log file of `name` in this scope. */
  logFile(name: string): string;
  /**
   * A Unix socket path that fits the platform's limit (a hashed name under the runtime dir when
   * `<dir>/<name>.sock` is too long), or a named pipe `\\.\pipe\baton-<hash>` on Windows.
   */
  socketPath(name: string): string;
  /** Creates the directories (0700) and checks that they are safe to use. Returns this. */
  ensure(): Promise<CoordinationPaths>;
}

/** sun_path is 108 bytes on Linux, 104 on macOS and the BSDs, including the terminating NUL. */
export function maxSocketPathBytes(platform: NodeJS.Platform = process.platform): number {
  return platform === 'linux' || platform === 'android' ? 107 : 103;
}

const unsafeChars = /[^A-Za-z0-9._-]/g;

/**
 * A name usable as one path segment on every platform: characters outside [A-Za-z0-9._-] become
 * %XX, so distinct names stay distinct ('task:42' -> 'task%3A42'); long names are shortened
 * with a hash.
 */
export function toFileName(name: string, what = 'name'): string {
  if (typeof name !== 'string' || name.length === 0) {
    throw new InvalidArgumentError(`${what} must be a non-empty string, got ${JSON.stringify(name)}`);
  }
  if (name === '.' || name === '..') throw new InvalidArgumentError(`${what} must not be '${name}'`);
  const encoded = name.replace(unsafeChars, (ch) =>
    [...Buffer.from(ch, 'utf8')].map((b) => '%' + b.toString(16).toUpperCase().padStart(2, '0')).join(''),
  );
  if (encoded.length <= 80) return encoded;
  return `${encoded.slice(0, 60)}-${shortHash(name)}`;
}

/** A short, stable hex hash of `text` (for file names derived from ids or paths). */
export function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

/** Where sockets go when a natural path is too long: $XDG_RUNTIME_DIR, else <tmp>/baton-<uid>. */
export function defaultRuntimeDir(): string {
  const xdg = process.env.XDG_RUNTIME_DIR;
  if (xdg) return xdg;
  const uid = process.getuid?.() ?? 'user';
  return join(tmpdir(), `baton-${uid}`);
}

/** Options of `socketPath`: where a socket goes when its path is too long, and the platform whose rules apply. */
export interface SocketPathOptions {
  /** Where the socket goes when `<dir>/<name>.sock` is too long (default: defaultRuntimeDir()). */
  runtimeDir?: string;
  platform?: NodeJS.Platform;
}

/**
 * The socket for `name` beside the files of `dir`: `<dir>/<name>.sock` when it fits the Unix
 * limit, else `<runtimeDir>/baton-<hash>.sock` (whoever listens there ensures that directory);
 * a named pipe `\\.\pipe\baton-<hash>` on Windows. The hash covers `dir` and `name`.
 */
export function socketPathIn(dir: string, name: string, options: SocketPathOptions = {}): string {
  const platform = options.platform ?? process.platform;
  const file = toFileName(name, 'socket name');
  const hash = shortHash(`${dir}\0${name}`);
  if (platform === 'win32') return `\\\\.\\pipe\\baton-${hash}`;
  // A POSIX platform's paths even when simulated on Windows (the platform option).
  const natural = posix.join(dir, `${file}.sock`);
  if (Buffer.byteLength(natural) <= maxSocketPathBytes(platform)) return natural;
  const short = posix.join(options.runtimeDir ?? defaultRuntimeDir(), `baton-${hash}.sock`);
  if (Buffer.byteLength(short) <= maxSocketPathBytes(platform)) return short;
  throw new InvalidArgumentError(
    `No socket path for '${name}' fits the ${maxSocketPathBytes(platform)}-byte limit: ${short} is too long; set runtimeDir to a shorter directory`,
  );
}

/** Where a scope's lock, state, log and socket files live. Pure: call `ensure()` to create them. */
export function coordinationPaths(options: CoordinationPathsOptions): CoordinationPaths {
  const platform = options.platform ?? process.platform;
  // The given platform's path rules, so that one simulated (the platform option) is simulated whole.
  const { dirname, join, resolve } = platform === 'win32' ? win32 : posix;
  const scope = toFileName(options.scope, 'scope');
  const batonDir = resolve(options.root ?? process.cwd(), '.baton');
  const dir = join(batonDir, scope);
  const runtimeDir = options.runtimeDir ?? defaultRuntimeDir();
  let usesRuntimeDir = false;
  let ensured = false;

  const paths: CoordinationPaths = {
    scope: options.scope,
    dir,
    batonDir,
    tokenFile: join(dir, 'auth.token'),
    lockFile: (name) => join(dir, `${toFileName(name, 'lock name')}.lock`),
    stateFile: (name) => join(dir, `${toFileName(name, 'state name')}.state.json`),
    logFile: (name) => join(dir, `${toFileName(name, 'log name')}.log`),
    socketPath(name) {
      const path = socketPathIn(dir, name, { runtimeDir, platform });
      if (platform !== 'win32' && dirname(path) !== dir) {
        // Asked for after ensure(): create the directory now, so the order of the calls does not matter.
        if (ensured && !usesRuntimeDir) ensureSecureDirectorySync(runtimeDir);
        usesRuntimeDir = true;
      }
      return path;
    },
    async ensure() {
      await ensureSecureDirectory(batonDir);
      await ensureSecureDirectory(dir);
      if (usesRuntimeDir && platform !== 'win32') await ensureSecureDirectory(runtimeDir);
      ensured = true;
      return paths;
    },
  };
  return paths;
}

/**
 * Creates `dir` (mode 0700) if missing, then refuses it unless it is safe (see
 * checkSecureDirectory). A directory of ours that others can merely read is tightened to 0700.
 */
export async function ensureSecureDirectory(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const mode = await checkSecureDirectory(dir);
  if ((mode & 0o077) !== 0) await chmod(dir, 0o700);
}

/**
 * Refuses `dir` unless it is a real directory owned by this user and not writable by group or
 * others: anyone who can write there could plant or replace a lock, a state file or a socket.
 * The same holds for root: a directory others can write to is refused, whoever runs. Windows has
 * no POSIX owner or mode bits; only the directory check applies there. Returns the mode bits.
 */
export async function checkSecureDirectory(dir: string): Promise<number> {
  return verifyDirectory(dir, await lstat(dir));
}

/** checkSecureDirectory in one system call on this thread, for hot paths where a trip to the thread pool costs more than the call. */
export function checkSecureDirectorySync(dir: string): number {
  return verifyDirectory(dir, lstatSync(dir));
}

/** ensureSecureDirectory for a synchronous caller (socketPath after ensure). */
function ensureSecureDirectorySync(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const mode = verifyDirectory(dir, lstatSync(dir));
  if ((mode & 0o077) !== 0) chmodSync(dir, 0o700);
}

function verifyDirectory(dir: string, stats: Stats): number {
  if (stats.isSymbolicLink()) {
    throw new UnsafePathError(`Refusing coordination directory ${dir}: it is a symbolic link. Remove it and let Baton create a directory.`, { data: { path: dir } });
  }
  if (!stats.isDirectory()) {
    throw new UnsafePathError(`Refusing coordination directory ${dir}: it is not a directory.`, { data: { path: dir } });
  }
  const mode = stats.mode & 0o777;
  if (process.platform === 'win32') return mode;
  const uid = process.getuid?.();
  if (uid !== undefined && stats.uid !== uid) {
    throw new UnsafePathError(
      `Refusing coordination directory ${dir}: it is owned by uid ${stats.uid}, not by this process's uid ${uid}. Another user could control its files; remove it or use another root.`,
      { data: { path: dir, owner: stats.uid, uid } },
    );
  }
  if ((mode & 0o022) !== 0) {
    throw new UnsafePathError(
      `Refusing coordination directory ${dir}: mode ${(stats.mode & 0o7777).toString(8).padStart(4, '0')} lets group or others write to it. Run 'chmod 700 ${dir}' if its contents are yours.`,
      { data: { path: dir, mode } },
    );
  }
  return mode;
}
