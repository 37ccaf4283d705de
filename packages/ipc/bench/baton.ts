// The bench runs the built package (dist/), as users do; `pnpm bench` builds it first. Loaded
// through tsx, src/ would be compiled by esbuild with keepNames, which wraps each closure made per
// message in a naming call: about 2 us of a round trip's server time that users never pay.
import type * as Ipc from '../src/index.js';

export const { connect, createServer } = (await import('../dist/index.js' as string)) as typeof Ipc;
