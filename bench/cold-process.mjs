/**
 * Scenarios (a), (b) and (f): `native-login token` as a fresh process, the way a shell
 * script calls it, against the floor of any Node program (`node -e 0`).
 *   (a) valid tokens for two resource servers stored: read the file, print the token.
 *   (b) the same token expired: one refresh against the emulator (another process), stored.
 *       Two more floors: the least a Node program that refreshes must do, one POST with the
 *       built-in `fetch` and one with `node:http`.
 *   (f) peak resident memory of (a) and (b) against the floors'.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  CLI_PATH,
  CLIENT_ID,
  expired,
  loadLibrary,
  loginForTokens,
  TRANSFER,
} from './bench-client.mjs';
import { childEnv } from './emulator-process.mjs';
import { peakRss, rssMethod, timeCommand } from './spawn-timer.mjs';
import { summarize } from './stats.mjs';

const FETCH_POST = [
  'const r = await fetch(process.env.BENCH_TOKEN_URL, { method: "POST",',
  ' headers: { "content-type": "application/x-www-form-urlencoded" },',
  ' body: process.env.BENCH_FORM });',
  'if (!r.ok) process.exit(1); await r.text();',
].join('');
const HTTP_POST = [
  'const r = require("node:http").request(process.env.BENCH_TOKEN_URL, { method: "POST",',
  ' headers: { "content-type": "application/x-www-form-urlencoded" } }, (res) => {',
  ' if (res.statusCode !== 200) process.exit(1); res.resume(); });',
  'r.end(process.env.BENCH_FORM);',
].join('');

/** Runs (a), (b) and (f); returns their rows and notes for the report. */
export async function coldProcess({ emulator, tmp, runs, warmups, rssRuns }) {
  const lib = await loadLibrary();
  const dir = join(tmp, 'cold');
  const home = join(dir, 'home');
  mkdirSync(home, { recursive: true });
  const storageFile = join(dir, 'tokens.cfg');
  const { client, tokens } = await loginForTokens(lib, { authUrl: emulator.url, storageFile });
  const node = (label, args, extraEnv = {}) => ({
    label,
    file: process.execPath,
    args,
    env: childEnv({ HOME: home, ...extraEnv }),
  });
  const postEnv = {
    BENCH_TOKEN_URL: new URL('v2/oauth2/token', emulator.url).href,
    BENCH_FORM: new URLSearchParams({
      grant_type: 'refresh_token',
      refresh_token: tokens[TRANSFER].refresh_token,
      client_id: CLIENT_ID,
    }).toString(),
  };
  const cmd = {
    floor: node('node -e 0', ['-e', '0']),
    token: node(
      'native-login token',
      [CLI_PATH, '--client-id', CLIENT_ID, 'token', '-r', TRANSFER],
      {
        NATIVE_LOGIN_STORAGE: storageFile,
        GLOBUS_SDK_SERVICE_URL_AUTH: emulator.url,
      },
    ),
    fetchFloor: node('fetch POST floor', ['--input-type=module', '-e', FETCH_POST], postEnv),
    httpFloor: node('node:http POST floor', ['-e', HTTP_POST], postEnv),
  };
  const expireStored = () => client.saveTokens(expired(tokens));
  const ms = { floor: [], valid: [], refresh: [], fetchFloor: [], httpFloor: [] };
  const refreshCounts = new Set();

  // Every command once per round, so that drift (CPU clocks, other load) hits all alike.
  for (let i = 0; i < warmups + runs; i++) {
    const round = {};
    round.floor = timeCommand(cmd.floor).ms;
    const valid = timeCommand(cmd.token);
    if (valid.stdout.trim() !== tokens[TRANSFER].access_token) {
      throw new Error('native-login token did not print the stored access token');
    }
    round.valid = valid.ms;
    await expireStored();
    const before = (await emulator.counters()).token.refresh_token;
    const refreshed = timeCommand(cmd.token);
    refreshCounts.add((await emulator.counters()).token.refresh_token - before);
    const printed = refreshed.stdout.trim();
    if (printed === '' || printed === tokens[TRANSFER].access_token) {
      throw new Error('native-login token did not print a refreshed access token');
    }
    round.refresh = refreshed.ms;
    round.fetchFloor = timeCommand(cmd.fetchFloor).ms;
    round.httpFloor = timeCommand(cmd.httpFloor).ms;
    await client.saveTokens(tokens);
    if (i >= warmups) for (const key of Object.keys(ms)) ms[key].push(round[key]);
  }

  const method = rssMethod();
  const rss = { floor: [], valid: [], refresh: [], fetchFloor: [], httpFloor: [] };
  for (let i = 0; i < rssRuns; i++) {
    rss.floor.push(peakRss(cmd.floor, method));
    rss.valid.push(peakRss(cmd.token, method));
    await expireStored();
    rss.refresh.push(peakRss(cmd.token, method));
    rss.fetchFloor.push(peakRss(cmd.fetchFloor, method));
    rss.httpFloor.push(peakRss(cmd.httpFloor, method));
  }
  await client.saveTokens(tokens);

  const s = Object.fromEntries(Object.entries(ms).map(([key, list]) => [key, summarize(list)]));
  const r = Object.fromEntries(Object.entries(rss).map(([key, list]) => [key, summarize(list)]));
  const ratioA = s.valid.median / s.floor.median;
  const times = (x, y) => `${(x.median / y.median).toFixed(2)}×`;
  const timeRow = (id, title, summary, extra = {}) => ({
    id,
    title,
    unit: 'ms',
    summary,
    ...(summary !== s.floor && { ratio: summary.median / s.floor.median }),
    ...extra,
  });
  const rssRow = (title, summary, verdict) => ({
    id: 'f',
    title,
    unit: 'MiB',
    summary,
    ...(summary !== r.floor && { ratio: summary.median / r.floor.median }),
    ...(verdict && { verdict }),
  });
  const over = (summary) =>
    `no target: +${(summary.median - r.floor.median).toFixed(1)} MiB over the floor`;
  return {
    rows: [
      timeRow('a', 'floor: `node -e 0`', s.floor),
      timeRow('a', '`native-login token`, valid tokens (2 RS)', s.valid, {
        target: '≤ 1.5× floor',
        verdict: `${ratioA <= 1.5 ? 'met' : 'MISSED'}: ${ratioA.toFixed(3)}× the floor`,
        python: '139 ms, 5.1× its floor',
      }),
      timeRow('b', 'floor: node + one refresh POST with `node:http`', s.httpFloor),
      timeRow('b', 'floor: node + one refresh POST with `fetch`', s.fetchFloor),
      timeRow('b', '`native-login token`, expired: 1 refresh + save', s.refresh, {
        verdict: `no target: ${times(s.refresh, s.fetchFloor)} the fetch floor, ${times(s.refresh, s.httpFloor)} the node:http floor`,
      }),
      rssRow('peak RSS, floor `node -e 0`', r.floor),
      rssRow('peak RSS, (a) valid tokens', r.valid, over(r.valid)),
      rssRow('peak RSS, floor node + POST with `node:http`', r.httpFloor),
      rssRow('peak RSS, floor node + POST with `fetch`', r.fetchFloor),
      rssRow('peak RSS, (b) with a refresh', r.refresh, over(r.refresh)),
    ],
    notes: [
      `(a)/(b): ${runs} timed rounds after ${warmups} warm-up(s); each round runs every command once (floor, (a), (b), the two POST floors), wall time from spawn to exit (spawnSync), the emulator in its own process.`,
      `(b): the stored tokens are rewritten as expired (saveTokens) before each run, untimed; refresh requests per run seen by the emulator: ${[...refreshCounts].join(' or ')}. The POST floors send the same refresh_token grant to the emulator and read the answer, nothing else.`,
      `(f): ${rssRuns} runs each, measured with ${method === 'gnu-time' ? '`/usr/bin/time -f %M` (GNU time)' : 'a `--import` preload recording `process.resourceUsage().maxRSS` at exit (also on the floors)'}.`,
    ],
  };
}
