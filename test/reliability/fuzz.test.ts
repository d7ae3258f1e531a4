/**
 * Seeded fuzzing of token files: thousands of mutations of a valid INI file (and of a valid
 * JSON file) are read through the storages. Nothing untyped may escape (every error is a
 * LoginException), and no wrong data may come back silently where it can be detected: a
 * group whose resource_server does not match the keys it was stored under (INI), or a
 * resource server that was never stored (JSON). `RELIABILITY_SEED=<n>` replays a run.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { LoginException, TokenFileCorrupt } from '../../src/errors.js';
import { MultiClientTokenStorage } from '../../src/storage/ini/multi-client-token-storage.js';
import { JSONTokenStorage } from '../../src/storage/json-token-storage.js';
import type { TokensByResourceServer } from '../../src/tokens/token-group.js';
import { mutate } from './mutations.js';
import { mulberry32, seedFrom } from './prng.js';
import { SecretScan } from './secret-scan.js';
import { clientIdFor, fakeGroup, keyPrefix, sectionText, TRANSFER } from './token-text.js';

const INI_MUTATIONS = 2500;
const JSON_MUTATIONS = 1000;
const SEED = seedFrom(process.env, 20_251_127);
const CLIENT = clientIdFor(1);
const GROUPS = [
  fakeGroup('auth.globus.org', 'fuzz'),
  fakeGroup(TRANSFER, 'fuzz'),
  fakeGroup('funcx_service', 'fuzz'),
];
const ORIGINAL = new Set(GROUPS.map((group) => group.resource_server));
const scan = new SecretScan();
const dir = await mkdtemp(join(tmpdir(), 'native-login-fuzz-'));
after(() => rm(dir, { recursive: true, force: true }));

type Tally = {
  unchanged: number;
  otherData: number;
  nothing: number;
  corrupt: number;
  otherTyped: Record<string, number>;
  untyped: string[];
  wrong: string[];
  undetectable: number;
};

function tally(): Tally {
  return {
    unchanged: 0,
    otherData: 0,
    nothing: 0,
    corrupt: 0,
    otherTyped: {},
    untyped: [],
    wrong: [],
    undetectable: 0,
  };
}

/** Reads one mutated file and files the outcome; `wrongData` says what a good reader refuses. */
async function readOne(
  read: () => Promise<TokensByResourceServer>,
  expected: string,
  what: string,
  into: Tally,
  wrongData: (tokens: TokensByResourceServer) => string | undefined,
): Promise<void> {
  try {
    const tokens = await read();
    scan.addGroups(tokens);
    const wrong = wrongData(tokens);
    if (wrong) into.wrong.push(`${what}: ${wrong}`);
    else if (JSON.stringify(tokens) === expected) into.unchanged++;
    else if (Object.keys(tokens).length === 0) into.nothing++;
    else into.otherData++;
    if (!wrong && Object.keys(tokens).some((rs) => !ORIGINAL.has(rs))) into.undetectable++;
  } catch (error) {
    scan.captureError(what, error);
    if (error instanceof TokenFileCorrupt) into.corrupt++;
    else if (error instanceof LoginException) {
      into.otherTyped[error.constructor.name] = (into.otherTyped[error.constructor.name] ?? 0) + 1;
    } else into.untyped.push(`${what}: ${String(error)}`);
  }
}

function report(t: { diagnostic: (m: string) => void }, label: string, count: number, r: Tally) {
  t.diagnostic(
    `fuzz ${label} (seed ${SEED}): ${count} mutated files; read back unchanged ${r.unchanged}, other data ${r.otherData}, ` +
      `no tokens ${r.nothing}; TokenFileCorrupt ${r.corrupt}, other typed errors ${JSON.stringify(r.otherTyped)}; ` +
      `untyped errors ${r.untyped.length}; wrong data returned silently ${r.wrong.length}` +
      (r.undetectable
        ? ` (plus ${r.undetectable} renamed resource servers whose keys still match, undetectable by design)`
        : ''),
  );
  for (const example of [...r.untyped, ...r.wrong].slice(0, 5))
    t.diagnostic(`  for example mutation ${example}`);
}

/**
 * Writes `count` seeded mutations of `base` to `file`, reads each with `storage`, and fails on
 * an untyped error or wrong data that `wrongData` (beyond the shared key check) detects.
 */
async function fuzz(
  t: { diagnostic: (m: string) => void },
  label: string,
  options: {
    storage: { readTokens(): Promise<TokensByResourceServer> };
    file: string;
    base: Buffer;
    seed: number;
    count: number;
    wrongData?: (tokens: TokensByResourceServer, text: string) => string | undefined;
  },
): Promise<void> {
  const { storage, file, base, count } = options;
  await writeFile(file, base);
  const expected = JSON.stringify(await storage.readTokens());
  const random = mulberry32(options.seed);
  const result = tally();
  for (let i = 0; i < count; i++) {
    const { bytes, what } = mutate(base, random);
    await writeFile(file, bytes);
    await readOne(
      () => storage.readTokens(),
      expected,
      `${i} (${what})`,
      result,
      (tokens) => {
        for (const [key, group] of Object.entries(tokens)) {
          if (key !== group.resource_server)
            return `stored under "${key}" but names "${group.resource_server}"`;
        }
        return options.wrongData?.(tokens, bytes.toString('utf8'));
      },
    );
  }
  report(t, label, count, result);
  assert.deepEqual(result.untyped, [], 'untyped errors escaped');
  assert.deepEqual(result.wrong, [], 'wrong data came back silently');
}

test(`fuzz: ${INI_MUTATIONS} mutations of an INI token file`, async (t) => {
  const other = sectionText(clientIdFor(2), [fakeGroup(TRANSFER, 'other')]);
  const base = Buffer.from(sectionText(CLIENT, GROUPS) + other);
  scan.addFromText(base.toString());
  const file = join(dir, 'tokens.cfg');
  const storage = new MultiClientTokenStorage({ filename: file });
  storage.setClientId(CLIENT);
  await fuzz(t, 'INI', {
    storage,
    file,
    base,
    seed: SEED,
    count: INI_MUTATIONS,
    // A group must come from keys carrying its own name (a cut value would not).
    wrongData: (tokens, text) => {
      for (const group of Object.values(tokens)) {
        const escaped = keyPrefix(group.resource_server).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        if (!new RegExp(`^[ \\t]*${escaped}__resource_server[ \\t]*[=:]`, 'im').test(text)) {
          return `resource server "${group.resource_server}" loaded from keys of another name`;
        }
      }
      return undefined;
    },
  });
});

test(`fuzz: ${JSON_MUTATIONS} mutations of a JSON token file`, async (t) => {
  const groups = Object.fromEntries(GROUPS.map((group) => [group.resource_server, group]));
  const file = join(dir, 'tokens.json');
  await fuzz(t, 'JSON', {
    storage: new JSONTokenStorage({ filename: file }),
    file,
    base: Buffer.from(`${JSON.stringify(groups, null, 2)}\n`),
    seed: SEED + 1,
    count: JSON_MUTATIONS,
  });
});

scan.checkAtEnd();
