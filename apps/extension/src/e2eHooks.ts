// Test-only: the end-to-end run's side-by-side comparison of VS Code's globalState with the shared
// storage, inside real extension hosts. Active only when BATON_HEALTHWATCH_E2E names a directory
// (the e2e script sets it on code-server, whose extension hosts inherit it); otherwise nothing runs.
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type * as vscode from 'vscode';
import type { HealthWatch } from './core/index.js';

const increments = 500;
const pings = 40;

interface Ping {
  readonly seq: number;
  readonly at: number;
}

export function startE2eHooks(context: vscode.ExtensionContext, health: HealthWatch): vscode.Disposable | undefined {
  const dir = process.env.BATON_HEALTHWATCH_E2E;
  if (!dir) return undefined;
  const me = String(process.pid);
  let stopped = false;
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  const waitForFile = async (name: string) => {
    while (!stopped && !existsSync(join(dir, name))) await sleep(50);
  };
  void (async () => {
    await writeFile(join(dir, `ready-${me}`), '');
    await waitForFile('go');
    // Read-then-update, as code using globalState does it; the shared storage's update is a compare-and-swap.
    for (let i = 0; i < increments && !stopped; i++) {
      await context.globalState.update('e2e.counter', (context.globalState.get<number>('e2e.counter') ?? 0) + 1);
      await health.shared.update<number>('e2e.counter', (n = 0) => n + 1);
    }
    await writeFile(join(dir, `incremented-${me}`), '');
    await waitForFile('measure');
    // Each window writes its own key every 150 ms and records when the others' writes become visible here.
    const seen: Record<'globalState' | 'shared', number[]> = { globalState: [], shared: [] };
    const lastSeq = new Map<string, number>();
    const note = (kind: 'globalState' | 'shared', key: string, ping: Ping | undefined) => {
      if (!ping || (lastSeq.get(`${kind}:${key}`) ?? -1) >= ping.seq) return;
      lastSeq.set(`${kind}:${key}`, ping.seq);
      seen[kind].push(Date.now() - ping.at);
    };
    const others = () => context.globalState.keys().filter((k) => k.startsWith('e2e.ping.') && k !== `e2e.ping.${me}`);
    const listener = health.shared.onDidChange(({ keys, origin }) => {
      if (origin !== 'remote') return;
      for (const key of keys) if (key.startsWith('e2e.ping.') && key !== `e2e.ping.${me}`) note('shared', key, health.shared.get<Ping>(key));
    });
    // globalState has no change event: poll it, often.
    const poll = setInterval(() => {
      for (const key of others()) note('globalState', key, context.globalState.get<Ping>(key));
    }, 5);
    for (let seq = 0; seq < pings && !stopped; seq++) {
      const ping: Ping = { seq, at: Date.now() };
      void context.globalState.update(`e2e.ping.${me}`, ping);
      void health.shared.update(`e2e.ping.${me}`, { ...ping });
      await sleep(150);
    }
    await sleep(2000);
    clearInterval(poll);
    listener.dispose();
    const result = {
      pid: process.pid,
      globalStateCounter: context.globalState.get<number>('e2e.counter') ?? 0,
      sharedCounter: health.shared.get<number>('e2e.counter', 0),
      propagationMs: seen,
    };
    await writeFile(join(dir, `result-${me}.json`), JSON.stringify(result));
  })().catch((err: unknown) => void writeFile(join(dir, `error-${me}`), String((err as Error).stack ?? err)));
  return { dispose: () => void (stopped = true) };
}
