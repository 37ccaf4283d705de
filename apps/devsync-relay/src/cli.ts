// devsync-relay: the WebDevSync relay as a program. Config: --config <file> (YAML or JSON), then the environment
// (PORT, HOST, CORS_ORIGINS, DEVSYNC_DATA_DIR, DEVSYNC_ADMIN_TOKEN), then flags.
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { createLogger, flushLogger, installShutdownHooks } from '@baton/telemetry';
import { parseRelayConfig } from './config.js';
import { Relay } from './relay.js';

const usage = `usage: devsync-relay [--config <file>] [--host <address>] [--port <n>]

Serves the WebDevSync relay: WebSocket at /web-dev-sync/ws, counts at /web-dev-sync/status,
details at /web-dev-sync/debug (with the admin token), the demo page at /web-dev-sync/.
Environment: PORT, HOST, CORS_ORIGINS (comma-separated origins), DEVSYNC_HOSTNAMES, DEVSYNC_TRUSTED_PROXIES,
DEVSYNC_DATA_DIR, DEVSYNC_ADMIN_TOKEN.
`;

async function main(): Promise<number> {
  let args;
  try {
    args = parseArgs({ options: { config: { type: 'string' }, host: { type: 'string' }, port: { type: 'string' }, help: { type: 'boolean', short: 'h' } }, strict: true });
  } catch (err) {
    process.stderr.write(`devsync-relay: ${(err as Error).message}\n${usage}`);
    return 2;
  }
  if (args.values.help) {
    process.stdout.write(usage);
    return 0;
  }
  let text: string | undefined;
  const file = args.values.config;
  if (file !== undefined) {
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      process.stderr.write(`devsync-relay: cannot read the config ${file}: ${(err as Error).message}\n`);
      return 2;
    }
  }
  const env = { ...process.env };
  if (args.values.port !== undefined) env.PORT = args.values.port;
  if (args.values.host !== undefined) env.HOST = args.values.host;
  const parsed = parseRelayConfig(text, env, file ?? 'config');
  if (!parsed.ok) {
    process.stderr.write(`devsync-relay: invalid config:\n${parsed.errors.map((e) => `  ${e}`).join('\n')}\n`);
    return 2;
  }
  const logger = createLogger({ name: 'devsync-relay' });
  let relay: Relay;
  try {
    relay = await Relay.start({ config: parsed.config, logger });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    process.stderr.write(
      code === 'EADDRINUSE'
        ? `devsync-relay: port ${parsed.config.port} on ${parsed.config.host} is in use; pick another with --port or PORT\n`
        : `devsync-relay: cannot start: ${(err as Error).message}\n`,
    );
    return 1;
  }
  // Printed for scripts and the orchestrator's readiness check.
  process.stdout.write(`devsync-relay listening on ${relay.url}/\n`);
  await new Promise<void>((resolve) => {
    installShutdownHooks({
      shutdown: async (reason) => {
        logger.info({ reason }, 'stopping');
        await relay.close();
      },
      afterSignal: () => resolve(),
    });
  });
  flushLogger(logger);
  return 0;
}

process.exitCode = await main();
