import { describe, expect, it } from '@jest/globals';
import { openInEditor, relayUrl, resolveEditor, splitCommand } from '../src/index.js';

describe('the editor command', () => {
  it('is --editor, else $VISUAL, else $EDITOR, else code', () => {
    expect(resolveEditor('vim', { VISUAL: 'emacs', EDITOR: 'nano' })).toBe('vim');
    expect(resolveEditor(undefined, { VISUAL: 'emacs', EDITOR: 'nano' })).toBe('emacs');
    expect(resolveEditor(undefined, { VISUAL: ' ', EDITOR: 'nano' })).toBe('nano');
    expect(resolveEditor(undefined, {})).toBe('code');
  });

  it('splits like a shell splits words and quotes, and nothing more', () => {
    expect(splitCommand('code --wait')).toEqual(['code', '--wait']);
    expect(splitCommand(`"/Applications/My Editor/edit" -n 'a b' c\\ d`, 'linux')).toEqual(['/Applications/My Editor/edit', '-n', 'a b', 'c d']);
    expect(splitCommand('"C:\\Program Files\\Edit\\edit.exe" C:\\work', 'win32')).toEqual(['C:\\Program Files\\Edit\\edit.exe', 'C:\\work']);
    expect(splitCommand('vim; rm -rf ~')).toEqual(['vim;', 'rm', '-rf', '~']);
    expect(() => splitCommand('"unclosed')).toThrow(/unclosed/);
    expect(() => splitCommand('   ')).toThrow(/empty/);
  });

  it('names the editor that cannot be found', async () => {
    await expect(openInEditor('no-such-editor-here --wait', '/tmp/x.js')).rejects.toThrow(/'no-such-editor-here' was not found; pass --editor/);
  });
});

describe('relayUrl', () => {
  it('takes ws, http and host:port, adding the WebSocket path', () => {
    expect(relayUrl('127.0.0.1:8787')).toBe('ws://127.0.0.1:8787/web-dev-sync/ws');
    expect(relayUrl('https://relay.example.com')).toBe('wss://relay.example.com/web-dev-sync/ws');
    expect(relayUrl('ws://h:1/custom')).toBe('ws://h:1/custom');
    expect(() => relayUrl('ftp://h')).toThrow(/not a relay URL/);
  });
});
