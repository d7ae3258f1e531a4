#!/usr/bin/env node
/**
 * `npm run build`: the package users install, shaped for start-up time (issue 16).
 *
 * Node 20 pays ~0.5 ms per ES module file and ~8 ms to start its ES-module loader at all, so
 * 35 small files made `native-login token` 1.5× a bare `node -e 0`. The build therefore emits
 * CommonJS (no loader start-up, a `require` costs little) in a handful of chunks grouped by the
 * path that needs them, so a command compiles only the code its path runs:
 *
 *   core      what both `native-login token` and `import 'native-login'` load at once
 *   cli       the rest of the CLI's fast path (argument parsing, `token`, storage choice)
 *   messages  the wording of a failed command's error, and the help
 *   keychain  what the keychain worker process needs (the item layout)
 *   client    NativeClient and what it needs (the CLI loads it to refresh or log in)
 *   write     an atomic write of a token file, its cross-process lock, the private runtime folder
 *   library   the rest of what `import 'native-login'` loads (the other classes it exports)
 *   refresh   a token refresh (HTTP), the INI edits of a save, the in-process lock
 *   login     an interactive login (loopback server, browser, id_token check)
 *   commands  the CLI's other commands (status, whoami, logout, migrate, client credentials)
 *   emulator  the bundled Globus Auth emulator
 *   demo      `native-login demo` (the emulator in-process)
 *   more      anything the chunks above leave out (empty today; rollup then writes no file)
 *
 * Each chunk is the static-import closure of its roots minus the chunks before it, so a chunk
 * only ever requires chunks above it (no require cycles between chunks). `tsc` still checks
 * the types and writes the declarations (`dist/**\/*.d.ts`); esbuild strips the types (and the
 * comments). The output is not minified: compiling it measured no slower than whitespace-
 * minified code, and stack traces keep readable lines and names. `dist/package.json` says
 * `"type": "commonjs"`, which the `.js` files and their declarations both are.
 *
 * The entries load the chunks through dist/load-chunk.js, with the V8 code cache that a training
 * run (scripts/train-code-cache.mjs) writes beside each chunk at the end of the build; Node 20
 * has no compile cache of its own (src/load-chunk.ts says when a cache is used). The ES-module
 * facades carry a copy of the loader and of their entry (writeEsmFacade says why).
 *
 * `BUILD_REPORT=1 npm run build` lists each chunk with its modules and their sizes.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { transform } from 'esbuild';
import { rollup } from 'rollup';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SRC = join(ROOT, 'src');
const DIST = join(ROOT, 'dist');

/** The package's entry points (output name → source file). */
const ENTRIES = {
  index: 'index.ts',
  'cli/main': 'cli/main.ts',
  'emulator/index': 'emulator/index.ts',
  'storage/keyring/keyring-worker': 'storage/keyring/keyring-worker.ts',
};

/** The entries other code imports (the CLI and the keychain worker are only run). */
const LIBRARY_ENTRIES = ['index', 'emulator/index'];

const ENTRY_IDS = new Set(Object.values(ENTRIES).map((file) => join(SRC, file)));

/**
 * The name of the code caches trained on the library's start-up alone, which its entry prefers
 * (src/load-chunk.ts says why; scripts/train-code-cache.mjs writes them).
 */
const START_UP_CACHE = 'library';

/** The chunk loader (src/load-chunk.ts), built apart from the bundle. */
const LOADER = 'load-chunk.ts';

/** `require('../chunks/core.js')` in an entry: a chunk, to load through the chunk loader. */
const CHUNK_REQUIRE = /require\('((?:\.\.?\/)+)chunks\/([\w-]+\.js)'\)/g;

/**
 * The chunks in order, each with the modules whose static-import closure it takes (minus the
 * chunks above it). `core` is special: the modules both fast paths share.
 */
const CLI_FAST_PATH = [
  'cli/main.ts',
  'cli/commands/token.ts',
  'cli/storage-choice.ts',
  'storage/ini/multi-client-token-storage.ts',
];
const LIBRARY_FAST_PATH = ['index.ts'];
const CHUNKS = [
  ['cli', CLI_FAST_PATH],
  // What every failing command loads to word its error, and `--help`: nothing heavy.
  ['messages', ['cli/restate-error.ts', 'cli/help.ts']],
  // The keychain worker's own code: each keychain operation starts one, which then compiles
  // this small chunk instead of the library.
  ['keychain', ['storage/keyring/keyring-layout.ts']],
  // The in-process mutex and sleep too: the library's storages and a refresh's lock both
  // use them, and both load `client` already.
  ['client', ['native-client.ts', 'storage/create-mutex.ts', 'sleep.ts']],
  // Saving a token file: before `library`, whose storages import it too, so that a refresh in
  // the CLI does not load every other storage along with it.
  [
    'write',
    [
      'storage/file/atomic-write.ts',
      'storage/file/file-lock.ts',
      'storage/file/private-runtime-folder.ts',
    ],
  ],
  ['library', LIBRARY_FAST_PATH],
  [
    'refresh',
    [
      'globus-auth/auth-request.ts',
      'storage/ini/ini-token-edits.ts',
      'storage/instance-lock.ts',
      'storage/file/merge-before-rename.ts',
    ],
  ],
  [
    'login',
    [
      'native-client/interactive-login.ts',
      'globus-auth/id-token.ts',
      'code-handlers/loopback-server.ts',
      'code-handlers/redirect-request.ts',
      'code-handlers/wait-for-code.ts',
      'code-handlers/show-login-url.ts',
      'code-handlers/start-link.ts',
      'code-handlers/redirect-file.ts',
      'code-handlers/open-browser.ts',
      'cli/commands/login.ts',
    ],
  ],
  [
    'commands',
    [
      'cli/commands/status.ts',
      'cli/commands/whoami.ts',
      'cli/commands/logout.ts',
      'cli/commands/migrate.ts',
      'cli/client-credentials-command.ts',
    ],
  ],
  ['emulator', ['emulator/index.ts', 'cli/commands/emulator.ts']],
  // The demo runs the emulator in-process: apart, so that no other command loads the emulator.
  ['demo', ['cli/commands/demo.ts']],
];

/** Builds dist/: declarations from tsc, JavaScript from rollup + esbuild. */
async function build() {
  rmSync(DIST, { recursive: true, force: true });
  execFileSync(
    process.execPath,
    [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'],
    { stdio: 'inherit', cwd: ROOT },
  );
  const bundle = await rollup({
    input: Object.fromEntries(
      Object.entries(ENTRIES).map(([name, file]) => [name, join(SRC, file)]),
    ),
    external: (id) => !id.startsWith('.') && !id.startsWith('/') && !id.startsWith(SRC),
    plugins: [typescriptSources(), chunkByPath()],
    onwarn(warning, warn) {
      // A cycle inside one chunk is harmless (ESM semantics are kept within a chunk).
      if (warning.code === 'CIRCULAR_DEPENDENCY') return;
      warn(warning);
      if (warning.code !== 'EMPTY_BUNDLE') throw new Error(`build: ${warning.message}`);
    },
  });
  const { output } = await bundle.write({
    dir: DIST,
    format: 'cjs',
    entryFileNames: '[name].js',
    chunkFileNames: 'chunks/[name].js',
    // No __esModule marker: these files are required as they are, never re-transpiled.
    esModule: false,
    generatedCode: 'es2015',
    interop: 'auto',
    hoistTransitiveImports: false,
  });
  await bundle.close();
  if (process.env.BUILD_REPORT) {
    for (const chunk of output) {
      if (chunk.type !== 'chunk') continue;
      const sizes = Object.entries(chunk.modules)
        .map(([id, info]) => [relative(SRC, id), info.renderedLength])
        .sort((a, b) => b[1] - a[1]);
      process.stdout.write(`${chunk.fileName} ${chunk.code.length}\n`);
      for (const [id, size] of sizes) process.stdout.write(`  ${size} ${id}\n`);
    }
  }
  const loaderCode = await writeChunkLoader();
  for (const chunk of output) {
    if (chunk.type === 'chunk' && LIBRARY_ENTRIES.includes(chunk.name)) {
      writeEsmFacade(chunk.fileName, chunk.exports, chunk.code, loaderCode);
    }
  }
  writeFileSync(join(DIST, 'package.json'), `${JSON.stringify({ type: 'commonjs' }, null, 2)}\n`);
  chmodSync(join(DIST, 'cli/main.js'), 0o755);
  trainCodeCache();
}

/**
 * dist/load-chunk.js, which loads the chunks with their code cache (src/load-chunk.ts says
 * why). It is compiled on its own, never bundled: Node must load it with its own `require`.
 */
async function writeChunkLoader() {
  const file = join(SRC, LOADER);
  const out = await transform(readFileSync(file, 'utf8'), {
    loader: 'ts',
    format: 'cjs',
    target: 'node20',
    platform: 'node',
    sourcefile: relative(ROOT, file),
  });
  writeFileSync(join(DIST, 'load-chunk.js'), out.code);
  return out.code;
}

/**
 * Writes each chunk's code cache after a training run (scripts/train-code-cache.mjs: `token`,
 * the library, a refresh, a big file), and the caches of the library's start-up alone, in child
 * processes that run plain `node` as users do, since V8 refuses data made under other flags.
 * Every function those paths ran is in the cache.
 */
function trainCodeCache() {
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  execFileSync(process.execPath, [join(ROOT, 'scripts/train-code-cache.mjs'), START_UP_CACHE], {
    stdio: ['ignore', 'ignore', 'inherit'],
    cwd: ROOT,
    env,
  });
}

/**
 * `import … from 'native-login'` loads `<entry>.mjs`, an ES module that runs the CommonJS entry:
 * the same module instances as `require('native-login')`, without Node parsing the CommonJS
 * source a second time to guess its export names (cjs-module-lexer, ~2 ms). Where Node has
 * `process.getBuiltinModule` (20.16 on), the facade holds the entry's code and the chunk
 * loader's, and runs them itself, registered in `require.cache` under their own file names as
 * Node's `require` would have: `createRequire` and two trips through Node's CommonJS loader
 * (resolving, reading, compiling each file) cost the library's start-up ~0.6 ms more. An older
 * Node takes that path (`createRequire`, imported then).
 * Bundlers do not follow a `require` made with `createRequire` (esbuild leaves it for run time,
 * where it resolves beside the bundle and fails), so `<entry>-for-bundlers.mjs` imports the
 * CommonJS entry plainly; package.json gives it under the `module` condition, which esbuild,
 * webpack and Rollup set and Node does not. The declarations are the entry's own, as `.d.mts`
 * (package.json's `types` comes first, for both).
 */
function writeEsmFacade(fileName, names, entryCode, loaderCode) {
  const base = fileName.replace(/\.js$/, '');
  const own = `./${base.split('/').pop()}.js`;
  const toLoader = relative(dirname(join(DIST, fileName)), join(DIST, 'load-chunk.js')).replaceAll(
    '\\',
    '/',
  );
  const exported = `export const { ${names.join(', ')} } = library;`;
  const forNode = [
    '// Built by scripts/build.mjs (writeEsmFacade says why the code of two files is here).',
    'const getBuiltin = process.getBuiltinModule;',
    'const library =',
    "  typeof getBuiltin === 'function' && typeof import.meta.dirname === 'string'",
    '    ? loadEntry(getBuiltin, import.meta.dirname)',
    `    : (await import('node:module')).createRequire(import.meta.url)(${JSON.stringify(own)});`,
    exported,
    '',
    '/** The CommonJS entry, run here with the chunk loader: as `require` would, without it. */',
    'function loadEntry(getBuiltin, dir) {',
    "  const { Module, createRequire } = getBuiltin('node:module');",
    "  const { dirname, join } = getBuiltin('node:path');",
    '  const cache = Module._cache; // require.cache',
    `  const entryFile = join(dir, ${JSON.stringify(own)});`,
    `  const loaderFile = join(dir, ${JSON.stringify(toLoader)});`,
    '  let nodeRequire;',
    '  const fallback = (request) =>',
    "    request.startsWith('node:')",
    '      ? getBuiltin(request)',
    '      : (nodeRequire ??= createRequire(entryFile))(request);',
    '  const run = (filename, body, require) => {',
    '    const known = cache[filename];',
    '    if (known !== undefined) return known.exports;',
    '    const module = new Module(filename);',
    '    module.filename = filename;',
    '    cache[filename] = module;',
    '    try {',
    '      body.call(module.exports, module.exports, require, module, filename, dirname(filename));',
    '    } catch (error) {',
    '      delete cache[filename];',
    '      throw error;',
    '    }',
    '    module.loaded = true;',
    '    return module.exports;',
    '  };',
    '  const loader = run(',
    '    loaderFile,',
    '    function (exports, require, module, __filename, __dirname) {',
    loaderCode,
    '    },',
    '    fallback,',
    '  );',
    '  return run(',
    '    entryFile,',
    '    function (exports, require, module, __filename, __dirname) {',
    entryCode,
    '    },',
    "    (request) => (request.startsWith('.') && join(dir, request) === loaderFile ? loader : fallback(request)),",
    '  );',
    '}',
    '',
  ];
  writeFileSync(join(DIST, `${base}.mjs`), forNode.join('\n'));
  const forBundlers = [`import library from ${JSON.stringify(own)};`, exported, ''];
  writeFileSync(join(DIST, `${base}-for-bundlers.mjs`), forBundlers.join('\n'));
  const types = readFileSync(join(DIST, `${base}.d.ts`), 'utf8');
  writeFileSync(join(DIST, `${base}.d.mts`), types);
}

/** Strips the types of src/*.ts with esbuild (tsc has checked them). */
function typescriptSources() {
  return {
    name: 'typescript-sources',
    resolveId(source, importer) {
      if (importer === undefined || !source.startsWith('.')) return null;
      const target = resolve(dirname(importer), source);
      return target.endsWith('.js') ? `${target.slice(0, -3)}.ts` : target;
    },
    async transform(code, id) {
      if (!id.endsWith('.ts')) return null;
      const out = await transform(code, {
        loader: 'ts',
        format: 'esm',
        target: 'node20',
        sourcefile: relative(ROOT, id),
      });
      return { code: out.code, map: null };
    },
    renderDynamicImport({ moduleId, targetModuleId }) {
      // A built-in module loaded on first use: require() it, which costs nothing like starting
      // Node's ES-module loader for import(). Packages keep import() (`open` is ESM only),
      // which code in a chunk reaches through the chunk loader (src/load-chunk.ts says why).
      if (targetModuleId?.startsWith('node:')) {
        return { left: 'Promise.resolve().then(() => require(', right: '))' };
      }
      const isPackage = targetModuleId != null && !targetModuleId.startsWith(SRC);
      if (isPackage && !ENTRY_IDS.has(moduleId)) {
        return { left: "require('../load-chunk.js').importPackage(", right: ')' };
      }
      return null;
    },
    renderChunk(rendered, chunk) {
      const code = asciiOnly(rendered);
      // An entry is loaded by Node; the chunks it needs, by the chunk loader. The plain
      // require stays: for a Node with no cache, and for bundlers (src/load-chunk.ts).
      if (!chunk.isEntry) return code;
      // An app bundled as an ES module has no __dirname (esbuild leaves the name as it is):
      // the library's entries then load the bundled chunks with the bundler's require.
      const dir = LIBRARY_ENTRIES.includes(chunk.name)
        ? "typeof __dirname === 'string' ? __dirname : undefined"
        : '__dirname';
      // The library's entry prefers the chunks' caches trained on its own start-up.
      const own = chunk.name === 'index' ? `, '${START_UP_CACHE}'` : '';
      return code.replace(
        CHUNK_REQUIRE,
        (call, up, name) =>
          `require('${up}load-chunk.js').loadChunk(${dir}, '${up}chunks/${name}', () => ${call}${own})`,
      );
    },
  };
}

/**
 * `code` with every character past ASCII written as a `\\u` escape. esbuild already writes
 * strings, templates, regular expressions and names so; what is left is in the comments it
 * keeps (class members' JSDoc: `…`, `§`), where an escape means the same to a reader. One such
 * character makes V8 hold the chunk as a two-byte string: twice the memory, in fresh pages the
 * library's start-up pays for (src/load-chunk.ts).
 */
function asciiOnly(code) {
  return code.replace(
    /[^\0-\x7f]/g,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** Puts every module that is not an entry into the chunk of the first path that needs it. */
function chunkByPath() {
  let assignment;
  return {
    name: 'chunk-by-path',
    outputOptions(options) {
      return {
        ...options,
        manualChunks(id, { getModuleInfo }) {
          assignment ??= assignChunks(getModuleInfo);
          // Everything else (reached only through import() from the chunks above) is `more`.
          if (!id.startsWith(SRC) || ENTRY_IDS.has(id)) return undefined;
          return assignment.get(id) ?? 'more';
        },
      };
    },
  };
}

/** Module id → chunk name, following CHUNKS (see the header). */
function assignChunks(getModuleInfo) {
  const closure = (roots) => {
    const seen = new Set();
    const queue = roots.map((file) => join(SRC, file));
    for (let id = queue.pop(); id !== undefined; id = queue.pop()) {
      const info = getModuleInfo(id);
      if (seen.has(id) || info === null || info.isExternal) continue;
      seen.add(id);
      queue.push(...info.importedIds);
    }
    return seen;
  };
  const assignment = new Map();
  const assign = (name, ids) => {
    for (const id of ids)
      if (!assignment.has(id) && !ENTRY_IDS.has(id) && id.startsWith(SRC)) assignment.set(id, name);
  };
  const cli = closure(CLI_FAST_PATH);
  const library = closure(LIBRARY_FAST_PATH);
  assign(
    'core',
    [...cli].filter((id) => library.has(id)),
  );
  for (const [name, roots] of CHUNKS) assign(name, closure(roots));
  return assignment;
}

await build();
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
process.stderr.write(`built ${pkg.name} ${pkg.version} into dist/\n`);
