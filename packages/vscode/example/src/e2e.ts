// The end-to-end test's measurements inside a real extension host, side by side: the shared state against VS Code's
// globalState (lost updates; how soon another window sees a write) and against the secrets.onDidChange workaround
// extension authors use as a window broadcast. Steps are driven by files in `dir` (see ../../e2e/run.mjs).
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CoordinatedWindows } from '@baton/vscode';
import type * as vscode from 'vscode';

const increments = 500;
const pings = 40;
const pingEveryMs = 150;

type Kind = 'globalState' | 'shared' | 'secrets';
interface Ping {
  readonly seq: number;
  readonly at: number;
}

export function startMeasuring(context: vscode.ExtensionContext, windows: CoordinatedWindows, dir: string): vscode.Disposable {
  const me = String(process.pid);
  let stopped = false;
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  const waitForFile = async (name: string) => {
    while (!stopped && !existsSync(join(dir, name))) await sleep(50);
  };
  void (async () => {
    await writeFile(join(dir, `ready-${me}`), '');
    await waitForFile('go');
    // Read-then-update, as code using globalState does it; the shared state's update is a compare-and-swap.
    for (let i = 0; i < increments && !stopped; i++) {
      await context.globalState.update('e2e.counter', (context.globalState.get<number>('e2e.counter') ?? 0) + 1);
      await windows.sharedState.update<number>('e2e.counter', (n = 0) => n + 1);
    }
    await writeFile(join(dir, `incremented-${me}`), '');
    await waitForFile('measure');
    // Each window writes its own key every 150 ms; each records when the others' writes become visible here.
    const seen: Record<Kind, number[]> = { globalState: [], shared: [], secrets: [] };
    const lastSeq = new Map<string, number>();
    const note = (kind: Kind, key: string, ping: Ping | undefined) => {
      if (!ping || (lastSeq.get(`${kind}:${key}`) ?? -1) >= ping.seq) return;
      lastSeq.set(`${kind}:${key}`, ping.seq);
      seen[kind].push(Date.now() - ping.at);
    };
    const mine = `e2e.ping.${me}`;
    const shared = windows.sharedState.onDidChange(({ keys, origin }) => {
      if (origin !== 'remote') return;
      for (const key of keys) if (key.startsWith('e2e.ping.') && key !== mine) note('shared', key, windows.sharedState.get<Ping>(key));
    });
    // The workaround: a secret written in one window fires secrets.onDidChange in the others.
    const secrets = context.secrets.onDidChange(({ key }) => {
      if (!key.startsWith('e2e.ping.') || key === mine) return;
      void context.secrets.get(key).then((value) => value && note('secrets', key, JSON.parse(value) as Ping));
    });
    // globalState has no change event: poll it, often.
    const poll = setInterval(() => {
      for (const key of context.globalState.keys()) if (key.startsWith('e2e.ping.') && key !== mine) note('globalState', key, context.globalState.get<Ping>(key));
    }, 5);
    for (let seq = 0; seq < pings && !stopped; seq++) {
      const ping: Ping = { seq, at: Date.now() };
      void context.globalState.update(mine, ping);
      void windows.sharedState.update(mine, { ...ping });
      void context.secrets.store(mine, JSON.stringify(ping));
      await sleep(pingEveryMs);
    }
    await sleep(2000);
    clearInterval(poll);
    shared.dispose();
    secrets.dispose();
    const result = {
      pid: process.pid,
      globalStateCounter: context.globalState.get<number>('e2e.counter') ?? 0,
      sharedCounter: windows.sharedState.get<number>('e2e.counter', 0),
      propagationMs: seen,
    };
    await writeFile(join(dir, `result-${me}.json`), JSON.stringify(result));
  })().catch((err: unknown) => void writeFile(join(dir, `error-${me}`), String((err as Error).stack ?? err)));
  return { dispose: () => void (stopped = true) };
}
