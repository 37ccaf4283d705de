// Tier 2 of the demo: probes the API every 2 s and publishes the result through @baton/state,
// where the store worker (and any other process) sees it.
import { openStore } from '@baton/state';

const dir = process.env.DEMO_STATE_DIR ?? '.baton/demo';
const url = `http://127.0.0.1:${process.env.API_PORT ?? 4321}/`;
const store = await openStore({ dir, name: 'probes', initial: { checks: 0, lastStatus: null }, watch: false });
process.stdout.write(`probing ${url}\n`);
const probe = async () => {
  let status;
  try {
    status = (await fetch(url)).status;
  } catch (err) {
    status = `down (${err.cause?.code ?? err.message})`;
  }
  const { version } = await store.update((s) => ({ checks: s.checks + 1, lastStatus: status }));
  process.stdout.write(`probe ${status} -> state v${version}\n`);
};
await probe();
const timer = setInterval(probe, 2000);
process.on('SIGTERM', async () => {
  clearInterval(timer);
  await store.close();
  process.exit(0);
});
