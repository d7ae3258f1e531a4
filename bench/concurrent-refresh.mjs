/**
 * Scenario (e): 10,000 concurrent `getAuthorizationHeader()` calls on one expired
 * RefreshTokenAuthorizer (from `client.getAuthorizer(group)`): how many refresh requests
 * reach the emulator (the design says one), and how long until every caller has its header.
 * Each variant runs in a fresh process (see refresh-child.mjs): the cost of an `await`
 * depends on what the process did before, which is what the second variant shows.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { expired, loadLibrary, loginForTokens, TRANSFER } from './bench-client.mjs';
import { summarize } from './stats.mjs';

/**
 * Runs (e); with `otherStorages` > 0, that many other MultiClientTokenStorage instances first
 * take their lock once, as in a long-running process that builds a client per request.
 */
export async function concurrentRefresh({ emulator, tmp, runs, warmups, callers, otherStorages }) {
  const lib = await loadLibrary();
  const dir = join(tmp, `refresh-${otherStorages}`);
  mkdirSync(dir, { recursive: true });
  for (let i = 0; i < otherStorages; i++) {
    const storage = new lib.MultiClientTokenStorage({
      filename: join(dir, 'other.cfg'),
      section: `client-${i}`,
    });
    await storage.withLock(async () => undefined);
  }
  const storageFile = join(dir, 'tokens.cfg');
  const { client, tokens } = await loginForTokens(lib, { authUrl: emulator.url, storageFile });
  const times = [];
  const refreshCounts = [];
  for (let i = 0; i < warmups + runs; i++) {
    // Stored and in hand, the tokens are expired: the refresher must go to the server.
    const stale = expired(tokens);
    await client.saveTokens(stale);
    const authorizer = client.getAuthorizer(stale[TRANSFER]);
    await emulator.resetCounters();
    const began = performance.now();
    const headers = await Promise.all(
      Array.from({ length: callers }, () => authorizer.getAuthorizationHeader()),
    );
    const ms = performance.now() - began;
    const counters = await emulator.counters();
    if (new Set(headers).size !== 1 || headers[0] === `Bearer ${stale[TRANSFER].access_token}`) {
      throw new Error('the callers did not all get the one refreshed token');
    }
    if (i < warmups) continue;
    times.push(ms);
    refreshCounts.push(counters.token.refresh_token);
  }
  const most = Math.max(...refreshCounts);
  const least = Math.min(...refreshCounts);
  const count = least === most ? String(most) : `${least}–${most}`;
  const calls = `${callers.toLocaleString('en')} concurrent \`getAuthorizationHeader()\`, expired`;
  if (otherStorages > 0) {
    return {
      rows: [
        {
          id: 'e',
          title: `the same, after ${otherStorages} other storages took their lock`,
          unit: 'ms',
          summary: summarize(times),
          verdict: `no target: ${count} refresh request(s) per run`,
        },
      ],
      notes: [
        `(e): the second row runs in a process where ${otherStorages} other MultiClientTokenStorage instances (one per client, as a service that builds a client per request would) each took their lock once before the same measurement; ${runs} runs. A difference from the first row is a per-promise cost that grows with the number of storages ever used in the process.`,
      ],
    };
  }
  return {
    rows: [
      {
        id: 'e',
        title: calls,
        unit: 'ms',
        summary: summarize(times),
        target: '1 refresh request',
        verdict: `${most === 1 && least === 1 ? 'met' : 'MISSED'}: ${count} refresh request(s) per run`,
      },
    ],
    notes: [
      `(e): ${runs} runs after ${warmups} warm-up(s), in a fresh process; each starts from tokens stored and held as expired; the time runs from the first call until all ${callers.toLocaleString('en')} promises settled (one refresh round trip and one save included). Refresh requests per run, from the emulator's counters: ${refreshCounts.join(', ')}.`,
    ],
  };
}
