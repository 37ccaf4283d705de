// Tier 0 of the demo: the store everyone shares, through @baton/state. Prints each change it sees.
import { openStore } from '@baton/state';

const dir = process.env.DEMO_STATE_DIR ?? '.baton/demo';
const store = await openStore({ dir, name: 'probes', initial: { checks: 0, lastStatus: null } });
store.onDidChange(({ value, version, origin }) => {
  if (origin === 'remote') process.stdout.write(`probe result v${version}: ${value.lastStatus} (${value.checks} checks)\n`);
});
process.stdout.write(`store ready at ${store.file} (version ${store.version})\n`);
// A store's watch does not keep a process alive by itself; this worker lives until stopped.
const alive = setInterval(() => {}, 1 << 30);
process.on('SIGTERM', async () => {
  clearInterval(alive);
  await store.close();
  process.exit(0);
});
