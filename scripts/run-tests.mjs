// Runs every test file with node's runner. Node 20's --test takes no globs, so the file list is
// built here; arguments narrow it (`node scripts/run-tests.mjs storage`). The TAP stream goes to
// stdout as it comes; a second reporter collects the failures, printed last (file, test name,
// first line of the assertion), so a CI log's last lines say what failed.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function walk(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'fixtures' ? [] : walk(path);
    return entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

const filters = process.argv.slice(2);
const files = walk('test')
  .filter((file) => filters.length === 0 || filters.some((f) => file.includes(f)))
  .sort();
if (files.length === 0) {
  console.error(`no test files match ${filters.join(' ')}`);
  process.exit(1);
}
const scratch = mkdtempSync(join(tmpdir(), 'native-login-tests-'));
const summaryFile = join(scratch, 'summary.txt');
// The tests' own runtime folder: the memos of checked token files (and lock files) that they
// make never land in the user's.
const runtime = join(scratch, 'runtime');
mkdirSync(runtime, { mode: 0o700 });
const result = spawnSync(
  process.execPath,
  [
    '--import',
    'tsx',
    '--test',
    '--test-concurrency=2',
    // No test may hang a CI run: one that takes 10 minutes fails, and is named as failing.
    '--test-timeout=600000',
    '--test-reporter=tap',
    '--test-reporter-destination=stdout',
    `--test-reporter=${new URL('./failure-summary-reporter.mjs', import.meta.url).href}`,
    `--test-reporter-destination=${summaryFile}`,
    ...files,
  ],
  { stdio: 'inherit', env: { ...process.env, XDG_RUNTIME_DIR: runtime } },
);
let summary = '';
try {
  summary = readFileSync(summaryFile, 'utf8');
} catch {
  summary = '\n(the test runner ended before writing its summary)\n';
}
rmSync(scratch, { recursive: true, force: true });
process.stdout.write(summary);
process.exit(result.status ?? 1);
