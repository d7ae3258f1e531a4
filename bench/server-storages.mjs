/**
 * `npm run bench:servers`: the token stores for many machines, measured against private
 * PostgreSQL and Redis servers (started here from the Debian packages, stopped at the end)
 * next to the token file. Not part of `npm run bench -- --quick` (it needs the servers).
 *   (h) `native-login token` as a new process with valid tokens, per storage (wall time).
 *   (i) 32 `native-login token` processes started at once on expired tokens, per storage:
 *       time until all are done, and how many refresh requests reached the emulator (1).
 * Runs against the BUILT package (dist/); start it with `node --import tsx` (the servers'
 * helper is TypeScript). Benchmarks, not tests: the exit code is 1 only on a crash.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startPostgres, startRedis } from '../test/helpers/private-servers.ts';
import {
  CLI_PATH,
  CLIENT_ID,
  expired,
  loadLibrary,
  loginForTokens,
  TRANSFER,
} from './bench-client.mjs';
import { childEnv, startEmulatorProcess } from './emulator-process.mjs';
import { formatNumber, summarize } from './stats.mjs';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '20' },
    waiters: { type: 'string', default: '32' },
    rounds: { type: 'string', default: '3' },
  },
});
const RUNS = Number(values.runs);
const WAITERS = Number(values.waiters);
const ROUNDS = Number(values.rounds);

/** Runs `node args…` to its end; resolves with wall time (ms), exit code and stdout. */
function run(args, env) {
  return new Promise((done, fail) => {
    const began = performance.now();
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('error', fail);
    child.on('close', (code) => done({ ms: performance.now() - began, code, stdout, stderr }));
  });
}

const tmp = mkdtempSync(join(tmpdir(), 'native-login-bench-servers-'));
const env = childEnv({ HOME: tmp });
const lib = await loadLibrary();
const emulator = await startEmulatorProcess({ cliPath: CLI_PATH });
const servers = [];
const rows = [];
try {
  const pg = await startPostgres();
  const redis = await startRedis();
  const file = join(tmp, 'tokens.cfg');
  const stores = [
    { name: 'file', arg: file, storage: new lib.MultiClientTokenStorage({ filename: file }) },
  ];
  stores[0].storage.setClientId(CLIENT_ID);
  for (const [name, server, make] of [
    [
      'postgres',
      pg,
      (url) => new lib.PostgresTokenStorage({ connectionString: url, namespace: CLIENT_ID }),
    ],
    ['redis', redis, (url) => new lib.RedisTokenStorage({ url, namespace: CLIENT_ID })],
  ]) {
    if (typeof server === 'string') {
      console.error(`bench: skipping ${name}: ${server}`);
      continue;
    }
    servers.push(server);
    stores.push({ name, arg: server.url, storage: make(server.url) });
  }
  const { tokens } = await loginForTokens(lib, {
    authUrl: emulator.url,
    storageFile: join(tmp, 'login.cfg'),
  });
  const tokenArgs = (store) => [
    CLI_PATH,
    '--client-id',
    CLIENT_ID,
    '--storage',
    store.arg,
    'token',
    '-r',
    TRANSFER,
  ];
  const authEnv = { ...env, GLOBUS_SDK_SERVICE_URL_AUTH: emulator.url };

  // (h): valid tokens; runs interleaved with the floor so that drift hits all alike.
  for (const store of stores) await store.storage.writeTokens(tokens);
  const samples = new Map([['node -e 0 (floor)', []], ...stores.map((s) => [s.name, []])]);
  for (let i = 0; i < RUNS; i++) {
    samples.get('node -e 0 (floor)').push((await run(['-e', '0'], env)).ms);
    for (const store of stores) {
      const result = await run(tokenArgs(store), authEnv);
      if (result.code !== 0)
        throw new Error(`${store.name}: token exited ${result.code}: ${result.stderr}`);
      samples.get(store.name).push(result.ms);
    }
  }
  const floor = summarize(samples.get('node -e 0 (floor)')).median;
  for (const [name, list] of samples) {
    const s = summarize(list);
    rows.push([
      `(h) token, ${name}`,
      `${formatNumber(s.median)} ms`,
      `${formatNumber(s.p90)} ms`,
      `${(s.median / floor).toFixed(2)}× floor`,
    ]);
  }

  // (i): expired tokens, WAITERS processes at once, one refresh expected per round.
  for (const store of stores) {
    const times = [];
    const refreshes = [];
    for (let round = 0; round < ROUNDS; round++) {
      const current = await store.storage.readTokens();
      await store.storage.writeTokens(expired(current));
      await emulator.resetCounters();
      const began = performance.now();
      const results = await Promise.all(
        Array.from({ length: WAITERS }, () => run(tokenArgs(store), authEnv)),
      );
      times.push(performance.now() - began);
      const failed = results.filter((r) => r.code !== 0);
      if (failed.length > 0)
        throw new Error(`${store.name}: ${failed.length} failed: ${failed[0].stderr}`);
      refreshes.push((await emulator.counters()).token.refresh_token);
    }
    const s = summarize(times);
    rows.push([
      `(i) ${WAITERS} × token on expired, ${store.name}`,
      `${formatNumber(s.median)} ms`,
      `${formatNumber(s.max)} ms`,
      `refreshes: ${refreshes.join(', ')}`,
    ]);
  }
  for (const store of stores) await store.storage.close?.();
} finally {
  await emulator.stop();
  await Promise.all(servers.map((server) => server.stop()));
  rmSync(tmp, { recursive: true, force: true });
}

const header = ['scenario', 'median', 'p90 / max', 'note'];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
for (const line of [header, ...rows])
  console.log(line.map((cell, i) => cell.padEnd(widths[i])).join('  '));
