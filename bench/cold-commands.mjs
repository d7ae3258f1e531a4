/**
 * The fresh-process commands of (a), (b), (c-cold) and (f), and what they need on disk: a
 * HOME with a small token file (2 resource servers), a HOME with a 1,000-client file, a
 * script that uses the library as a user would (`import … from 'native-login'`, resolved
 * through a node_modules link to this package, so the package's exports are used).
 */
import { chmodSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI_PATH, CLIENT_ID, ROOT, TRANSFER } from './bench-client.mjs';
import { childEnv } from './emulator-process.mjs';

/** The library case: build a NativeClient (default storage in $HOME) and get authorizers. */
const LIBRARY_SCRIPT = `import { NativeClient } from 'native-login';
const client = new NativeClient({ clientId: process.env.BENCH_CLIENT_ID });
const authorizers = await client.getAuthorizers();
const header = await authorizers[process.env.BENCH_RS].getAuthorizationHeader();
process.stdout.write(header.replace(/^Bearer /, '') + '\\n');
`;

/** The least a program that prints a stored token does: read the file, find the key. */
const READ_FLOOR = [
  'const text = require("node:fs").readFileSync(process.env.BENCH_TOKEN_FILE, "utf8");',
  'const at = text.indexOf("[" + process.env.BENCH_CLIENT_ID + "]");',
  'const m = /^transfer_api_globus_org__access_token = (.*)$/m.exec(text.slice(at));',
  'process.stdout.write(m[1] + "\\n");',
].join('');

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

/** The token file's name in a HOME: fair-research-login's default, which both sides use. */
export const TOKEN_FILENAME = '.globus-native-apps.cfg';

/** Folders: `small` and `big` HOMEs, the library script beside a node_modules link. */
export function coldLayout(tmp) {
  const dir = join(tmp, 'cold');
  const layout = { dir, small: join(dir, 'home-small'), big: join(dir, 'home-big') };
  for (const home of [layout.small, layout.big]) mkdirSync(home, { recursive: true });
  // A runtime folder others may enter: no memo of a checked file counts there (or is written),
  // so every read checks the whole file, as the first read of each version does.
  layout.openRuntime = join(dir, 'runtime-open');
  mkdirSync(join(layout.openRuntime, 'native-login'), { recursive: true });
  chmodSync(join(layout.openRuntime, 'native-login'), 0o755);
  mkdirSync(join(dir, 'node_modules'), { recursive: true });
  symlinkSync(ROOT, join(dir, 'node_modules', 'native-login'), 'dir');
  layout.script = join(dir, 'get-authorizers.mjs');
  writeFileSync(layout.script, LIBRARY_SCRIPT);
  return layout;
}

/** Every command, by key; `refreshToken` makes the POST floors send a real refresh. */
export function coldCommands({ layout, authUrl, refreshToken }) {
  const node = (label, args, extraEnv = {}) => ({
    label,
    file: process.execPath,
    args,
    env: childEnv({
      BENCH_CLIENT_ID: CLIENT_ID,
      BENCH_RS: TRANSFER,
      GLOBUS_SDK_SERVICE_URL_AUTH: authUrl,
      // A runtime folder of the run's own, as a desktop session has: the memo of the checked
      // 1,000-client file (src/storage/file/check-memo.ts) lives there, not in the user's.
      XDG_RUNTIME_DIR: join(layout.dir, 'runtime'),
      ...extraEnv,
    }),
  });
  const cli = (label, home) =>
    node(label, [CLI_PATH, '--client-id', CLIENT_ID, 'token', '-r', TRANSFER], { HOME: home });
  const library = (label, home) => node(label, [layout.script], { HOME: home });
  const postEnv = {
    HOME: layout.small,
    BENCH_TOKEN_URL: new URL('v2/oauth2/token', authUrl).href,
    BENCH_FORM: new URLSearchParams({
      grant_type: 'refresh_token',
      refresh_token: refreshToken,
      client_id: CLIENT_ID,
    }).toString(),
  };
  return {
    floor: node('node -e 0', ['-e', '0'], { HOME: layout.small }),
    cliValid: cli('native-login token (valid)', layout.small),
    libValid: library('library getAuthorizers (valid)', layout.small),
    cliRefresh: cli('native-login token (expired)', layout.small),
    libRefresh: library('library getAuthorizers (expired)', layout.small),
    httpFloor: node('node:http POST floor', ['-e', HTTP_POST], postEnv),
    fetchFloor: node('fetch POST floor', ['--input-type=module', '-e', FETCH_POST], postEnv),
    readFloor: node('read-the-file floor', ['-e', READ_FLOOR], {
      HOME: layout.big,
      BENCH_TOKEN_FILE: join(layout.big, TOKEN_FILENAME),
    }),
    cliBig: cli('native-login token (1,000 clients)', layout.big),
    cliBigChecked: node(
      'native-login token (1,000 clients, checked whole)',
      [CLI_PATH, '--client-id', CLIENT_ID, 'token', '-r', TRANSFER],
      { HOME: layout.big, XDG_RUNTIME_DIR: layout.openRuntime },
    ),
    libBig: library('library getAuthorizers (1,000 clients)', layout.big),
  };
}
