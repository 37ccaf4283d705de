import { closeSync, linkSync, mkdirSync, openSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '@baton/base';
import type { OutputLine } from '@baton/supervisor';

export interface ServiceLogsOptions {
  dir: string;
  /** A file is rotated once it reaches this size. */
  maxBytes: number;
  /** Rotated files kept per service (`<name>.log.1` is the newest). */
  keep: number;
  logger: Logger;
}

/**
 * Every service's output, appended to `<dir>/<service>.log` as `<ISO time> <stream> | <line>`,
 * rotated by size (`.1` ... `.<keep>`), so the history outlives the in-memory tail and the
 * orchestrator. Writes are synchronous appends of whole lines, so a crash loses nothing written.
 */
export class ServiceLogs {
  private readonly _files = new Map<string, { fd: number; bytes: number }>();
  private _failed = false;

  constructor(private readonly _options: ServiceLogsOptions) {
    mkdirSync(_options.dir, { recursive: true, mode: 0o700 });
  }

  fileOf(service: string): string {
    return join(this._options.dir, `${service.replace(/[^A-Za-z0-9._-]/g, '_')}.log`);
  }

  write(output: OutputLine): void {
    try {
      const text = `${new Date(output.at).toISOString()} ${output.stream} | ${output.line}\n`;
      const file = this._open(output.name);
      file.bytes += writeSync(file.fd, text);
      if (file.bytes >= this._options.maxBytes) this._rotate(output.name);
      this._failed = false;
    } catch (err) {
      // A full disk must not stop the services: say so once, keep trying.
      if (!this._failed) this._options.logger.warn({ err, dir: this._options.dir }, 'cannot write a service log file');
      this._failed = true;
    }
  }

  private _open(service: string): { fd: number; bytes: number } {
    let file = this._files.get(service);
    if (!file) {
      const path = this.fileOf(service);
      const fd = openSync(path, 'a', 0o600);
      file = { fd, bytes: statSync(path).size };
      this._files.set(service, file);
    }
    return file;
  }

  private _rotate(service: string): void {
    const file = this._files.get(service)!;
    closeSync(file.fd);
    this._files.delete(service);
    const path = this.fileOf(service);
    const { keep } = this._options;
    rmSync(`${path}.${keep}`, { force: true });
    for (let i = keep - 1; i >= 1; i--) {
      try {
        renameSync(`${path}.${i}`, `${path}.${i + 1}`);
      } catch {
        // Not there yet.
      }
    }
    // `path` never goes missing, for a reader between two lines: the full file takes its `.1` name
    // by a hard link, then an empty file replaces `path` in one rename.
    if (keep > 0) linkSync(path, `${path}.1`);
    const fresh = `${path}.new`;
    closeSync(openSync(fresh, 'w', 0o600));
    renameSync(fresh, path);
  }

  close(): void {
    for (const { fd } of this._files.values()) closeSync(fd);
    this._files.clear();
  }
}
