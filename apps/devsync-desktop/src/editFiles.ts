import { randomBytes } from 'node:crypto';
import { unlinkSync } from 'node:fs';
import { open, readdir, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { Emitter, ensureSecureDirectory, isFileUnchanged, writeFileAtomic, type Event, type FileVersion } from '@baton/base';

/** Languages the agent writes files for, and their extensions; anything else becomes `.txt`. */
export const extensions: Readonly<Record<string, string>> = {
  javascript: 'js',
  js: 'js',
  jsx: 'jsx',
  typescript: 'ts',
  ts: 'ts',
  tsx: 'tsx',
  json: 'json',
  html: 'html',
  css: 'css',
  scss: 'scss',
  less: 'less',
  markdown: 'md',
  md: 'md',
  python: 'py',
  ruby: 'rb',
  go: 'go',
  rust: 'rs',
  java: 'java',
  kotlin: 'kt',
  swift: 'swift',
  c: 'c',
  cpp: 'cpp',
  'c++': 'cpp',
  csharp: 'cs',
  'c#': 'cs',
  php: 'php',
  sql: 'sql',
  yaml: 'yaml',
  xml: 'xml',
  shell: 'sh',
  bash: 'sh',
  lua: 'lua',
  graphql: 'graphql',
  text: 'txt',
  plaintext: 'txt',
};

/** Names the agent gives its files: `<field>-<random>.<ext>`; cleanup touches nothing else in the directory. */
const ownName = /^[a-z0-9_]{1,40}-[A-Za-z0-9_-]{12}(\.page-v\d+)?\.[a-z0-9]{1,10}$/;

export function extensionFor(type: string): string {
  return Object.hasOwn(extensions, type) ? extensions[type]! : 'txt';
}

/** A file name from a field id a page chose: only [a-z0-9_], never a path, never empty. */
export function safeFileName(fieldId: string, type: string): string {
  const stem = fieldId.toLowerCase().replace(/[^a-z0-9_]+/g, '_').replace(/^_+|_+$/g, '').slice(0, 40) || 'field';
  return `${stem}-${randomBytes(9).toString('base64url')}.${extensionFor(type)}`;
}

export function isOwnFile(name: string): boolean {
  return ownName.test(name);
}

/** Test-only pauses, to force an interleaving a test names. */
export const editFaultPoints: {
  /** After a read of an edit file opened it and checked its size (`bytes`), before its text is read. */
  beforeRead?: (name: string, bytes: number) => void | Promise<void>;
  /** After a read of an edit file got its text, before the text is returned. */
  afterRead?: (name: string, text: string) => void | Promise<void>;
} = {};

export class TooLargeError extends Error {
  readonly code = 'ETOOLARGE';
}

/** ENOENT, also as the cause of writeFileAtomic's EWRITEFAILED. */
const isMissing = (err: unknown) => {
  const { code, cause } = err as { code?: unknown; cause?: { code?: unknown } };
  return code === 'ENOENT' || cause?.code === 'ENOENT';
};

/**
 * The directory the agent edits in: 0700, files 0600, written atomically (an editor never reads half a file),
 * each no larger than `maxBytes` (the agent lowers it to the relay's limit when the relay names one). A temp
 * cleaner may remove it under a long-running agent: a write makes it anew (and says so: `onDidRecreate`).
 */
export class EditDirectory {
  private readonly _onDidRecreate = new Emitter<void>();
  /** A write found the directory gone and made it anew: a watch on the old one sees nothing any more. */
  readonly onDidRecreate: Event<void> = this._onDidRecreate.event;

  private constructor(
    readonly path: string,
    public maxBytes: number,
  ) {}

  static async open(path: string, maxBytes: number): Promise<EditDirectory> {
    await ensureSecureDirectory(path);
    return new EditDirectory(path, maxBytes);
  }

  /**
   * Writes `text` as the file `name` and returns its path. With `ifUnchanged` (from `readVersion`), only over the
   * file that read found: when the editor saved since, it fails with `BatonError` `ECHANGED` and the save stays.
   */
  async write(name: string, text: string, ifUnchanged?: FileVersion): Promise<string> {
    const bytes = Buffer.byteLength(text);
    if (bytes > this.maxBytes) throw new TooLargeError(`${bytes} bytes is over the limit of ${this.maxBytes}`);
    const file = join(this.path, name);
    // Not fsynced: these files are scratch copies of a page's field; atomic is what the editor needs.
    const options = { mode: 0o600, fsync: false, ifUnchanged };
    try {
      await writeFileAtomic(file, text, options);
    } catch (err) {
      if (!isMissing(err) || (await stat(this.path).catch(() => undefined))) throw err;
      await ensureSecureDirectory(this.path);
      this._onDidRecreate.fire();
      await writeFileAtomic(file, text, options);
    }
    return file;
  }

  /** The file's text; undefined when it is gone, not a regular file, or over the limit (then `onTooLarge` is called). */
  async read(name: string, onTooLarge?: (bytes: number) => void): Promise<string | undefined> {
    return (await this.readVersion(name, onTooLarge))?.text;
  }

  /** As `read`, with the version of the file the text came from, to write over only that file (see `write`). */
  async readVersion(name: string, onTooLarge?: (bytes: number) => void): Promise<{ text: string; version: FileVersion } | undefined> {
    // Size and text come from one open file: an editor that renames a larger file over this one between a
    // stat of the path and a read of it would otherwise have that larger file sent.
    const handle = await open(join(this.path, name), 'r').catch(() => undefined);
    if (!handle) return undefined;
    let text: string;
    let version: FileVersion;
    try {
      const info = await handle.stat();
      if (!info.isFile()) return undefined;
      if (info.size > this.maxBytes) {
        onTooLarge?.(info.size);
        return undefined;
      }
      await editFaultPoints.beforeRead?.(name, info.size);
      const data = await handle.readFile();
      // Written to in place since the size check.
      if (data.length > this.maxBytes) {
        onTooLarge?.(data.length);
        return undefined;
      }
      text = data.toString('utf8');
      // After the read: a write in place during it shows in the version, and a write with it fails.
      const { ino, size, mtimeNs } = await handle.stat({ bigint: true });
      version = { ino, size, mtimeNs };
    } finally {
      await handle.close();
    }
    await editFaultPoints.afterRead?.(name, text);
    return { text, version };
  }

  async remove(name: string): Promise<void> {
    await unlink(join(this.path, name)).catch(() => {});
  }

  /**
   * Removes the file only while it is still the one `readVersion` found: false (and the file stays) when the
   * editor saved since. The check and the unlink are back to back, synchronous.
   */
  removeIfUnchanged(name: string, version: FileVersion): boolean {
    const file = join(this.path, name);
    if (!isFileUnchanged(file, version)) return false;
    try {
      unlinkSync(file);
    } catch {
      // Gone already.
    }
    return true;
  }

  /** Removes the agent's own files last changed more than `maxAgeMs` ago; returns how many. */
  async removeOlderThan(maxAgeMs: number, keep: ReadonlySet<string> = new Set()): Promise<number> {
    let removed = 0;
    const cutoff = Date.now() - maxAgeMs;
    // Gone (a temp cleaner): nothing to remove; the next write makes the directory anew.
    const names = await readdir(this.path).catch((err: unknown) => {
      if (isMissing(err)) return [];
      throw err;
    });
    for (const name of names) {
      if (!isOwnFile(name) || keep.has(name)) continue;
      const info = await stat(join(this.path, name)).catch(() => undefined);
      if (info && info.mtimeMs < cutoff) {
        await this.remove(name);
        removed++;
      }
    }
    return removed;
  }
}
