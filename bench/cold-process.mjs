/**
 * Scenarios (a), (b), the cold half of (c), and (f): native-login as a fresh process, the way
 * a shell script calls the CLI or a Python user runs a script, each as a ratio to the floor
 * of any Node program (`node -e 0`) measured in the same rounds.
 *   (a) valid tokens for two resource servers: `native-login token`, and a script that
 *       imports the library and calls `getAuthorizers()`.
 *   (b) the same tokens expired: the CLI refreshes the one it prints, the library both;
 *       the emulator (another process) answers. Floors: one POST with node:http / fetch.
 *   (c) the same two commands on a token file shared by 1,000 clients; floor: a script
 *       that reads the file and prints one token.
 *   (f) peak resident memory of every case against the floor's.
 */

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { benchClient, expired, loadLibrary, loginForTokens, TRANSFER } from './bench-client.mjs';
import { coldCommands, coldLayout, TOKEN_FILENAME } from './cold-commands.mjs';
import { peakRss, rssMethod, timeCommand } from './spawn-timer.mjs';
import { summarize } from './stats.mjs';
import { iniFile } from './token-file.mjs';

/** Fair-research-login 0.3.1 + globus-sdk 3.65 on the same files and server (issue 16). */
const PY_FLOOR_MS = 37.8;
const python = (ms) => `${ms} ms, ${(ms / PY_FLOOR_MS).toFixed(2)}× its floor`;
const NO_CLI = '– (no CLI)';

/** The cases: key, id, title, target ratio, Python reference. Floors have no target. */
const CASES = [
  ['floor', 'a', 'floor: `node -e 0`'],
  ['cliValid', 'a', '`native-login token`, valid tokens (2 RS)', 1.3, NO_CLI],
  [
    'libValid',
    'a',
    "library: `import 'native-login'` + `getAuthorizers()`, valid",
    1.3,
    python(184.5),
  ],
  ['httpFloor', 'b', 'floor: node + one refresh POST with `node:http`'],
  ['fetchFloor', 'b', 'floor: node + one refresh POST with `fetch`'],
  ['cliRefresh', 'b', '`native-login token`, expired: 1 refresh + save', 1.6, NO_CLI],
  [
    'libRefresh',
    'b',
    'library `getAuthorizers()`, both expired: 2 refreshes + save',
    1.8,
    python(234.6),
  ],
  ['readFloor', 'c', 'floor: a script that reads the 1,000-client file, prints a token'],
  ['cliBig', 'c', '`native-login token`, 1,000-client file', 1.3, NO_CLI],
  [
    'cliBigChecked',
    'c',
    '`native-login token`, 1,000-client file, a version read for the first time (whole file checked)',
  ],
  ['libBig', 'c', 'library `getAuthorizers()`, 1,000-client file', 1.4, python(276.7)],
];
const RSS_TARGET = 1.25;

/** Runs the cold cases; returns their rows and notes for the report. */
export async function coldProcess({ emulator, tmp, runs, warmups, rssRuns }) {
  const lib = await loadLibrary();
  const layout = coldLayout(tmp);
  const smallFile = join(layout.small, TOKEN_FILENAME);
  const bigFile = join(layout.big, TOKEN_FILENAME);
  const { client, tokens } = await loginForTokens(lib, {
    authUrl: emulator.url,
    storageFile: smallFile,
  });
  writeFileSync(bigFile, iniFile(1000), { mode: 0o600 });
  // Our section in the middle of 999 others; the stored tokens replace its random ones.
  await benchClient(lib, { authUrl: emulator.url, storageFile: bigFile }).saveTokens(tokens);
  // Only a version of a file left alone for 2 s is remembered as checked (check-memo.ts): the
  // warm-up then checks and remembers it, as a user's first `token` of the day would.
  await sleep(2100);
  const cmd = coldCommands({
    layout,
    authUrl: emulator.url,
    refreshToken: tokens[TRANSFER].refresh_token,
  });
  const expected = tokens[TRANSFER].access_token;
  const refreshes = { cliRefresh: new Set(), libRefresh: new Set() };
  /** Runs one command; checks what it printed; counts refreshes for the expired cases. */
  const run = async (key, measure) => {
    if (key in refreshes) await client.saveTokens(expired(tokens));
    const before = (await emulator.counters()).token.refresh_token;
    const result = measure(cmd[key]);
    const count = (await emulator.counters()).token.refresh_token - before;
    if (key in refreshes) {
      refreshes[key].add(count);
      await client.saveTokens(tokens);
    }
    // Each case must print the stored token, or (expired) a new one; POST floors print none.
    const printed = result.stdout?.trim();
    const prints = /^(cli|lib)|^readFloor$/.test(key);
    if (printed !== undefined && prints) {
      const fresh = key in refreshes;
      if (printed === '' || (printed === expected) === fresh) {
        throw new Error(`${cmd[key].label} printed ${fresh ? 'no new' : 'another'} token`);
      }
    }
    return result;
  };

  // Every command once per round, so that drift (CPU clocks, other load) hits all alike.
  const ms = Object.fromEntries(CASES.map(([key]) => [key, []]));
  for (let i = 0; i < warmups + runs; i++) {
    for (const [key] of CASES) {
      const { ms: took } = await run(key, timeCommand);
      if (i >= warmups) ms[key].push(took);
    }
  }
  const method = rssMethod();
  const rss = Object.fromEntries(CASES.map(([key]) => [key, []]));
  for (let i = 0; i < rssRuns; i++) {
    for (const [key] of CASES)
      rss[key].push((await run(key, (c) => ({ mib: peakRss(c, method) }))).mib);
  }
  return { rows: rowsFor(ms, rss), notes: notesFor({ runs, warmups, rssRuns, method, refreshes }) };
}

function rowsFor(ms, rss) {
  const s = Object.fromEntries(Object.entries(ms).map(([key, list]) => [key, summarize(list)]));
  const r = Object.fromEntries(Object.entries(rss).map(([key, list]) => [key, summarize(list)]));
  const verdict = (ratio, limit) =>
    `${ratio <= limit ? 'met' : 'MISSED'}: ${ratio.toFixed(2)}× the floor`;
  const rows = CASES.map(([key, id, title, target, py]) => {
    const ratio = s[key].median / s.floor.median;
    return {
      id,
      title,
      unit: 'ms',
      summary: s[key],
      ...(key !== 'floor' && { ratio }),
      ...(target !== undefined && {
        target: `≤ ${target}× floor`,
        verdict: verdict(ratio, target),
        timing: true,
        python: py,
      }),
    };
  });
  for (const [key, , title, target] of CASES) {
    const ratio = r[key].median / r.floor.median;
    const measured = key === 'floor' || target !== undefined;
    rows.push({
      id: 'f',
      title: `peak RSS, ${key === 'floor' ? 'floor `node -e 0`' : title}`,
      unit: 'MiB',
      summary: r[key],
      ...(key !== 'floor' && { ratio }),
      ...(measured &&
        key !== 'floor' && {
          target: `≤ ${RSS_TARGET}× floor`,
          verdict: `${verdict(ratio, RSS_TARGET)}, +${(r[key].median - r.floor.median).toFixed(1)} MiB`,
        }),
    });
  }
  return rows;
}

function notesFor({ runs, warmups, rssRuns, method, refreshes }) {
  const counts = (key) => [...refreshes[key]].join(' or ');
  return [
    `(a)/(b)/(c) cold: ${runs} timed rounds after ${warmups} warm-up(s); each round runs every command once, floors included, wall time from spawn to exit (spawnSync), the emulator in its own process. "× floor" is the median over the median of \`node -e 0\` in the same rounds.`,
    `(a)/(b)/(c) cold: the library case is a 4-line script (\`import { NativeClient } from 'native-login'\`, resolved through node_modules to this package; \`new NativeClient({ clientId })\` with the default token file in $HOME; \`getAuthorizers()\`; one \`getAuthorizationHeader()\`), as the Python figures' script does with fair-research-login.`,
    `(b): the stored tokens are rewritten as expired (saveTokens) before each run and restored after, untimed; refresh requests per run seen by the emulator: CLI ${counts('cliRefresh')}, library ${counts('libRefresh')}.`,
    `(c) cold: the token file holds 1,000 clients × 3 resource servers (about 1.3 MiB), ours in the middle; the floor reads it with readFileSync and prints one token with a regular expression. native-login checks the whole file once and remembers this version as checked (src/storage/file/check-memo.ts, in the run's own XDG_RUNTIME_DIR): the warm-up does the check, the timed runs read the memo, as every \`token\` after the first on an unchanged file does. The row "a version read for the first time" runs with a runtime folder that others may enter, where no memo counts: it checks the whole file every time, which is what the first read of each new version costs.`,
    `Python column: fair-research-login 0.3.1 + globus-sdk 3.65 on the same token files against the same local auth server, one hyperfine run on this machine, medians (issue 16; \`python -c pass\` = ${PY_FLOOR_MS} ms, \`node -e 0\` = 59.5 ms in that run).`,
    `(f): ${rssRuns} runs each, measured with ${method === 'gnu-time' ? '`/usr/bin/time -f %M` (GNU time)' : 'a `--import` preload recording `process.resourceUsage().maxRSS` at exit (also on the floors)'}.`,
  ];
}
