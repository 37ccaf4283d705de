import { randomBytes } from 'node:crypto';
import { closeSync, fchmodSync, fsync as fsyncCallback, fsyncSync, linkSync, openSync, renameSync, statSync, unlinkSync, write, writeSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { abortableDelay, throwIfAborted } from './abort.js';
import { BatonError, InvalidArgumentError, registerErrorClass } from './errors.js';

/** Which file a path named when it was read: as `stat(path, { bigint: true })` (or `fstat` of the handle read) gives it. */
export interface FileVersion {
  readonly ino: bigint;
  readonly size: bigint;
  readonly mtimeNs: bigint;
}

/**
 * Whether `path` is still the file `version` describes (not replaced, written to or removed since), by one
 * synchronous stat: check it right before acting on the file, in the same turn of the event loop.
 */
export function isFileUnchanged(path: string, version: FileVersion): boolean {
  const now = statSync(path, { bigint: true, throwIfNoEntry: false });
  return now !== undefined && now.ino === version.ino && now.size === version.size && now.mtimeNs === version.mtimeNs;
}

/** Options of `writeFileAtomic`. */
export interface WriteFileAtomicOptions {
  /** File mode of the result (default 0o600: coordination files are private). */
  mode?: number;
  /** fsync the file and its directory (default true). Turning it off keeps atomicity, loses durability. */
  fsync?: boolean;
  /**
   * Create `path` only if it does not exist: of writers racing to create it, exactly one
   * succeeds and the others fail with EEXIST (the error's `cause.code`), the file complete
   * whenever it is visible. Default false (replace).
   */
  exclusive?: boolean;
  /**
   * Replace `path` only while it is still this file: if another writer replaced it, wrote to it or removed it
   * since, `path` is left as it is and the write fails with `BatonError` `ECHANGED`. Checked right before the
   * rename, in the same turn of the event loop; what is left is the microseconds between the two system calls (no
   * file system offers a compare-and-rename). Not with `exclusive`.
   */
  ifUnchanged?: FileVersion;
  signal?: AbortSignal;
}

/**
 * Test-only fault points: a test sets one to fail a write at that exact place, as a disk would (the same error
 * paths as a real failure).
 */
export const atomicWriteFaultPoints: {
  /** Before the temp file is renamed over `path` (nothing visible yet). */
  beforeRename?: (path: string) => void;
  /** After the rename, before the directory's fsync (the new file is visible, not yet durable). */
  afterRename?: (path: string) => void;
} = {};

/**
 * The new file is in place and visible to every reader, but the fsync of its directory failed: after a power loss
 * the old file may be back. The write happened; it is not known to be durable. Code `ENOTDURABLE`.
 */
export class NotDurableError extends BatonError {
  constructor(message: string, options: { cause?: unknown; data?: Record<string, unknown> } = {}) {
    super('ENOTDURABLE', message, options);
  }
}

registerErrorClass(NotDurableError);

let counter = 0;

/** The temp name a write to `path` uses: hidden, in the same directory (so rename is atomic), unique. */
function tempPathFor(path: string): string {
  counter = (counter + 1) % 0x7fffffff;
  return join(dirname(path), `.${basename(path)}.${process.pid}.${counter}.${randomBytes(4).toString('hex')}.tmp`);
}

/** Whether `name` is a temp file left by writeFileAtomic (a writer killed mid-write leaves one). */
export function isAtomicWriteTempFile(name: string): boolean {
  return /^\..+\.\d+\.\d+\.[0-9a-f]{8}\.tmp$/.test(name);
}

/**
 * Data up to this size is written with one synchronous call. Each asynchronous fs call is a
 * round trip to libuv's thread pool (two thread wakeups, 50-100 us each on a VM), and a durable
 * write is nine calls: done asynchronously, the hops cost as much as the fsyncs themselves.
 * Only the fsyncs, which can stall for milliseconds, and large writes stay off the event loop.
 */
const syncWriteMaxBytes = 64 * 1024;

/**
 * Replaces `path` with `data` so that readers, and the file after a crash or power loss at any
 * point, see either the old content or the new one, never a mix: write a temp file in the same
 * directory, fsync it, rename it over `path`, fsync the directory. The temp file is removed
 * when the write fails.
 */
export async function writeFileAtomic(
  path: string,
  data: string | Uint8Array,
  options: WriteFileAtomicOptions = {},
): Promise<void> {
  const { mode = 0o600, fsync = true, exclusive = false, ifUnchanged, signal } = options;
  throwIfAborted(signal);
  if (exclusive && ifUnchanged) throw new InvalidArgumentError('writeFileAtomic: `exclusive` creates a file, `ifUnchanged` replaces one; pass one of them');
  const temp = tempPathFor(path);
  const bytes = typeof data === 'string' ? Buffer.from(data) : data;
  let renamed = false;
  try {
    // open, chmod, close and rename are metadata operations of microseconds: done in place.
    const fd = openSync(temp, 'wx', mode);
    try {
      if (bytes.byteLength <= syncWriteMaxBytes) writeAllSync(fd, bytes);
      else await writeAll(fd, bytes);
      // The creation mode is filtered by the umask; set it exactly.
      if (process.platform !== 'win32') fchmodSync(fd, mode);
      if (fsync) await fsyncAsync(fd);
    } finally {
      closeSync(fd);
    }
    throwIfAborted(signal);
    atomicWriteFaultPoints.beforeRename?.(path);
    if (exclusive) {
      // A link never replaces: the first writer's file stays, and a loser learns it by EEXIST.
      linkSync(temp, path);
      unlinkSync(temp);
    } else await renameOver(temp, path, ifUnchanged, signal);
    renamed = true;
    atomicWriteFaultPoints.afterRename?.(path);
    if (fsync) await syncDirectory(dirname(path));
  } catch (err) {
    if (!renamed) {
      try {
        unlinkSync(temp);
      } catch {
        // Never created, or already gone.
      }
    }
    if (err instanceof Error && err.name === 'AbortError') throw err;
    if (err instanceof BatonError && err.code === 'ECHANGED') throw err;
    // Past the rename the write has happened: readers see the new file. Saying it failed would have a caller write
    // it again (an update applied twice).
    if (renamed) {
      throw new NotDurableError(`Wrote ${path}, but could not make it durable (the directory's fsync failed: ${(err as Error).message}); readers see the new content, and a power loss may bring the old one back`, {
        cause: err,
        data: { path },
      });
    }
    throw new BatonError('EWRITEFAILED', `Could not write ${path} atomically: ${(err as Error).message}`, {
      cause: err,
      data: { path },
    });
  }
}

/**
 * How long a rename over `path` is retried on Windows. There a rename fails for a moment with
 * EPERM, EACCES or EBUSY while another process renames onto the same file or holds it open without
 * delete sharing (a virus scanner, an indexer, a reader of another runtime); graceful-fs retries
 * such renames for the same reason.
 */
export const windowsRenameRetryMs = 2000;

async function renameOver(temp: string, path: string, ifUnchanged: FileVersion | undefined, signal: AbortSignal | undefined): Promise<void> {
  const started = performance.now();
  for (let wait = 1; ; wait = Math.min(wait * 2, 50)) {
    if (ifUnchanged && !isFileUnchanged(path, ifUnchanged)) {
      throw new BatonError('ECHANGED', `${path} changed since it was read; it was not replaced`, { data: { path } });
    }
    try {
      renameSync(temp, path);
      return;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const transient = process.platform === 'win32' && (code === 'EPERM' || code === 'EACCES' || code === 'EBUSY');
      if (!transient || performance.now() - started >= windowsRenameRetryMs) throw err;
    }
    await abortableDelay(wait, { signal });
  }
}

function writeAllSync(fd: number, bytes: Uint8Array): void {
  for (let offset = 0; offset < bytes.byteLength; ) offset += writeSync(fd, bytes, offset);
}

async function writeAll(fd: number, bytes: Uint8Array): Promise<void> {
  for (let offset = 0; offset < bytes.byteLength; ) {
    offset += await new Promise<number>((resolve, reject) => write(fd, bytes, offset, (err, written) => (err ? reject(err) : resolve(written))));
  }
}

function fsyncAsync(fd: number): Promise<void> {
  return new Promise((resolve, reject) => fsyncCallback(fd, (err) => (err ? reject(err) : resolve())));
}

/** fsync a directory so a rename in it survives power loss. Windows cannot open directories; skip there. */
export async function syncDirectory(dir: string): Promise<void> {
  if (process.platform === 'win32') return;
  const fd = openSync(dir, 'r');
  try {
    await fsyncAsync(fd);
  } catch (err) {
    if (!fsyncRefused(err)) throw err;
  } finally {
    closeSync(fd);
  }
}

/**
 * syncDirectory, blocking this thread for the fsync: for a step whose waiters wait for it anyway
 * (a new term of an election). On a busy machine the thread pool's answer can wait several
 * milliseconds behind other callbacks; the fsync itself is usually well under one.
 */
export function syncDirectorySync(dir: string): void {
  if (process.platform === 'win32') return;
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } catch (err) {
    if (!fsyncRefused(err)) throw err;
  } finally {
    closeSync(fd);
  }
}

/** Some file systems refuse fsync on directories; the rename is still atomic there. */
function fsyncRefused(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'EINVAL' || code === 'ENOTSUP' || code === 'EPERM';
}

/** The file's content, or undefined when it does not exist. */
export async function readFileIfExists(path: string): Promise<Buffer | undefined> {
  try {
    return await readFile(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}
