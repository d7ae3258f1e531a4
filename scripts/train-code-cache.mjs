#!/usr/bin/env node
/**
 * The training run behind dist/'s code caches (src/load-chunk.ts): scripts/build.mjs runs it in
 * a child process after the build. It runs the paths users run most, in-process against the
 * bundled emulator and in a temp folder, then writes each loaded chunk's V8 code cache, which
 * then holds the bytecode of every function those paths called:
 *   - `import 'native-login'` + `getAuthorizers()` on valid tokens, then on expired ones;
 *   - `native-login token` on valid and on expired tokens, and on a file shared by 200 clients
 *     (the fast read, checked, then remembered as checked); a bad flag and `--help` (the
 *     wording of errors).
 * Then, in a child process of its own (no emulator in it), the library's start-up alone: `import
 * 'native-login'` + `getAuthorizers()` on valid tokens (the login's, saved again), which writes
 * the caches the library's entry prefers (named by the build: `core.js.library.v20…cache`), holding
 * only what that start-up runs (src/load-chunk.ts says why).
 * Nothing here is a test: the tests check the built package (test/build/).
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const CLIENT_ID = '0c4bd2a0-5c4f-4b7e-9d1a-2f3e4a5b6c7d';
const SCOPES = 'openid profile email urn:globus:auth:scope:transfer.api.globus.org:all';
const TRANSFER = 'transfer.api.globus.org';
const CHUNKS = fileURLToPath(new URL('../dist/chunks', import.meta.url));

const sink = () => new Writable({ write: (_chunk, _encoding, done) => done() });
if (process.argv[2] === 'login') await login(process.argv[3]);
else if (process.argv[2] === 'start-up') await trainStartUp(process.argv[3]);
else await train(process.argv[2]);

/** The chunk files of dist/. */
function chunkFiles() {
  return readdirSync(CHUNKS)
    .filter((name) => name.endsWith('.js'))
    .map((name) => join(CHUNKS, name));
}

/** Runs `node <this script> ...args` with `env`; fails if it does. */
async function runChild(args, env) {
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env,
  });
  let printed = '';
  child.stdout.on('data', (chunk) => {
    printed += chunk;
  });
  const [code] = await once(child, 'exit');
  if (code !== 0) throw new Error(`the training child ${args[0]} exited with ${code}`);
  return printed;
}

/**
 * Runs the paths and writes the caches. The login that gets the tokens runs in a child
 * process: a login is interactive, so its compile time does not matter, and bytecode of
 * functions a path never calls would only make every start-up read and keep more.
 */
async function train(startUpCache) {
  const home = mkdtempSync(join(tmpdir(), 'native-login-train-'));
  let emulator;
  try {
    process.env.HOME = home;
    // Memos of checked token files (storage/file/check-memo.ts) go here, not to the user's folder.
    process.env.XDG_RUNTIME_DIR = join(home, 'runtime');
    for (const name of Object.keys(process.env)) {
      if (name.startsWith('GLOBUS_') || name.startsWith('NATIVE_LOGIN_')) delete process.env[name];
    }
    // Every chunk gets an empty cache first, so that this process (the emulator too) loads it
    // through the chunk loader, which keeps what it compiled for writeCodeCaches.
    const { seedCodeCaches, writeCodeCaches, codeCachePath } = require('../dist/load-chunk.js');
    const chunks = chunkFiles();
    seedCodeCaches(chunks);
    const { startEmulator } = require('../dist/emulator/index.js');
    emulator = await startEmulator({ port: 0, autoApprove: true });
    process.env.GLOBUS_SDK_SERVICE_URL_AUTH = emulator.url;
    const tokens = JSON.parse(await runChild(['login', emulator.url], process.env));

    const lib = require('../dist/index.js');
    const { main } = require('../dist/cli/main.js');
    const cli = (...argv) => main(argv, { stdout: sink(), stderr: sink(), env: process.env });
    const library = async () => {
      const authorizers = await new lib.NativeClient({ clientId: CLIENT_ID }).getAuthorizers();
      await authorizers[TRANSFER]?.getAuthorizationHeader();
    };
    const file = join(home, '.globus-native-apps.cfg');
    // A file shared by 200 clients, in a home of its own: the fast read of big files
    // (storage/ini/ini-fast-read.ts), and its memo once the file has settled (check-memo.ts).
    const ours = readFileSync(file, 'utf8');
    const others = Array.from({ length: 200 }, (_, i) =>
      ours.replaceAll(CLIENT_ID, `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`),
    );
    const bigHome = join(home, 'big');
    mkdirSync(bigHome);
    writeFileSync(join(bigHome, '.globus-native-apps.cfg'), [...others, ours].join('\n'), {
      mode: 0o600,
    });
    const settled = performance.now() + 2100;
    const storage = new lib.MultiClientTokenStorage({ filename: file });
    storage.setClientId(CLIENT_ID);
    const expire = () => {
      const past = Math.floor(Date.now() / 1000) - 60;
      const old = Object.entries(tokens).map(([rs, group]) => [
        rs,
        { ...group, expires_at_seconds: past },
      ]);
      return storage.writeTokens(Object.fromEntries(old));
    };

    for (let round = 0; round < 3; round++) {
      await library();
      await cli('--client-id', CLIENT_ID, 'token', '-r', TRANSFER);
      await expire();
      await library();
      await expire();
      await cli('--client-id', CLIENT_ID, 'token', '-r', TRANSFER);
    }
    process.env.HOME = bigHome;
    await library(); // not settled yet: checked
    await sleep(Math.max(0, settled - performance.now()));
    for (let round = 0; round < 2; round++) {
      await library(); // checked and remembered, then remembered
      await cli('--client-id', CLIENT_ID, 'token', '-r', TRANSFER);
    }
    await cli('--no-such-flag');
    await cli('--help');

    const written = writeCodeCaches();
    // The chunks these paths never load (login, the other commands) keep no cache: they are
    // then loaded by plain `require`, and compile as they always did.
    for (const file of chunks.map((filename) => codeCachePath(filename))) {
      if (!written.includes(file)) rmSync(file);
    }
    process.stderr.write(`code caches: ${written.length} of ${chunks.length} chunks trained\n`);
    // The library's start-up on valid tokens (the login's: the runs above left some expired).
    process.env.HOME = home;
    await storage.writeTokens(tokens);
    const startUp = await runChild(['start-up', startUpCache], { ...process.env, HOME: home });
    process.stderr.write(startUp);
  } finally {
    await emulator?.close();
    rmSync(home, { recursive: true, force: true });
  }
}

/**
 * The child that writes the `name` caches: the library's start-up on valid tokens, from seeds
 * (no other cache: V8 would keep every function a cache gave it), three times over.
 */
async function trainStartUp(name) {
  const {
    seedCodeCaches,
    writeCodeCaches,
    codeCachePath,
    codeCacheFiles,
  } = require('../dist/load-chunk.js');
  const chunks = chunkFiles();
  seedCodeCaches(chunks, name);
  const lib = require('../dist/index.js');
  for (let round = 0; round < 3; round++) {
    const authorizers = await new lib.NativeClient({ clientId: CLIENT_ID }).getAuthorizers();
    await authorizers[TRANSFER]?.getAuthorizationHeader();
  }
  const loaded = [...codeCacheFiles()];
  const own = (filename) => codeCachePath(filename, name);
  const foreign = loaded.filter(([filename, file]) => file !== own(filename));
  if (foreign.length > 0 || loaded.length === 0) {
    throw new Error(`the library's entry did not load its own caches (${foreign.flat()})`);
  }
  // Valid tokens: nothing refreshed or saved (else this would train the wrong path).
  const names = loaded.map(([filename]) => filename.split('/').pop());
  if (names.includes('refresh.js') || names.includes('write.js')) {
    throw new Error(`the start-up training refreshed or saved tokens (${names.join(', ')})`);
  }
  // An own cache kept only where it spares a tenth of the shared one's bytecode or more: not
  // `library` or `keychain`, which only the library loads (its cache would be the same again).
  const written = writeCodeCaches();
  const kept = [];
  for (const filename of chunks) {
    const file = own(filename);
    const shared = codeCachePath(filename);
    // Both files hold the same header and source; the rest is V8's data.
    const source = statSync(filename).size;
    const spares =
      existsSync(shared) && statSync(file).size - source < 0.9 * (statSync(shared).size - source);
    if (written.includes(file) && spares) kept.push(filename.split('/').pop());
    else rmSync(file);
  }
  process.stdout.write(`code caches of the library's start-up: ${kept.join(', ')}\n`);
}

/** The child: logs in against `authUrl` (tokens to HOME's token file) and prints them. */
async function login(authUrl) {
  const lib = require('../dist/index.js');
  const tokens = await new lib.NativeClient({
    clientId: CLIENT_ID,
    authBaseUrl: authUrl,
    codeHandlers: [new lib.LocalServerCodeHandler()],
    openBrowser: (url) => void browse(url),
    env: { BROWSER: 'scripted' },
    stdout: sink(),
    stderr: sink(),
  }).login({ requestedScopes: SCOPES, refreshTokens: true, force: true, timeoutMs: 30_000 });
  process.stdout.write(JSON.stringify(tokens));
}

/** A scripted browser: follows the emulator's redirects to the loopback server. */
async function browse(start) {
  let url = start;
  for (let hop = 0; hop < 10; hop++) {
    const response = await fetch(url, { redirect: 'manual' });
    await response.arrayBuffer();
    const location = response.headers.get('location');
    if (response.status < 300 || response.status >= 400 || location === null) return;
    url = new URL(location, url).href;
  }
}
