// The built package (dist/, from scripts/build.mjs) as users get it: CommonJS chunks, ES-module
// facades and the CLI. The other tests run the sources; these check what the build changes:
// the names `import` and `require` give, that both give the same classes, what importing
// loads, and the entries that find files by their own location (the CLI's version, the
// keychain worker), the code caches, and the package without them or bundled.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { buildSync } from 'esbuild';
import * as sourceEmulator from '../../src/emulator/index.js';
import * as source from '../../src/index.js';
import { codeCachePath } from '../../src/load-chunk.js';
import { clockEnv, FAR_EXPIRY } from '../helpers/clock.js';

const REPO = resolve(import.meta.dirname, '../..');
const BUILT = existsSync(join(REPO, 'dist/index.mjs'));

/** The path of the built chunk `name`. */
function chunk(name: string): string {
  return join(REPO, 'dist/chunks', `${name}.js`);
}

const CLIENT_ID = '5f6c8e1a-3b2d-4c7e-9a1f-0b2c3d4e5f60';

/** A token file in `home` with one valid Transfer token, `accessToken`, for CLIENT_ID. */
function writeValidTokenFile(home: string, accessToken: string): void {
  writeFileSync(
    join(home, '.globus-native-apps.cfg'),
    `[${CLIENT_ID}]\ntransfer.api.globus.org__access_token = ${accessToken}\n` +
      `transfer.api.globus.org__scope = urn:globus:auth:scope:transfer.api.globus.org:all\n` +
      `transfer.api.globus.org__expires_at_seconds = ${FAR_EXPIRY}\n` +
      'transfer.api.globus.org__resource_server = transfer.api.globus.org\n' +
      'transfer.api.globus.org__token_type = Bearer\n',
    { mode: 0o600 },
  );
}

/** Runs `script` (an ES module) with node in `dir`; its stdout parsed as JSON. */
function runScript(dir: string, name: string, script: string): unknown {
  const file = join(dir, name);
  writeFileSync(file, script);
  const result = spawnSync(process.execPath, [file], {
    cwd: dir,
    encoding: 'utf8',
    env: { PATH: process.env['PATH'], HOME: dir, ...clockEnv() },
  });
  assert.equal(result.status, 0, result.stderr);
  return JSON.parse(result.stdout);
}

describe('the built package', { skip: BUILT ? false : 'no build (run npm run build)' }, () => {
  let dir: string;
  before(() => {
    // A project that installed native-login: node_modules/native-login is this checkout.
    dir = mkdtempSync(join(tmpdir(), 'native-login-built-'));
    mkdirSync(join(dir, 'node_modules'));
    symlinkSync(REPO, join(dir, 'node_modules', 'native-login'), 'dir');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('import and require give every name of the sources, and the same classes', () => {
    const names = runScript(
      dir,
      'names.mjs',
      `import { createRequire } from 'node:module';
import * as imported from 'native-login';
import * as emulator from 'native-login/emulator';
const require = createRequire(import.meta.url);
const required = require('native-login');
const requiredEmulator = require('native-login/emulator');
const same = (a, b) => Object.keys(a).filter((name) => a[name] !== b[name]);
console.log(JSON.stringify({
  imported: Object.keys(imported).sort(),
  required: Object.keys(required).sort(),
  emulator: Object.keys(emulator).sort(),
  differ: [...same(imported, required), ...same(emulator, requiredEmulator)],
}));
`,
    ) as { imported: string[]; required: string[]; emulator: string[]; differ: string[] };
    const expected = Object.keys(source).sort();
    assert.deepEqual(names.imported, expected);
    assert.deepEqual(names.required, expected);
    assert.deepEqual(names.emulator, Object.keys(sourceEmulator).sort());
    assert.deepEqual(names.differ, [], 'import and require gave different objects');
  });

  test("import runs the entry and the chunk loader itself (Node's older path where it must)", () => {
    // A preload that records what Node's CommonJS loader compiles, and on demand takes
    // process.getBuiltinModule away, as on Node before 20.16.
    const preload = join(dir, 'compiled.cjs');
    writeFileSync(
      preload,
      `const { Module } = require('node:module');
const compiled = [];
const compile = Module.prototype._compile;
Module.prototype._compile = function (content, filename) {
  compiled.push(filename);
  return compile.call(this, content, filename);
};
globalThis.compiledByNode = compiled;
if (process.env.NO_GET_BUILTIN) delete process.getBuiltinModule;
`,
    );
    const script = join(dir, 'facade.mjs');
    writeFileSync(
      script,
      `import { createRequire } from 'node:module';
import * as imported from 'native-login';
const require = createRequire(import.meta.url);
const entry = require.resolve('native-login');
const required = require('native-login');
const { codeCacheUses } = require(${JSON.stringify(join(REPO, 'dist/load-chunk.js'))});
console.log(JSON.stringify({
  compiled: globalThis.compiledByNode.map((file) => file.slice(file.indexOf('dist/'))),
  same: Object.keys(imported).every((name) => imported[name] === required[name]),
  once: Object.keys(require.cache).filter((file) => file === entry).length,
  uses: [...new Set(codeCacheUses().values())],
}));
`,
    );
    const run = (env: Record<string, string>) => {
      const result = spawnSync(process.execPath, ['-r', preload, script], {
        cwd: dir,
        encoding: 'utf8',
        env: { PATH: process.env['PATH'], HOME: dir, ...env },
      });
      assert.equal(result.status, 0, result.stderr);
      return JSON.parse(result.stdout) as Record<string, unknown>;
    };
    // This Node: neither file goes through Node's loader, and require finds what import ran.
    assert.deepEqual(run({}), { compiled: [], same: true, once: 1, uses: ['used'] });
    // An older Node: createRequire, as before; the same classes and caches.
    assert.deepEqual(run({ NO_GET_BUILTIN: '1' }), {
      compiled: ['dist/index.js', 'dist/load-chunk.js'],
      same: true,
      once: 1,
      uses: ['used'],
    });
  });

  test('importing the library and building a client load no HTTP, crypto, readline or child-process module', () => {
    const loaded = runScript(
      dir,
      'loads.mjs',
      // The list is taken before anything is printed: a piped stdout loads node:net itself.
      // Nor node:net, which creating process.stderr for a pipe would load (nothing is printed).
      `import { NativeClient } from 'native-login';
new NativeClient({ clientId: '5f6c8e1a-3b2d-4c7e-9a1f-0b2c3d4e5f60' });
const loaded = JSON.stringify(process.moduleLoadList);
console.log(loaded);
`,
    ) as string[];
    for (const builtin of ['http', 'https', 'net', 'crypto', 'readline', 'child_process']) {
      assert.ok(!loaded.includes(`NativeModule ${builtin}`), `${builtin} was loaded`);
    }
  });

  test('every command of the built CLI loads and answers (nothing stored, no network)', () => {
    const cli = join(REPO, 'dist/cli/main.js');
    const id = '5f6c8e1a-3b2d-4c7e-9a1f-0b2c3d4e5f60';
    const cases: [string[], number, RegExp][] = [
      [['--help'], 0, /^$/],
      [['emulator', '--help'], 0, /^$/],
      [['bogus'], 2, /Unknown command "bogus"/],
      [['migrate'], 2, /migrate needs --from/],
      [['--client-id', id, 'status'], 3, /No tokens are stored/],
      [['--client-id', id, 'token'], 3, /No tokens are saved/],
      [['--client-id', id, 'whoami'], 3, /No tokens are saved/],
      [['--client-id', id, 'logout'], 0, /nothing to revoke/],
      // The paste flow, given up after a second: the login code loads, nothing is sent.
      [['--client-id', id, 'login', '--no-browser', '--timeout', '1'], 124, /open this URL/],
    ];
    for (const [args, code, stderr] of cases) {
      const result = spawnSync(process.execPath, [cli, ...args], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
        env: {
          PATH: process.env['PATH'],
          HOME: dir,
          GLOBUS_SDK_SERVICE_URL_AUTH: 'http://127.0.0.1:9/',
          ...clockEnv(),
        },
      });
      assert.equal(result.status, code, `${args.join(' ')}: ${result.stderr}`);
      assert.match(result.stderr, stderr, args.join(' '));
      assert.doesNotMatch(result.stderr, /Cannot find module| {4}at /, args.join(' '));
    }
  });

  test('the chunks load with the code cache the build wrote, in the library and in the CLI', () => {
    const loader = join(REPO, 'dist/load-chunk.js');
    const loaded = runScript(
      dir,
      'cache.mjs',
      `import { createRequire } from 'node:module';
import { NativeClient } from 'native-login';
new NativeClient({ clientId: '5f6c8e1a-3b2d-4c7e-9a1f-0b2c3d4e5f60' });
const { codeCacheUses, codeCacheFiles } = createRequire(import.meta.url)(${JSON.stringify(loader)});
console.log(JSON.stringify([Object.fromEntries(codeCacheUses()), Object.fromEntries(codeCacheFiles())]));
`,
    ) as [Record<string, string>, Record<string, string>];
    const [library, libraryFiles] = loaded;
    assert.deepEqual(
      Object.keys(library).sort(),
      // Not `write`: a script that reads valid tokens loads no file-writing code.
      ['client', 'core', 'keychain', 'library'].map(chunk),
    );
    assert.deepEqual(new Set(Object.values(library)), new Set(['used']));
    // `core` and `client`, which the CLI loads too, with the caches of the library's start-up
    // alone: smaller than the shared ones, which also hold a refresh, a save, a big file.
    for (const name of ['core', 'client']) {
      const own = codeCachePath(chunk(name), 'library');
      assert.equal(libraryFiles[chunk(name)], own);
      assert.ok(statSync(own).size < statSync(codeCachePath(chunk(name))).size, name);
    }
    for (const name of ['library', 'keychain']) {
      assert.equal(libraryFiles[chunk(name)], codeCachePath(chunk(name)));
    }
    // The CLI, through a preload that reports at exit (the command's own output is its own).
    const report = join(dir, 'uses.json');
    const preload = join(dir, 'report-uses.cjs');
    writeFileSync(
      preload,
      `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(report)},
  JSON.stringify((({ codeCacheUses, codeCacheFiles }) => [[...codeCacheUses().values()],
    [...codeCacheFiles().values()]])(require(${JSON.stringify(loader)})))));\n`,
    );
    const result = spawnSync(
      process.execPath,
      [
        '-r',
        preload,
        join(REPO, 'dist/cli/main.js'),
        '--client-id',
        '5f6c8e1a-3b2d-4c7e-9a1f-0b2c3d4e5f60',
        'token',
      ],
      { encoding: 'utf8', env: { PATH: process.env['PATH'], HOME: dir, ...clockEnv() } },
    );
    assert.equal(result.status, 3, result.stderr);
    // The CLI's process uses the shared caches, never the library's.
    const [cliUses, cliFiles] = JSON.parse(readFileSync(report, 'utf8')) as string[][];
    assert.deepEqual(new Set(cliUses), new Set(['used']));
    assert.deepEqual(
      cliFiles?.sort(),
      ['cli', 'core', 'messages'].map((name) => codeCachePath(chunk(name))),
    );
  });

  test('every chunk is ASCII, so that V8 holds its text as one-byte characters', () => {
    // One `…` in a comment made client.js a two-byte string: twice the memory to decode into.
    const chunks = readdirSync(join(REPO, 'dist/chunks')).filter((name) => name.endsWith('.js'));
    assert.ok(chunks.length >= 10, chunks.join());
    for (const name of chunks) {
      const bytes = readFileSync(join(REPO, 'dist/chunks', name));
      const at = bytes.findIndex((byte) => byte > 0x7f);
      assert.equal(at, -1, `${name} has a byte past ASCII at offset ${at}`);
    }
  });

  test('the built CLI prints a token into a pipe without building Node streams (no node:net)', () => {
    const home = join(dir, 'home-token');
    mkdirSync(home);
    writeValidTokenFile(home, 'AT-piped');
    const report = join(dir, 'token-loads.json');
    const preload = join(dir, 'report-loads.cjs');
    writeFileSync(
      preload,
      `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(report)},
  JSON.stringify(process.moduleLoadList)));\n`,
    );
    // stdout and stderr are pipes, as in TOKEN=$(native-login token).
    const result = spawnSync(
      process.execPath,
      ['-r', preload, join(REPO, 'dist/cli/main.js'), '--client-id', CLIENT_ID, 'token'],
      {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { PATH: process.env['PATH'], HOME: home, ...clockEnv() },
      },
    );
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.stdout, 'AT-piped\n');
    const loaded = JSON.parse(readFileSync(report, 'utf8')) as string[];
    for (const builtin of ['net', 'stream', 'http', 'crypto']) {
      assert.ok(!loaded.includes(`NativeModule ${builtin}`), `${builtin} was loaded`);
    }
  });

  test("the library's start-up on valid tokens loads no os, HTTP, crypto, readline or child process", () => {
    // Not node:os (~0.15 ms): the token file's folder comes from HOME, as os.homedir() takes it.
    const home = join(dir, 'home-library');
    mkdirSync(home);
    writeValidTokenFile(home, 'AT-library');
    const script = join(dir, 'start-up.mjs');
    writeFileSync(
      script,
      `import { NativeClient } from 'native-login';
const authorizers = await new NativeClient({ clientId: '${CLIENT_ID}' }).getAuthorizers();
const header = await authorizers['transfer.api.globus.org'].getAuthorizationHeader();
const loaded = process.moduleLoadList;
console.log(JSON.stringify({ header, loaded }));
`,
    );
    const result = spawnSync(process.execPath, [script], {
      cwd: dir,
      encoding: 'utf8',
      env: { PATH: process.env['PATH'], HOME: home, ...clockEnv() },
    });
    assert.equal(result.status, 0, result.stderr);
    const { header, loaded } = JSON.parse(result.stdout) as { header: string; loaded: string[] };
    assert.equal(header, 'Bearer AT-library');
    for (const builtin of ['os', 'http', 'https', 'net', 'crypto', 'readline', 'child_process']) {
      assert.ok(!loaded.includes(`NativeModule ${builtin}`), `${builtin} was loaded`);
    }
  });

  test('a refresh loads only the chunks it needs: not the library or keychain ones', () => {
    // What each chunk requires when it is loaded (its top level), following those chunks.
    const loads = (name: string): string[] =>
      [
        ...readFileSync(chunk(name), 'utf8').matchAll(
          /^const \w+ = require\('\.\/(\w+)\.js'\);$/gm,
        ),
      ].map((match) => match[1] as string);
    const seen = new Set<string>();
    const queue = ['client', 'refresh', 'write'];
    for (let name = queue.pop(); name !== undefined; name = queue.pop()) {
      if (seen.has(name)) continue;
      seen.add(name);
      queue.push(...loads(name));
    }
    assert.deepEqual([...seen].sort(), ['client', 'core', 'refresh', 'write']);
  });

  test('without its code caches (another Node), and bundled into one file, it works the same', () => {
    // A copy of the package with no cache: what a user on another Node version has.
    const copy = join(dir, 'no-cache');
    cpSync(join(REPO, 'dist'), join(copy, 'dist'), {
      recursive: true,
      filter: (file) => !file.endsWith('.cache'),
    });
    cpSync(join(REPO, 'package.json'), join(copy, 'package.json'));
    const env = { PATH: process.env['PATH'], HOME: dir, ...clockEnv() };
    const cli = spawnSync(
      process.execPath,
      [
        join(copy, 'dist/cli/main.js'),
        '--client-id',
        '5f6c8e1a-3b2d-4c7e-9a1f-0b2c3d4e5f60',
        'token',
      ],
      {
        encoding: 'utf8',
        env,
      },
    );
    assert.equal(cli.status, 3, cli.stderr);
    assert.match(cli.stderr, /No tokens are saved/);
    // An application bundled with esbuild, as ncc or webpack users ship one: the chunks are
    // in the bundle, not beside it.
    const app = join(dir, 'app.cjs');
    writeFileSync(
      app,
      `const { NativeClient, MultiClientTokenStorage } = require('native-login');
console.log(typeof NativeClient, typeof MultiClientTokenStorage);
`,
    );
    const bundle = join(dir, 'bundle', 'app.js');
    buildSync({
      entryPoints: [app],
      bundle: true,
      platform: 'node',
      logLevel: 'error',
      outfile: bundle,
      absWorkingDir: dir,
    });
    // The bundle holds the chunk itself (its module is "…/dist/chunks/client.js").
    assert.match(readFileSync(bundle, 'utf8'), /dist\/chunks\/client\.js"\(exports/);
    const run = spawnSync(process.execPath, [bundle], { encoding: 'utf8', env });
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stdout, 'function function\n');
  });

  test('an app written with import, bundled by esbuild as CommonJS or as an ES module, works', () => {
    // Bundlers resolve `import` under the `module` condition to a facade they can follow; Node
    // (which does not set it) keeps the facade that skips cjs-module-lexer.
    const app = join(dir, 'app.mjs');
    writeFileSync(
      app,
      `import { NativeClient, MultiClientTokenStorage } from 'native-login';
import { startEmulator } from 'native-login/emulator';
console.log(typeof NativeClient, typeof MultiClientTokenStorage, typeof startEmulator);
`,
    );
    const env = { PATH: process.env['PATH'], HOME: dir, ...clockEnv() };
    // The usual banner of an ES-module bundle for Node: a `require` for the CommonJS inside.
    const requireBanner =
      "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);";
    for (const [format, outfile, banner] of [
      ['cjs', 'bundle-from-esm/app.cjs', undefined],
      ['esm', 'bundle-from-esm/app.mjs', requireBanner],
    ] as const) {
      const bundle = join(dir, outfile);
      buildSync({
        entryPoints: [app],
        bundle: true,
        platform: 'node',
        format,
        logLevel: 'error',
        outfile: bundle,
        absWorkingDir: dir,
        ...(banner === undefined ? {} : { banner: { js: banner } }),
      });
      const text = readFileSync(bundle, 'utf8');
      assert.match(text, /dist\/chunks\/client\.js/, `${format}: the chunk is in the bundle`);
      assert.doesNotMatch(text, /createRequire\(import\.meta\.url\)\("\.\/index\.js"\)/);
      const run = spawnSync(process.execPath, [bundle], { encoding: 'utf8', env, cwd: tmpdir() });
      assert.equal(run.status, 0, `${format}: ${run.stderr}`);
      assert.equal(run.stdout, 'function function function\n', format);
    }
    const resolved = runScript(
      dir,
      'resolve.mjs',
      `console.log(JSON.stringify([import.meta.resolve('native-login'), import.meta.resolve('native-login/emulator')]));\n`,
    ) as string[];
    assert.match(resolved[0] ?? '', /\/dist\/index\.mjs$/);
    assert.match(resolved[1] ?? '', /\/dist\/emulator\/index\.mjs$/);
  });

  test("a TypeScript project finds both entries' types under each module resolution", () => {
    // node10 (what `module: commonjs` implies) reads no `exports`: typesVersions maps the
    // emulator's subpath for it; the others take the `types` of `exports`.
    const ts = join(dir, 'ts-consumer');
    mkdirSync(ts, { recursive: true });
    const body = `import { NativeClient, type TokenGroup, LoginException } from 'native-login';
import { startEmulator, type Emulator } from 'native-login/emulator';
export const client: NativeClient = new NativeClient({ clientId: 'x' });
export const group: TokenGroup | undefined = undefined;
export const start: (options: { port: number }) => Promise<Emulator> = startEmulator;
export { LoginException };
`;
    for (const file of ['app.mts', 'app.cts', 'app.ts']) writeFileSync(join(ts, file), body);
    for (const [module, resolution, files] of [
      ['nodenext', 'nodenext', ['app.mts', 'app.cts']],
      ['node16', 'node16', ['app.mts', 'app.cts']],
      ['esnext', 'bundler', ['app.ts']],
      ['commonjs', 'node10', ['app.ts']],
    ] as const) {
      const tsc = spawnSync(
        process.execPath,
        [
          join(REPO, 'node_modules/typescript/bin/tsc'),
          '--noEmit',
          '--strict',
          ...['--module', module, '--moduleResolution', resolution, '--target', 'es2022'],
          ...['--types', 'node', '--typeRoots', join(REPO, 'node_modules/@types')],
          ...files,
        ],
        { cwd: ts, encoding: 'utf8' },
      );
      assert.equal(tsc.status, 0, `${resolution}: ${tsc.stdout}${tsc.stderr}`);
    }
  });

  test('the CLI finds its version; the keychain worker is where the storage starts it', () => {
    const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as {
      version: string;
    };
    const cli = join(dir, 'node_modules/native-login/dist/cli/main.js');
    const version = spawnSync(process.execPath, [cli, '--version'], { encoding: 'utf8' });
    assert.equal(version.stdout, `${pkg.version}\n`, version.stderr);
    // An unreadable request is answered without touching any keychain.
    const worker = spawnSync(
      process.execPath,
      [join(REPO, 'dist/storage/keyring/keyring-worker.js')],
      {
        input: 'not json',
        encoding: 'utf8',
      },
    );
    assert.deepEqual(JSON.parse(worker.stdout), {
      ok: false,
      kind: 'keychain',
      message: 'unreadable request',
    });
  });
});
