export { createLogger, flushLogger, defaultRedactPaths, type CreateLoggerOptions, type PinoLogger } from './logger.js';
export {
  Batcher,
  createBatcher,
  type BatcherOptions,
  type BatcherStats,
  type ExportContext,
  type Exporter,
  type OverflowPolicy,
  type ShutdownReport,
} from './batcher.js';
export {
  ExportError,
  createFileExporter,
  createMemoryExporter,
  createNotifyExporter,
  createOtlpExporter,
  defaultLogRecord,
  type FileExporterOptions,
  type MemoryExporter,
  type NotifyExporterOptions,
  type OtlpExporterOptions,
  type OtlpLogRecord,
  type AnyValue,
} from './exporters.js';
export { createMetrics, type Metrics } from './metrics.js';
export { installShutdownHooks, type ShutdownHookOptions } from './shutdownHooks.js';
export { RotatingFile, rotatingDestination, type RotatingDestination, type RotatingFileOptions } from './rotatingFile.js';
