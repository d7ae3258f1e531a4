// What `import('native-login')` loads before any call: the static import graph of
// src/index.ts. Login, HTTP, JWT and browser code must come in with `import()` on first use,
// so that a script that only reads stored tokens does not pay for them (bench/ (a)).
import { strict as assert } from 'node:assert';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import ts from 'typescript';

const SRC = path.resolve(process.cwd(), 'src');

/**
 * The specifiers a module loads when it is evaluated: every import and export-from except
 * `import type`/`export type` (erased; under verbatimModuleSyntax, `import { type X }` is not).
 */
function staticImports(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest);
  const found: string[] = [];
  for (const statement of source.statements) {
    if (ts.isImportDeclaration(statement) && !statement.importClause?.isTypeOnly) {
      found.push((statement.moduleSpecifier as ts.StringLiteral).text);
    }
    if (ts.isExportDeclaration(statement) && statement.moduleSpecifier && !statement.isTypeOnly) {
      found.push((statement.moduleSpecifier as ts.StringLiteral).text);
    }
  }
  return found;
}

/** Every module reached from `entry` by static imports: our files (relative to src/) and packages. */
function staticClosure(entry: string): Set<string> {
  const seen = new Set<string>();
  const queue = [path.join(SRC, entry)];
  for (let file = queue.pop(); file !== undefined; file = queue.pop()) {
    for (const specifier of staticImports(file)) {
      if (!specifier.startsWith('.')) {
        seen.add(specifier);
        continue;
      }
      const target = path.resolve(path.dirname(file), specifier).replace(/\.js$/, '.ts');
      const name = path.relative(SRC, target);
      if (!seen.has(name)) {
        seen.add(name);
        queue.push(target);
      }
    }
  }
  return seen;
}

describe('the library entry point loads only what reading stored tokens needs', () => {
  const loaded = staticClosure('index.ts');

  test('the closure is found (the walk itself works)', () => {
    for (const needed of [
      'native-client.ts',
      'storage/ini/multi-client-token-storage.ts',
      'authorizers/refresh-token-authorizer.ts',
      'globus-auth/globus-auth-client.ts',
      'node:fs',
    ]) {
      assert.ok(loaded.has(needed), `${needed} should be loaded by index.ts`);
    }
  });

  test('no HTTP client or server, readline, child process, browser opener, async_hooks, fs/promises or timers/promises', () => {
    for (const builtin of [
      'node:async_hooks',
      // Each costs a start-up millisecond or a fraction of one; reads use node:fs callbacks.
      'node:fs/promises',
      'node:timers/promises',
      'node:http',
      'node:https',
      'node:net',
      'node:readline',
      'node:child_process',
      'open',
    ]) {
      assert.ok(!loaded.has(builtin), `${builtin} is loaded by import('native-login')`);
    }
  });

  test('login, HTTP and JWT modules are loaded on first use', () => {
    for (const lazy of [
      'native-client/interactive-login.ts',
      'globus-auth/auth-request.ts',
      'globus-auth/node-http-send.ts',
      'globus-auth/id-token.ts',
      'code-handlers/loopback-server.ts',
      'code-handlers/open-browser.ts',
      'code-handlers/redirect-file.ts',
      'code-handlers/run-code-handlers.ts',
      'code-handlers/wait-for-code.ts',
      // Writing and locking files: a script that reads valid tokens writes nothing.
      'storage/file/atomic-write.ts',
      'storage/file/file-lock.ts',
      'storage/file/private-runtime-folder.ts',
    ]) {
      // A path that no longer exists (a file moved) would pass the check below by itself.
      assert.ok(existsSync(path.join(SRC, lazy)), `${lazy} is no file under src/`);
      assert.ok(!loaded.has(lazy), `${lazy} is loaded by import('native-login')`);
    }
  });
});
