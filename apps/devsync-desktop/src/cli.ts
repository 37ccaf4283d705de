// devsync-desktop: the WebDevSync desktop agent. Connects to a relay as this user's desktop, prints a pairing token
// for the browser, and opens each field the page sends in the editor.
import { createHash } from 'node:crypto';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { WS_PATH } from '@baton/devsync-client';
import { createLogger, flushLogger, installShutdownHooks } from '@baton/telemetry';
import { DesktopAgent } from './agent.js';
import { relayUrl, resolveEditor, splitCommand } from './editor.js';

const usage = `usage: devsync-desktop [--relay <url>] [--editor <command>] [--pair] [--dir <dir>] [--credentials <file>]

Connects to a WebDevSync relay as your desktop. The first run (or --pair) prints a pairing
token: enter it in the page. Each field the page opens is written to a private file and opened
in the editor (--editor, else $VISUAL, $EDITOR, else "code"); every save goes back to the page.
  --relay        the relay (default ws://127.0.0.1:8787${WS_PATH}; http:// URLs and bare host:port work too)
  --dir          where fields are edited (default <tmp>/baton-devsync-<uid>)
  --credentials  this desktop's credentials (default ~/.config/baton/devsync-desktop/<relay>.json)
`;

async function main(): Promise<number> {
  let args;
  try {
    args = parseArgs({
      options: {
        relay: { type: 'string' },
        editor: { type: 'string' },
        pair: { type: 'boolean' },
        dir: { type: 'string' },
        credentials: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    });
  } catch (err) {
    process.stderr.write(`devsync-desktop: ${(err as Error).message}\n${usage}`);
    return 2;
  }
  if (args.values.help) {
    process.stdout.write(usage);
    return 0;
  }
  let url: string;
  let editor: string;
  try {
    url = relayUrl(args.values.relay ?? process.env.DEVSYNC_RELAY ?? `ws://127.0.0.1:8787${WS_PATH}`);
    editor = resolveEditor(args.values.editor, process.env);
    splitCommand(editor);
  } catch (err) {
    process.stderr.write(`devsync-desktop: ${(err as Error).message}\n`);
    return 2;
  }
  const uid = process.getuid?.() ?? 'user';
  const configHome = process.env.XDG_CONFIG_HOME ?? join(homedir(), '.config');
  const credentialsFile = args.values.credentials ?? join(configHome, 'baton', 'devsync-desktop', `${createHash('sha256').update(url).digest('hex').slice(0, 16)}.json`);
  const editDir = args.values.dir ?? join(tmpdir(), `baton-devsync-${uid}`);
  const logger = createLogger({ name: 'devsync-desktop', destination: 2 });
  const say = (line: string) => process.stdout.write(`${line}\n`);

  let agent: DesktopAgent;
  try {
    agent = await DesktopAgent.start({ url, editor, editDir, credentialsFile, pair: args.values.pair ?? false, logger });
  } catch (err) {
    process.stderr.write(`devsync-desktop: cannot start: ${(err as Error).message}\n`);
    return 1;
  }
  agent.onDidIssuePairingToken(({ token, expiresInMs }) => say(`pairing token: ${token} (enter it in the page within ${Math.round(expiresInMs / 60_000)} minutes)`));
  agent.onDidChangeStatus((status) => {
    const waiting = agent.waitingSaves;
    say(`relay: ${status}${status !== 'connected' && waiting > 0 ? ` (${waiting} save${waiting === 1 ? '' : 's'} waiting to be sent)` : ''}`);
  });
  agent.onDidWait((wait) => say(`save to ${wait.fieldId} waiting: ${wait.reason}`));
  agent.onDidOpen((session) => say(`editing ${session.fieldId}: ${session.file}`));
  agent.onDidSend((session) => say(`sent ${session.fieldId}`));
  agent.onDidConflict((conflict) => say(`conflict in ${conflict.fieldId}: the page's text is in ${conflict.pageFile}; save again to send yours`));
  agent.onDidError((error) => {
    if (!error.retryable) say(`relay refused: ${error.code}: ${error.message}`);
  });
  // Closed by the relay's refusal (wrong credentials, ...): retrying cannot help, so stop with status 1.
  let refused = false;
  let stopping = false;
  agent.onDidChangeStatus((status) => {
    if (status !== 'closed' || stopping) return;
    refused = true;
    process.kill(process.pid, 'SIGTERM');
  });
  say(`devsync-desktop: relay ${url}, editor "${editor}", files in ${editDir}`);
  await new Promise<void>((resolve) => {
    installShutdownHooks({
      shutdown: async () => {
        stopping = true;
        await agent.close();
      },
      afterSignal: () => resolve(),
    });
  });
  flushLogger(logger);
  return refused ? 1 : 0;
}

process.exitCode = await main();
