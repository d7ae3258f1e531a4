import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { isLoopbackUrl, loopbackBrowser } from '../../src/cli/loopback-browser.js';

test('only loopback addresses count', () => {
  for (const url of [
    'http://127.0.0.1:80/',
    'http://127.1.2.3/x',
    'http://localhost:9/',
    'http://[::1]:5/',
  ]) {
    assert.equal(isLoopbackUrl(url), true, url);
  }
  for (const url of [
    'https://auth.globus.org/',
    'http://10.0.0.1/',
    'http://127.0.0.1.example.com/',
    'file:///etc/passwd',
  ]) {
    assert.equal(isLoopbackUrl(url), false, url);
  }
});

async function serve(
  handler: Parameters<typeof createServer>[1],
): Promise<{ server: Server; url: string }> {
  const server = createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` };
}

test('follows redirects on loopback to the end', async () => {
  const seen: string[] = [];
  const { server, url } = await serve((req, res) => {
    seen.push(req.url ?? '');
    if (req.url === '/start') res.writeHead(302, { location: '/landed?code=x' }).end();
    else res.end('ok');
  });
  try {
    const browser = loopbackBrowser((error) => assert.fail(String(error)));
    await browser.open(`${url}start`);
    await browser.done();
    assert.deepEqual(seen, ['/start', '/landed?code=x']);
  } finally {
    server.close();
  }
});

test('refuses to follow a redirect off this machine, and reports it', async () => {
  const { server, url } = await serve((_req, res) => {
    res.writeHead(302, { location: 'https://auth.globus.org/v2/oauth2/authorize' }).end();
  });
  try {
    const errors: unknown[] = [];
    const browser = loopbackBrowser((error) => errors.push(error));
    await browser.open(url);
    await assert.rejects(browser.done(), /only visits loopback addresses, not auth\.globus\.org/);
    assert.equal(errors.length, 1);
  } finally {
    server.close();
  }
});
