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
 * orchestrator. The lines delivered in one turn of the event loop are appended whole, in one synchronous write, as
 * that turn's task ends.
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

  /** Appends the line, with every other line of this turn of the event loop, in one write when the turn's task ends. */
  write(output: OutputLine): void {
    let file = this._files.get(output.name);
    if (!file) {
      file = new RotatingFile({ path: this.fileOf(output.name), maxBytes: this._options.maxBytes, keep: this._options.keep });
      this._files.set(output.name, file);
    }
    file.writeSoon(`${new Date(output.at).toISOString()} ${output.stream} | ${output.line}\n`, this._written);
  }

  /** A full disk must not stop the services: say so once, keep trying. */
  private readonly _written = (err: unknown): void => {
    if (err !== undefined && !this._failed) this._options.logger.warn({ err, dir: this._options.dir }, 'cannot write a service log file');
    this._failed = err !== undefined;
  };

  close(): void {
    for (const file of this._files.values()) file.close();
    this._files.clear();
  }
}
