import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnFixture } from './fixture.js';
import { makeTempDir } from './tempDir.js';

/** The ```ts code blocks of a Markdown file, in order. */
export function readmeExamples(markdownFile: string): string[] {
  const text = readFileSync(markdownFile, 'utf8');
  return [...text.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((match) => match[1]!);
}

export interface ExampleRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs one README example as a real process in `cwd`, as written except that each import
 * specifier in `modules` is pointed at the given file (so `@baton/lock` means this checkout's
 * source, not a published copy).
 */
export async function runExample(code: string, cwd: string, modules: Record<string, string>): Promise<ExampleRun> {
  let source = code;
  for (const [specifier, file] of Object.entries(modules)) {
    source = source.replaceAll(`from '${specifier}'`, `from ${JSON.stringify(file)}`);
  }
  // .mts: an ES module wherever it is written, so top-level await works as in the README.
  const file = join(cwd, 'example.mts');
  writeFileSync(file, source);
  const fixture = spawnFixture(file, [], { cwd });
  const { code: exitCode } = await fixture.exited;
  return { code: exitCode, stdout: fixture.lines.join('\n'), stderr: fixture.stderr() };
}

/**
 * Runs the first example of a README in a fresh temp directory (removed afterwards, also when
 * `inspect` throws); `inspect` looks at what the example left in that directory.
 */
export async function runReadmeExample(
  markdownFile: string,
  modules: Record<string, string>,
  inspect?: (dir: string) => Promise<void>,
): Promise<ExampleRun> {
  const [example] = readmeExamples(markdownFile);
  if (example === undefined) throw new Error(`${markdownFile} has no \`\`\`ts example`);
  const tmp = await makeTempDir();
  try {
    const run = await runExample(example, tmp.path, modules);
    await inspect?.(tmp.path);
    return run;
  } finally {
    await tmp.cleanup();
  }
}
