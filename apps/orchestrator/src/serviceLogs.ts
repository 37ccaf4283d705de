import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '@baton/base';
import type { OutputLine } from '@baton/supervisor';
import { RotatingFile } from '@baton/telemetry';

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
  private readonly _files = new Map<string, RotatingFile>();
  private _failed = false;

  constructor(private readonly _options: ServiceLogsOptions) {
    mkdirSync(_options.dir, { recursive: true, mode: 0o700 });
  }

  fileOf(service: string): string {
    return join(this._options.dir, `${service.replace(/[^A-Za-z0-9._-]/g, '_')}.log`);
  }

  write(output: OutputLine): void {
    try {
      let file = this._files.get(output.name);
      if (!file) {
        file = new RotatingFile({ path: this.fileOf(output.name), maxBytes: this._options.maxBytes, keep: this._options.keep });
        this._files.set(output.name, file);
      }
      file.write(`${new Date(output.at).toISOString()} ${output.stream} | ${output.line}\n`);
      this._failed = false;
    } catch (err) {
      // A full disk must not stop the services: say so once, keep trying.
      if (!this._failed) this._options.logger.warn({ err, dir: this._options.dir }, 'cannot write a service log file');
      this._failed = true;
    }
  }

  close(): void {
    for (const file of this._files.values()) file.close();
    this._files.clear();
  }
}
