// The part of @jest/globals a package's test files use (describe, it, it.skip, the four hooks, expect),
// for wine-tests.mjs: each test file is bundled with this module in place of @jest/globals and runs as
// one plain Node process on Windows' Node under Wine, where jest itself does not load (Wine shows pnpm's
// symlinked node_modules as plain directories). Tests run one at a time in file order, with jest's
// defaults of this repository (30 s per test unless the test says otherwise).
import { get } from 'node:http';
import { expect } from 'expect';

const suite = (name, parent) => ({ name, parent, children: [], beforeAll: [], afterAll: [], beforeEach: [], afterEach: [] });
const root = suite(undefined, undefined);
let current = root;

export function describe(name, fn) {
  const child = suite(name, current);
  current.children.push(child);
  const outer = current;
  current = child;
  try {
    fn();
  } finally {
    current = outer;
  }
}
describe.skip = (name) => current.children.push({ test: { name, skip: true } });
export function it(name, fn, timeoutMs = 30_000) {
  current.children.push({ test: { name, fn, timeoutMs } });
}
it.skip = (name) => current.children.push({ test: { name, skip: true } });
export const test = it;
export const beforeAll = (fn) => current.beforeAll.push(fn);
export const afterAll = (fn) => current.afterAll.push(fn);
export const beforeEach = (fn) => current.beforeEach.push(fn);
export const afterEach = (fn) => current.afterEach.push(fn);
export { expect };

// Under Wine, undici's connect fails at once with UNKNOWN (net.connect and http.get work), so fetch,
// which the supervisor's http probe uses, goes through http.get here, with the surface that probe
// uses: signal, status, body.cancel().
if (process.env.BATON_WINE_FETCH === '1') {
  globalThis.fetch = (url, { signal } = {}) =>
    new Promise((resolve, reject) => {
      const request = get(url, { signal }, (response) => {
        response.resume();
        resolve({ status: response.statusCode, body: { cancel: async () => response.destroy() } });
      });
      request.on('error', reject);
    });
}

const hooks = (s, key) => (s ? [...hooks(s.parent, key), ...s[key]] : []);
// The timeout's timer starts before the test does, as jest's: a test that counts the process's
// timers at its start (a leak check) must not find this one added later.
const within = (fn, ms, what) =>
  new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what}: timed out after ${ms} ms`)), ms);
    Promise.resolve()
      .then(fn)
      .then(
        (value) => (clearTimeout(timer), resolve(value)),
        (err) => (clearTimeout(timer), reject(err)),
      );
  });
const counts = { passed: 0, failed: 0, skipped: 0 };
const report = (err) => String(err?.stack ?? err).split('\n').filter((line) => !/^\s+at /.test(line)).slice(0, 20).join('\n');

async function runSuite(s, path) {
  for (const hook of s.beforeAll) await hook();
  for (const child of s.children) {
    if (!child.test) {
      await runSuite(child, [...path, child.name]);
      continue;
    }
    const name = [...path, child.test.name].join(' > ');
    if (child.test.skip) {
      counts.skipped++;
      console.log(`  skip  ${name}`);
      continue;
    }
    const started = Date.now();
    try {
      for (const hook of hooks(s, 'beforeEach')) await hook();
      await within(child.test.fn, child.test.timeoutMs, name);
      counts.passed++;
      console.log(`  pass  ${name} (${Date.now() - started} ms)`);
    } catch (err) {
      counts.failed++;
      console.log(`  FAIL  ${name}\n${report(err)}`);
    }
    try {
      for (const hook of hooks(s, 'afterEach').reverse()) await hook();
    } catch (err) {
      counts.failed++;
      console.log(`  FAIL  afterEach of ${name}\n${report(err)}`);
    }
  }
  for (const hook of s.afterAll) await hook();
}

/** Runs what the test file registered; ends the process with a summary line wine-tests.mjs reads. */
export async function run(file) {
  console.log(`${file} (${process.platform} ${process.arch}, node ${process.version})`);
  await runSuite(root, []);
  console.log(`result ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`);
  process.exit(counts.failed ? 1 : 0);
}
