// A fake of the part of the VS Code API @baton/vscode uses (jest maps 'vscode' here): the workspace's name, the
// app, the window's focus, Uri. Tests change `fake` to play a window.
import { Emitter } from '@baton/base';
import { pathToFileURL } from 'node:url';

const focusEmitter = new Emitter<{ focused: boolean }>();

/** What the tests set: the next `coordinateWindows` reads them. */
export const fake = {
  workspaceName: 'api' as string | undefined,
  remoteName: undefined as string | undefined,
  focused: true,
  setFocused(focused: boolean): void {
    fake.focused = focused;
    focusEmitter.fire({ focused });
  },
};

export class Uri {
  private constructor(
    readonly scheme: string,
    readonly path: string,
  ) {}

  static file(path: string): Uri {
    return new Uri('file', path);
  }

  static parse(value: string): Uri {
    const url = new URL(value);
    return new Uri(url.protocol.slice(0, -1), decodeURIComponent(url.pathname));
  }

  static joinPath(base: Uri, ...segments: string[]): Uri {
    return new Uri(base.scheme, [base.path, ...segments].join('/'));
  }

  get fsPath(): string {
    return this.path;
  }

  toString(): string {
    return this.scheme === 'file' ? pathToFileURL(this.path).href : `${this.scheme}:${this.path}`;
  }
}

export const workspace = {
  get name(): string | undefined {
    return fake.workspaceName;
  },
};

export const env = {
  appName: 'Visual Studio Code',
  get remoteName(): string | undefined {
    return fake.remoteName;
  },
};

export const window = {
  get state(): { focused: boolean } {
    return { focused: fake.focused };
  },
  onDidChangeWindowState: focusEmitter.event,
};
