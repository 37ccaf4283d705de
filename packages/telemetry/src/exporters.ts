import { mkdirSync } from 'node:fs';
import { open, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { BatonError, InvalidArgumentError, registerErrorClass } from '@baton/base';
import type { ExportContext, Exporter } from './batcher.js';

/** An export failure, marked retryable or not (the batcher does not retry `retryable: false`). */
export class ExportError extends BatonError {
  readonly retryable: boolean;
  constructor(message: string, options: { retryable: boolean; cause?: unknown; data?: Record<string, unknown> }) {
    super('EEXPORTFAILED', message, options);
    this.retryable = options.retryable;
  }
}

registerErrorClass(ExportError);

/** Keeps every batch in memory: for tests. */
export interface MemoryExporter<E> extends Exporter<E> {
  readonly batches: E[][];
  readonly events: E[];
  /** Forgets every batch kept. */
  clear(): void;
}

/** An exporter that keeps batches in memory (for tests). */
export function createMemoryExporter<E>(): MemoryExporter<E> {
  const batches: E[][] = [];
  return {
    batches,
    get events() {
      return batches.flat();
    },
    async export(batch) {
      batches.push([...batch]);
    },
    clear() {
      batches.length = 0;
    },
  };
}

/** Options of `createFileExporter`. */
export interface FileExporterOptions {
  /** The NDJSON file; rotated files are `<path>.1` (newest) to `<path>.<maxFiles - 1>`. */
  path: string;
  /** Rotate before a batch would take the file past this size (default 10 MiB). */
  maxBytes?: number;
  /** Files kept, the current one included (default 5). */
  maxFiles?: number;
  /** File mode (default 0o600). */
  mode?: number;
}

/**
 * Appends each batch as NDJSON lines in one write, off the caller's path (the batcher calls it
 * asynchronously). Rotation happens between batches, so no line is split or lost across files.
 */
export function createFileExporter<E>(options: FileExporterOptions): Exporter<E> & { readonly path: string } {
  const maxBytes = options.maxBytes ?? 10 * 1024 * 1024;
  const maxFiles = options.maxFiles ?? 5;
  if (!(maxBytes > 0)) throw new InvalidArgumentError(`createFileExporter: maxBytes must be > 0, got ${maxBytes}`);
  if (!(Number.isInteger(maxFiles) && maxFiles >= 1)) throw new InvalidArgumentError(`createFileExporter: maxFiles must be an integer >= 1, got ${maxFiles}`);
  let handle: FileHandle | undefined;
  let size = 0;

  async function openCurrent(): Promise<FileHandle> {
    if (handle) return handle;
    mkdirSync(dirname(options.path), { recursive: true, mode: 0o700 });
    handle = await open(options.path, 'a', options.mode ?? 0o600);
    size = (await stat(options.path)).size;
    return handle;
  }

  async function rotate(): Promise<void> {
    await handle?.close();
    handle = undefined;
    if (maxFiles === 1) {
      await rm(options.path, { force: true });
      return;
    }
    await rm(`${options.path}.${maxFiles - 1}`, { force: true });
    for (let i = maxFiles - 2; i >= 1; i--) await rename(`${options.path}.${i}`, `${options.path}.${i + 1}`).catch(() => {});
    await rename(options.path, `${options.path}.1`).catch(() => {});
  }

  return {
    path: options.path,
    async export(batch) {
      let text = '';
      for (const event of batch) text += JSON.stringify(event) + '\n';
      const bytes = Buffer.byteLength(text);
      await openCurrent();
      if (size > 0 && size + bytes > maxBytes) {
        await rotate();
        await openCurrent();
      }
      await handle!.write(text);
      size += bytes;
    },
    async shutdown() {
      await handle?.close();
      handle = undefined;
    },
  };
}

/** Options of `createNotifyExporter`. */
export interface NotifyExporterOptions {
  /**
   * Sends one batch: for IPC, `(method, batch) => client.notify(method, batch)` from @baton/ipc's
   * client; the leader handles the method and feeds its own batcher. Telemetry does not import ipc
   * (see the layers), so the composition passes the function in.
   */
  notify: (method: string, batch: readonly unknown[]) => void | Promise<void>;
  /** Default 'telemetry.batch'. */
  method?: string;
}

/** An exporter that sends each batch as a notification over an IPC connection. */
export function createNotifyExporter<E>(options: NotifyExporterOptions): Exporter<E> {
  const method = options.method ?? 'telemetry.batch';
  return {
    async export(batch) {
      await options.notify(method, batch);
    },
  };
}

/** A log record as OTLP/HTTP JSON carries it. */
export interface OtlpLogRecord {
  timeUnixNano: string;
  severityNumber: number;
  severityText: string;
  body: { stringValue: string };
  attributes: { key: string; value: AnyValue }[];
}

/** An OTLP attribute value. */
export type AnyValue = { stringValue: string } | { intValue: string } | { doubleValue: number } | { boolValue: boolean };

/** Options of `createOtlpExporter`. */
export interface OtlpExporterOptions<E> {
  /** The collector's logs endpoint, for example http://localhost:4318/v1/logs. */
  url: string;
  headers?: Record<string, string>;
  /** `service.name` and other resource attributes. */
  resource?: Record<string, string | number | boolean>;
  /** How an event becomes a log record (default: `msg`/`message` as body, `level` as severity, the rest as attributes). */
  toLogRecord?: (event: E) => OtlpLogRecord;
}

const severities: Record<string, [number, string]> = {
  trace: [1, 'TRACE'], debug: [5, 'DEBUG'], info: [9, 'INFO'], warn: [13, 'WARN'], error: [17, 'ERROR'], fatal: [21, 'FATAL'],
};
const pinoLevels: Record<number, string> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };

function anyValue(value: unknown): AnyValue {
  if (typeof value === 'boolean') return { boolValue: value };
  if (typeof value === 'number') return Number.isInteger(value) ? { intValue: String(value) } : { doubleValue: value };
  if (typeof value === 'string') return { stringValue: value };
  return { stringValue: JSON.stringify(value) };
}

/** The OTLP log record of an event. */
export function defaultLogRecord(event: unknown): OtlpLogRecord {
  const record = (typeof event === 'object' && event !== null ? event : { msg: String(event) }) as Record<string, unknown>;
  const { msg, message, level, time, ...rest } = record;
  const levelName = typeof level === 'number' ? pinoLevels[level] ?? 'info' : typeof level === 'string' ? level : 'info';
  const [severityNumber, severityText] = severities[levelName] ?? [9, 'INFO'];
  const millis = typeof time === 'number' ? time : typeof time === 'string' ? Date.parse(time) : Date.now();
  return {
    timeUnixNano: `${BigInt(Math.round(millis)) * 1_000_000n}`,
    severityNumber,
    severityText,
    body: { stringValue: String(msg ?? message ?? '') },
    attributes: Object.entries(rest).map(([key, value]) => ({ key, value: anyValue(value) })),
  };
}

/**
 * OTLP/HTTP JSON logs, for an OpenTelemetry collector. Status handling as OTLP/HTTP specifies:
 * 2xx succeeds (a partial success is logged through the error of the next failure, not retried);
 * 429, 502, 503 and 504 are retryable (after Retry-After when given); other statuses are not.
 */
export function createOtlpExporter<E>(options: OtlpExporterOptions<E>): Exporter<E> {
  const toRecord = options.toLogRecord ?? defaultLogRecord;
  const resource = {
    attributes: Object.entries({ 'service.name': 'baton', ...options.resource }).map(([key, value]) => ({ key, value: anyValue(value) })),
  };
  return {
    async export(batch, { signal }: ExportContext) {
      const body = JSON.stringify({ resourceLogs: [{ resource, scopeLogs: [{ scope: { name: '@baton/telemetry' }, logRecords: batch.map(toRecord) }] }] });
      let response: Response;
      try {
        response = await fetch(options.url, { method: 'POST', headers: { 'content-type': 'application/json', ...options.headers }, body, signal });
      } catch (err) {
        if (signal.aborted) throw err;
        throw new ExportError(`OTLP export to ${options.url} failed: ${(err as Error).message}`, { retryable: true, cause: err });
      }
      const text = await response.text().catch(() => '');
      if (response.ok) return;
      const retryable = [429, 502, 503, 504].includes(response.status);
      const retryAfter = Number(response.headers.get('retry-after'));
      const error = new ExportError(`OTLP collector at ${options.url} answered ${response.status}: ${text.slice(0, 200)}`, {
        retryable,
        data: { status: response.status },
      });
      if (retryable && retryAfter > 0) {
        // Honour the collector's Retry-After before the batcher's own backoff.
        await new Promise((resolve) => setTimeout(resolve, Math.min(retryAfter, 60) * 1000));
      }
      throw error;
    },
  };
}
