import assert from 'node:assert/strict';
import { copyFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { TokenFileCorrupt } from '../../../src/errors.js';
import { parseIni } from '../../../src/storage/ini/ini-format.js';
import { MultiClientTokenStorage } from '../../../src/storage/ini/multi-client-token-storage.js';
import { JSONTokenStorage } from '../../../src/storage/json-token-storage.js';
import type { TokensByResourceServer } from '../../../src/tokens/token-group.js';
import { PYTHON_FIXTURE, runPython, tempFolder, tokenGroup } from '../storage-test-kit.js';

const A = '7414f0b4-7d05-4bb6-bb00-076fa3f17cf5';
const B = '0a5c9a2e-3b7e-4a43-9d61-2f3c3c4b5d6e';

async function python(args: string[], input?: TokensByResourceServer): Promise<unknown> {
  const result = await runPython(args, input === undefined ? undefined : JSON.stringify(input));
  assert.equal(result.code, 0, result.stderr);
  return JSON.parse(result.stdout);
}

/** Values every character configparser treats specially. */
const tricky: TokensByResourceServer = {
  'made-up.resource-server.example': tokenGroup('made-up.resource-server.example', {
    scope: 'a=b c:d e;f #g [x] https://auth.globus.org/scopes/x/all',
    access_token: '#AT=1:2;3',
    refresh_token: null,
  }),
  'auth.globus.org': tokenGroup('auth.globus.org', { scope: 'openid profile email' }),
  funcx_service: tokenGroup('funcx_service', { access_token: ';starts-with-semicolon' }),
};

describe('interoperability with Python configparser and fair-research-login', () => {
  test('(a) tokens Python writes read the same on both sides', async (t) => {
    const filename = join(await tempFolder(t), 'apps.cfg');
    const withEscapedPercent = {
      ...tricky,
      'p.example': tokenGroup('p.example', { scope: 'x%%y' }), // Python reads x%y back
    };
    await python(['write-tokens', filename, A], withEscapedPercent);
    const theirs = await python(['read-tokens', filename, A]);
    const ours = await new MultiClientTokenStorage({ filename, section: A }).readTokens();
    assert.deepEqual(ours, theirs);
    assert.equal(ours['p.example']?.scope, 'x%y');
    assert.deepEqual(ours['funcx_service'], tricky['funcx_service']);
  });

  test('(b) tokens we write, % included, read the same in Python (INI and JSON)', async (t) => {
    const dir = await tempFolder(t);
    const tokens = {
      ...tricky,
      'p.example': tokenGroup('p.example', { scope: '100% %% %(home)s', access_token: 'a%b' }),
    };
    const ini = new MultiClientTokenStorage({ filename: join(dir, 'apps.cfg'), section: B });
    await ini.writeTokens(tokens);
    assert.deepEqual(await python(['read-tokens', join(dir, 'apps.cfg'), B]), tokens);
    const json = new JSONTokenStorage({ filename: join(dir, 'tokens.json') });
    await json.writeTokens(tokens);
    assert.deepEqual(await python(['read-json', join(dir, 'tokens.json')]), tokens);
  });

  test('(c) the Python file survives an unchanged save byte for byte, and a change to one client', async (t) => {
    const filename = join(await tempFolder(t), 'apps.cfg');
    await copyFile(PYTHON_FIXTURE, filename);
    const original = await readFile(filename, 'utf8');
    const a = new MultiClientTokenStorage({ filename, section: A });
    const b = new MultiClientTokenStorage({ filename, section: B });
    await b.writeTokens(await b.readTokens());
    assert.equal(await readFile(filename, 'utf8'), original);
    const stored = await b.readTokens();
    const auth = stored['auth.globus.org'];
    assert.ok(auth);
    await b.writeTokens({ 'auth.globus.org': { ...auth, access_token: 'fakeAT.changed' } });
    const changed = await readFile(filename, 'utf8');
    const sectionA = (text: string) => text.slice(0, text.indexOf(`[${B}]`));
    assert.equal(sectionA(changed), sectionA(original));
    assert.equal(changed.replace('fakeAT.changed', auth.access_token), original);
    assert.deepEqual(await python(['read-tokens', filename, A]), await a.readTokens());
    assert.deepEqual(await python(['read-tokens', filename, B]), await b.readTokens());
  });

  test('(d) two clients in one file, one written by each side, both intact', async (t) => {
    const filename = join(await tempFolder(t), 'apps.cfg');
    const ours = { 'transfer.api.globus.org': tokenGroup('transfer.api.globus.org') };
    await python(['write-tokens', filename, A], tricky);
    await new MultiClientTokenStorage({ filename, section: B }).writeTokens(ours);
    await python(['write-tokens', filename, A], { x: tokenGroup('x') });
    const b = new MultiClientTokenStorage({ filename, section: B });
    assert.deepEqual(await b.readTokens(), ours);
    assert.deepEqual(await python(['read-tokens', filename, B]), ours);
    const a = new MultiClientTokenStorage({ filename, section: A });
    assert.deepEqual(await a.readTokens(), await python(['read-tokens', filename, A]));
    assert.deepEqual(
      Object.keys(await a.readTokens()).sort(),
      [...Object.keys(tricky), 'x'].sort(),
    );
    await python(['clear-tokens', filename, A]); // Python leaves an empty [A]
    assert.deepEqual(await a.readTokens(), {});
    await a.clearTokens();
    assert.deepEqual(await python(['read-tokens', filename, A]), {});
    assert.deepEqual(await python(['read-tokens', filename, B]), ours);
  });

  test('(e) our parser reads tricky files exactly as configparser does', async (t) => {
    const dir = await tempFolder(t);
    const texts = [
      await readFile(PYTHON_FIXTURE, 'utf8'),
      '[s]\nKey_A = v=1:2\nb:c = d\ne\t=   spaced out  \nf=\n  g = h\n',
      '# top\n[s]\n; c1\n  # c2\na = x ; y # z\n',
      '[s]\nk = v1\n\n  cont\n# c\n  more\n\nj=2\n',
      '[a]\nk = v\n  [b]\nx=1\n',
      '[a] trailing]x\nk=v\n',
      '[s]\r\na = 1\r\n\r\n',
      '[s]\ra = 1\r',
      '[DEFAULT]\nx = 1\n[a]\nk = 2\n',
      '[s]\n\x1c a \x85= b\u3000\n',
      '  [s]\n  a = 1\n  b = 2\n',
      '[s]\na = \n\n\n',
      '[s]\na = %%\nb = %(x)s\nc = 5%\n',
      '[s]\n[t]\n[u]\nk: v\n',
      '[s]\na = 1\n\tb\n  \t c = d\n',
      '[s]\na = 1\n[s]\n',
      '[s]\nK = 1\nk = 2\n',
      'k = 1\n[s]\n',
      '[s]\nno delimiter\n',
      '\uFEFF[s]\n',
      '[s]\n  = v\n',
    ];
    const files = texts.map((_, index) => join(dir, `case${index}.cfg`));
    await Promise.all(texts.map((text, index) => writeFile(files[index] as string, text)));
    const parsed = (await python(['parse', ...files])) as unknown[];
    for (const [index, text] of texts.entries()) {
      const filename = files[index] as string;
      const theirs = parsed[index];
      let ours: unknown;
      try {
        const doc = parseIni(text, filename);
        ours = {
          sections: doc.sections.map((s) => [s.name, s.options.map((o) => [o.key, o.raw])]),
          defaults: doc.defaults.map((o) => [o.key, o.raw]),
        };
      } catch (error) {
        assert.ok(error instanceof TokenFileCorrupt);
        ours = { line: error.line };
      }
      const failed = theirs as { error?: string; line?: number };
      const expected = failed.error === undefined ? theirs : { line: failed.line };
      assert.deepEqual(ours, expected, `case ${index}: ${JSON.stringify(text)}`);
    }
  });

  test('(f) identities we keep do not disturb Python, and go stale when Python rewrites', async (t) => {
    const filename = join(await tempFolder(t), 'apps.cfg');
    const storage = new MultiClientTokenStorage({ filename, section: A });
    const auth = tokenGroup('auth.globus.org', { identity_id: 'id-1' });
    const transfer = tokenGroup('transfer.api.globus.org', { identity_id: 'id-1' });
    await storage.writeTokens({
      [auth.resource_server]: auth,
      [transfer.resource_server]: transfer,
    });
    const { identity_id: _, ...plainAuth } = auth;
    const { identity_id: __, ...plainTransfer } = transfer;
    assert.deepEqual(await python(['read-tokens', filename, A]), {
      [auth.resource_server]: plainAuth,
      [transfer.resource_server]: plainTransfer,
    });
    await python(['write-tokens', filename, A], {
      [auth.resource_server]: { ...plainAuth, access_token: 'fakeAT.python-login' },
    });
    const read = await storage.readTokens();
    assert.equal(read[auth.resource_server]?.identity_id, undefined);
    assert.equal(read[transfer.resource_server]?.identity_id, 'id-1');
  });
});
