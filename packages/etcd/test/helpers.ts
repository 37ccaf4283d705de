import { fileURLToPath } from 'node:url';
import { spawnFixture, type Fixture } from '@baton/test-utils';

const contenderFixture = fileURLToPath(new URL('./fixtures/contender.ts', import.meta.url));

export interface ContenderConfig {
  hosts: string[];
  id: string;
  name?: string;
  ttlMs?: number;
  chaos?: boolean;
  writeEveryMs?: number;
  pause?: { beforeAcquire?: number | 'once'; beforeKeepAlive?: number | 'once' };
}

export async function startContender(config: ContenderConfig): Promise<Fixture> {
  const fixture = spawnFixture(contenderFixture, [JSON.stringify(config)]);
  await fixture.waitForLine(/^ready /, 20_000);
  return fixture;
}

const electedLine = /^role leader elected (\d+)/;

/**
 * Resolves with the token of the next `role leader elected <token>` line the fixture prints after
 * now, or, with `since`, the first one from its line `since` on (printed already, or to come).
 */
export function nextElected(fixture: Fixture, timeoutMs = 20_000, since?: number): Promise<number> {
  const printed = since === undefined ? undefined : fixture.lines.slice(since).find((l) => electedLine.test(l));
  if (printed) return Promise.resolve(Number(electedLine.exec(printed)![1]));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`fixture ${fixture.pid} was not elected within ${timeoutMs} ms; stderr: ${fixture.stderr().slice(-2000)}`));
    }, timeoutMs);
    const off = fixture.onLine((line) => {
      const match = electedLine.exec(line);
      if (!match) return;
      off();
      clearTimeout(timer);
      resolve(Number(match[1]));
    });
  });
}

export function isLeaderNow(fixture: Fixture): boolean {
  const roles = fixture.lines.filter((l) => l.startsWith('role ') || l.startsWith('ready '));
  const last = roles.at(-1) ?? '';
  return last.startsWith('role leader') || last === 'ready leader';
}

/** The token of the fixture's current term, from its last election line. */
export function tokenOf(fixture: Fixture): number {
  const line = [...fixture.lines].reverse().find((l) => electedLine.test(l));
  return Number(electedLine.exec(line ?? '')?.[1] ?? NaN);
}

/** Sends a command and resolves with the next line matching `reply`. */
export function ask(fixture: Fixture, command: string, reply: RegExp, timeoutMs = 10_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`fixture ${fixture.pid} did not answer '${command}' with ${String(reply)} within ${timeoutMs} ms`));
    }, timeoutMs);
    const off = fixture.onLine((line) => {
      if (!reply.test(line)) return;
      off();
      clearTimeout(timer);
      resolve(line);
    });
    fixture.send(command);
  });
}
