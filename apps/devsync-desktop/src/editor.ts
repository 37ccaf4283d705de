import { spawn } from 'node:child_process';
import { WS_PATH } from '@baton/devsync-client';

/** The editor command: `--editor`, else $VISUAL, else $EDITOR, else `code` (VS Code). */
export function resolveEditor(flag: string | undefined, env: Record<string, string | undefined>): string {
  for (const candidate of [flag, env.VISUAL, env.EDITOR]) if (candidate && candidate.trim() !== '') return candidate.trim();
  return 'code';
}

/**
 * Splits a command line the way a shell would for words and quotes (no expansion, no operators): editors are
 * often given as `code --wait` or `"/Applications/My Editor/bin/edit" -n`. On Windows a backslash is a path
 * separator, not an escape (`C:\Tools\edit.exe`).
 */
export function splitCommand(command: string, platform: NodeJS.Platform = process.platform): string[] {
  const escapes = platform !== 'win32';
  const words: string[] = [];
  let word = '';
  let quote: '"' | "'" | undefined;
  let inWord = false;
  for (let i = 0; i < command.length; i++) {
    const char = command[i]!;
    if (quote) {
      if (char === quote) quote = undefined;
      else if (escapes && char === '\\' && quote === '"' && i + 1 < command.length) word += command[++i];
      else word += char;
    } else if (char === '"' || char === "'") {
      quote = char;
      inWord = true;
    } else if (escapes && char === '\\' && i + 1 < command.length) {
      word += command[++i];
      inWord = true;
    } else if (/\s/.test(char)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += char;
      inWord = true;
    }
  }
  if (quote) throw new Error(`unclosed ${quote} in the editor command: ${command}`);
  if (inWord) words.push(word);
  if (words.length === 0) throw new Error('the editor command is empty');
  return words;
}

/**
 * Opens `file` in the editor, detached: GUI editors return at once or keep running on their own, and the agent
 * watches the file, not the editor. Resolves once started; rejects when the command cannot be run.
 */
export function openInEditor(command: string, file: string): Promise<void> {
  const [program, ...args] = splitCommand(command);
  return new Promise((resolve, reject) => {
    const child = spawn(program!, [...args, file], { detached: true, stdio: 'ignore', shell: false });
    child.once('error', (err: NodeJS.ErrnoException) => {
      reject(
        new Error(
          err.code === 'ENOENT'
            ? `the editor '${program}' was not found; pass --editor "<command>" or set $VISUAL or $EDITOR`
            : `cannot start the editor '${program}': ${err.message}`,
          { cause: err },
        ),
      );
    });
    child.once('spawn', () => {
      child.unref();
      resolve();
    });
  });
}

/** Accepts ws(s)://, http(s):// and host:port; the path defaults to the relay's WebSocket path. */
export function relayUrl(input: string): string {
  const withScheme = /^[a-z]+:\/\//i.test(input) ? input : `ws://${input}`;
  const url = new URL(withScheme.replace(/^http/i, 'ws'));
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') throw new Error(`not a relay URL: ${input} (expected ws://host:port)`);
  if (url.pathname === '/' || url.pathname === '') url.pathname = WS_PATH;
  return url.toString();
}
