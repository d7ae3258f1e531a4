/**
 * `npm run bench` (full, writes bench/RESULTS.md) and `npm run bench -- --quick` (CI: a few
 * runs at small sizes, writes nothing, under a minute). Runs against the BUILT package in
 * dist/, so it measures what users run. Benchmarks, not tests: nothing here fails on a slow
 * figure; the exit code is 1 only when a scenario crashed.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { CLI_PATH, ROOT } from './bench-client.mjs';
import { coldProcess } from './cold-process.mjs';
import { startEmulatorProcess } from './emulator-process.mjs';
import { installFootprint } from './install-footprint.mjs';
import { loginOverhead } from './login-overhead.mjs';
import { describeMachine } from './machine.mjs';
import { concurrentRefreshInChild } from './refresh-child.mjs';
import { busyNote, markdownReport, textHistogram, textTable, textTargetTable } from './report.mjs';
import { tokenFile } from './token-file.mjs';

const USAGE = `Usage: npm run bench [-- options]   (or: node bench/run.mjs [options] after npm run build)
  --quick         few runs, small sizes, no install footprint; writes nothing (for CI)
  --only LETTERS  scenarios to run, e.g. --only ab or --only c,d (a, b, f and cold c run together)
  --footprint     measure the install footprint (g) even with --quick
  --out FILE      where to write the Markdown report (default bench/RESULTS.md on a full run)
  --no-write      do not write the report
  -h, --help      this help`;

const FULL = {
  cold: { runs: 30, warmups: 3, rssRuns: 10 },
  // 5,000 clients (~6.5 MiB) is the largest file the storages read (MAX_TOKEN_FILE_BYTES, 8 MiB).
  tokens: { sizes: [100, 1000, 5000], runsFor: (n) => (n > 1000 ? 10 : 30), warmups: 3 },
  login: { runs: 100, warmups: 5 },
  refresh: { runs: 10, warmups: 1, callers: 10_000, otherStorages: 100 },
  footprint: true,
};
const QUICK = {
  cold: { runs: 3, warmups: 1, rssRuns: 1 },
  tokens: { sizes: [100, 1000], runsFor: () => 5, warmups: 1 },
  login: { runs: 10, warmups: 2 },
  refresh: { runs: 2, warmups: 0, callers: 10_000, otherStorages: 100 },
  footprint: false,
};

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    footprint: { type: 'boolean', default: false },
    out: { type: 'string' },
    'no-write': { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
if (!existsSync(CLI_PATH)) {
  console.error('bench: dist/ is missing; run `npm run build` first (npm run bench does).');
  process.exit(1);
}

const plan = values.quick ? QUICK : FULL;
const only = new Set((values.only ?? 'abcdefg').toLowerCase().replace(/[^a-g]/g, ''));
const wants = (...ids) => ids.some((id) => only.has(id));
const atStart = describeMachine();
const tmp = mkdtempSync(join(tmpdir(), 'native-login-bench-'));
const rows = [];
const notes = [];
const errors = [];
let histogram;
let emulator;

/** Runs one scenario; a crash is reported and the others still run. */
async function scenario(name, fn) {
  const began = performance.now();
  process.stderr.write(`bench: ${name}…`);
  try {
    const result = await fn();
    rows.push(...result.rows);
    notes.push(...result.notes);
    histogram ??= result.histogram;
    process.stderr.write(` ${((performance.now() - began) / 1000).toFixed(1)} s\n`);
  } catch (error) {
    process.stderr.write(' CRASHED\n');
    console.error(error);
    errors.push(`${name}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

try {
  if (wants('a', 'b', 'c', 'd', 'e', 'f')) {
    emulator = await startEmulatorProcess({ cliPath: CLI_PATH });
  }
  // The login comes first, so that its "first login in the process" is really the first.
  if (wants('d')) {
    await scenario('(d) login() overhead', () => loginOverhead({ emulator, tmp, ...plan.login }));
  }
  if (wants('e')) {
    for (const otherStorages of [0, plan.refresh.otherStorages]) {
      await scenario(
        `(e) concurrent refresh${otherStorages ? `, ${otherStorages} storages` : ''}`,
        () => concurrentRefreshInChild({ emulator, tmp, ...plan.refresh, otherStorages }),
      );
    }
  }
  if (wants('a', 'b', 'c', 'f')) {
    await scenario('(a, b, c, f) fresh processes: CLI and library', () =>
      coldProcess({ emulator, tmp, ...plan.cold }),
    );
  }
  // (c) last but the footprint: at 5,000 clients it leaves a heap of some hundreds
  // of MiB whose next major GC (and its background threads) would land in other timings.
  if (wants('c')) {
    await scenario('(c) token file load/save', () => tokenFile({ tmp, ...plan.tokens }));
  }
  if (wants('g') && (plan.footprint || values.footprint)) {
    await scenario('(g) install footprint', async () => installFootprint({ tmp }));
  }
} finally {
  await emulator?.stop();
  rmSync(tmp, { recursive: true, force: true });
}

rows.sort((x, y) => x.id.localeCompare(y.id));
// A few runs on a CI machine say nothing about speed: the quick run proves the scenarios work.
if (values.quick) {
  for (const row of rows) if (row.timing) row.verdict = 'quick run: no verdict';
}
// Notes start with their scenario, "(a)…"; the sort is stable within one scenario.
notes.sort((x, y) => x.slice(1, 2).localeCompare(y.slice(1, 2)));
const machine = { ...atStart, load: `${atStart.load} → ${describeMachine().load}` };
console.log(
  `\nnative-login benchmarks (${values.quick ? 'quick' : 'full'}) — ${machine.cpus} × ${machine.model}, ${machine.memory}, Node ${machine.node}, load ${machine.load}, ${machine.date}\n`,
);
const busy = busyNote(machine);
if (busy) console.log(`${busy.replaceAll('**', '')}\n`);
console.log(textTable(rows));
console.log(`\nAgainst the targets and the Python library:\n${textTargetTable(rows)}`);
if (histogram) console.log(`\n(d) spread of our login overhead:\n${textHistogram(histogram)}`);
for (const error of errors) console.log(`\nCRASHED ${error}`);

const out = values['no-write']
  ? undefined
  : (values.out ?? (values.quick ? undefined : join(ROOT, 'bench', 'RESULTS.md')));
if (out !== undefined) {
  const command = values.quick ? 'npm run bench -- --quick' : 'npm run bench';
  const mode = values.quick ? 'quick' : 'full';
  writeFileSync(out, markdownReport({ machine, mode, rows, notes, histogram, errors, command }));
  console.log(`\nbench: wrote ${out}`);
}
process.exitCode = errors.length > 0 ? 1 : 0;
