// The project speaks of itself only: its code, docs and comments name dates and commits, never the numbered work
// sessions that built it (the patterns below). Run by `pnpm lint`; prints each offending line with its file and
// line, and exits 1 if there is any.
//
//   node tooling/scripts/check-words.mjs
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const patterns = [
  { pattern: /\bstops? \d+\b/i, why: 'names a work session ("stop N"): give a date or a commit' },
  { pattern: /\b(?:since|until|before|after) stop\b/i, why: 'names a work session: give a date or a commit' },
];
const textFile = /\.(?:[cm]?[jt]sx?|md|json|ya?ml|sh|html|css|txt)$|(?:^|\/)(?:run|Dockerfile)$/;
const skipped = new Set(['pnpm-lock.yaml']);

const files = execFileSync('git', ['ls-files', '-z'], { encoding: 'utf8' }).split('\0').filter((f) => f && textFile.test(f) && !skipped.has(f));
const found = [];
for (const file of files) {
  let text;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    continue; // listed but removed in the working tree
  }
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    for (const { pattern, why } of patterns) {
      const match = pattern.exec(lines[i]);
      if (match) found.push(`${file}:${i + 1}: "${match[0]}" ${why}`);
    }
  }
}
if (found.length > 0) {
  process.stderr.write(`${found.join('\n')}\n${found.length} line(s) name the project's work sessions\n`);
  process.exit(1);
}
process.stdout.write(`check-words: ${files.length} files, no work-session words\n`);
