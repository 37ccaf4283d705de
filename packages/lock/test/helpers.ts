import { fileURLToPath } from 'node:url';
import { FakeClock, type Clock } from '@baton/base';
import { spawnFixture, type Fixture } from '@baton/test-utils';

const contenderFixture = fileURLToPath(new URL('./fixtures/contender.ts', import.meta.url));

export interface ContenderConfig {
  dir: string;
  id: string;
  leaseMs?: number;
  pollMs?: number;
  /** setClaimDelay before start. */
  claimDelayMs?: number;
  sharedFile?: string;
  writeEveryMs?: number;
  pause?: { beforeRenew?: number | 'once'; beforeClaim?: number | 'once' };
}

export async function startContender(config: ContenderConfig): Promise<Fixture> {
  const fixture = spawnFixture(contenderFixture, [JSON.stringify(config)]);
  await fixture.waitForLine(/^ready /);
  return fixture;
}

/** Resolves with the next `role leader elected <token>` line the fixture prints after now. */
export function nextElected(fixture: Fixture): Promise<number> {
  return new Promise((resolve) => {
    const off = fixture.onLine((line) => {
      const match = /^role leader elected (\d+)/.exec(line);
      if (!match) return;
      off();
      resolve(Number(match[1]));
    });
  });
}

export function isLeaderNow(fixture: Fixture): boolean {
  const roles = fixture.lines.filter((l) => l.startsWith('role ') || l.startsWith('ready '));
  const last = roles.at(-1) ?? '';
  return last.startsWith('role leader') || last === 'ready leader';
}

/** A clock whose time can jump without firing timers: a pause, as the process sees it when it resumes. */
export function pausableClock(): { clock: Clock; pause(ms: number): void; advance(ms: number): void } {
  const fake = new FakeClock();
  let skipped = 0;
  return {
    clock: {
      now: () => fake.now() + skipped,
      setTimeout: (callback, ms) => fake.setTimeout(callback, ms),
      setInterval: (callback, ms) => fake.setInterval(callback, ms),
    },
    pause: (ms) => {
      skipped += ms;
    },
    /** Time moves and the timers due run. */
    advance: (ms) => fake.advance(ms),
  };
}
