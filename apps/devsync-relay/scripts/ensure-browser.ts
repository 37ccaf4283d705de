// Before the tests: a browser for the end-to-end test. One already installed is used (see test/browserPath.ts);
// else Debian's chromium is installed by tooling/scripts/ensure-tools.mjs, which says what to do where it cannot.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { findBrowser } from '../test/browserPath.js';

if (!findBrowser()) {
  const ensureTools = fileURLToPath(new URL('../../../tooling/scripts/ensure-tools.mjs', import.meta.url));
  process.exitCode = spawnSync(process.execPath, [ensureTools, 'chromium=chromium=chromium'], { stdio: 'inherit' }).status ?? 1;
}
