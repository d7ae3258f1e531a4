// The emulator must be written from GLOBUS-AUTH.md alone: it may import node built-ins and
// its own files, nothing else (a bug copied into both sides would pass every test).
import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import ts from 'typescript';

const EMULATOR_DIR = path.resolve(process.cwd(), 'src/emulator');

/** Every module specifier in a source file: import/export-from, side-effect, dynamic, require. */
function specifiers(source: string): string[] {
  const info = ts.preProcessFile(source, true, true);
  const found = info.importedFiles.map((file) => file.fileName);
  // A second, independent pass, so a construct preProcessFile misses still gets caught.
  const pattern = /(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\s*\(\s*)['"]([^'"]+)['"]/g;
  for (const match of source.matchAll(pattern)) if (match[1]) found.push(match[1]);
  return [...new Set(found)];
}

/** Why a specifier in `file` breaks the rule, or null. */
function violation(file: string, specifier: string): string | null {
  if (specifier.startsWith('node:')) return null;
  if (specifier.startsWith('.')) {
    const target = path.resolve(path.dirname(file), specifier);
    const inside = target === EMULATOR_DIR || target.startsWith(EMULATOR_DIR + path.sep);
    return inside ? null : `${specifier} leaves src/emulator`;
  }
  return `${specifier} is a package (only node: built-ins are allowed)`;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return /\.(m|c)?tsx?$|\.(m|c)?js$/.test(entry.name) ? [full] : [];
  });
}

describe('the emulator imports nothing from outside src/emulator', () => {
  test('the checker catches every kind of bad import', () => {
    const file = path.join(EMULATOR_DIR, 'example.ts');
    const source = [
      "import { LoginException } from '../errors.js';",
      "import type { TokenGroup } from '../tokens/token-group.js';",
      "export { parseScopes } from '../tokens/scopes.js';",
      "export * from '../index.js';",
      "import 'jose';",
      "const x = await import('open');",
      "import { readFile } from 'fs';",
      "import { ok } from './fine.js';",
      "import { createHash } from 'node:crypto';",
    ].join('\n');
    const bad = specifiers(source).filter((s) => violation(file, s) !== null);
    assert.deepEqual(bad.sort(), [
      '../errors.js',
      '../index.js',
      '../tokens/scopes.js',
      '../tokens/token-group.js',
      'fs',
      'jose',
      'open',
    ]);
  });

  test('every file in src/emulator imports only node: built-ins and siblings', () => {
    const files = sourceFiles(EMULATOR_DIR);
    assert.ok(files.length >= 10, 'found the emulator sources');
    const problems: string[] = [];
    let checked = 0;
    for (const file of files) {
      for (const specifier of specifiers(readFileSync(file, 'utf8'))) {
        checked += 1;
        const why = violation(file, specifier);
        if (why) problems.push(`${path.relative(process.cwd(), file)}: ${why}`);
      }
    }
    assert.ok(checked >= 20, 'the scan saw the imports');
    assert.deepEqual(problems, []);
  });
});
