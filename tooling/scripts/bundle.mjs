#!/usr/bin/env node
// Bundles a long-running Node entry point (the orchestrator, a benchmark's supervisor process)
// into one ESM file, plus one chunk per part loaded only through a dynamic import():
// `node tooling/scripts/bundle.mjs <entry.js> <out.mjs>` writes <out.mjs> and <out>-chunks/.
//
// Why: Node keeps a record, source text and compiled code per ES module, and the packages Baton
// builds on are many small modules (execa alone loads over a hundred). Measured on the
// supervisor with 10 idle services: 65 MiB RSS as separate modules, 55 MiB as one file. The
// bundle is not minified, so stack traces keep their names; native addons stay external and
// are loaded from node_modules next to the bundle's package.
//
// Why chunks: in one file every external import is hoisted to the top and loaded at start, also
// one that only a dynamic import() reaches. The orchestrator imports @baton/etcd (etcd3, gRPC,
// protobuf) only when a config asks for etcd; in one file every `orchestrator status` loaded it
// (180 of 375 ms of CPU) and every orchestrator kept it in memory.
import { rmSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';

/**
 * Packages that cannot be bundled: they load files relative to their own directory (a native
 * addon; etcd3's .proto files). The app lists them as its own dependencies, so they resolve.
 */
export const externalPackages = ['fs-native-extensions', 'etcd3'];

/**
 * Packages a dependency imports only on a path the app never takes, and that are not installed: Ink loads React's
 * devtools only when DEV=true. Left unresolved; reached, the import would fail saying which package is missing.
 */
export const neverLoaded = ['react-devtools-core'];

/** Bundles `entry` into `outfile` and its chunks; resolves with the output size in bytes. */
export async function bundleNodeApp(entry, outfile) {
  const name = basename(outfile, extname(outfile));
  const chunks = `${name}-chunks`;
  // Chunks are named by hash: those of an earlier build would stay beside the new ones.
  rmSync(join(dirname(outfile), chunks), { recursive: true, force: true });
  const result = await build({
    entryPoints: { [name]: entry },
    outdir: dirname(outfile),
    outExtension: { '.js': extname(outfile) || '.js' },
    splitting: true,
    chunkNames: `${chunks}/[name]-[hash]`,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: [...externalPackages, ...neverLoaded],
    // CommonJS dependencies call require(); an ES module has none, so give the bundle one.
    banner: { js: "import { createRequire as __batonCreateRequire } from 'node:module';\nconst require = __batonCreateRequire(import.meta.url);" },
    sourcemap: 'linked',
    logLevel: 'warning',
    metafile: true,
  });
  return Object.values(result.metafile.outputs).reduce((sum, o) => sum + (o.bytes ?? 0), 0);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [entry, outfile] = process.argv.slice(2);
  if (!entry || !outfile) {
    process.stderr.write('usage: node tooling/scripts/bundle.mjs <entry.js> <out.mjs>\n');
    process.exitCode = 2;
  } else {
    try {
      await bundleNodeApp(entry, outfile);
    } catch (err) {
      process.stderr.write(`bundle: ${entry} -> ${outfile} failed: ${err.message}\n`);
      process.exitCode = 1;
    }
  }
}
