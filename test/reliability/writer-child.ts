/**
 * A writer process: `writer-child.ts <token file> <section index> <first version> <count>`.
 * It prints `ready`, then saves version k, k+1, … (count 0: until killed) of the transfer
 * group of client `clientIdFor(index)` with `NativeClient.saveTokens`: only its access token
 * changes (`versionToken(k)`, of varying length). After each save it prints
 * `done <k> <milliseconds the save took>`; a failure prints `err <k> <class> <code>`.
 */
import { LoginException } from '../../src/errors.js';
import { NativeClient } from '../../src/native-client.js';
import { MultiClientTokenStorage } from '../../src/storage/ini/multi-client-token-storage.js';
import {
  clientIdFor,
  sectionGroup,
  TRANSFER,
  UNUSED_AUTH_URL,
  versionToken,
} from './token-text.js';

const [filename, indexText, firstText, countText] = process.argv.slice(2) as [
  string,
  string,
  string,
  string,
];
const index = Number(indexText);
const first = Number(firstText);
const count = Number(countText);
const client = new NativeClient({
  clientId: clientIdFor(index),
  authBaseUrl: UNUSED_AUTH_URL,
  tokenStorage: new MultiClientTokenStorage({ filename }),
  env: {},
});
process.stdout.write('ready\n');
for (let k = first; count === 0 || k < first + count; k++) {
  const group = { ...sectionGroup(index), access_token: versionToken(k) };
  const started = performance.now();
  try {
    await client.saveTokens({ [TRANSFER]: group });
    process.stdout.write(`done ${k} ${(performance.now() - started).toFixed(1)}\n`);
  } catch (error) {
    const name = error instanceof Error ? error.constructor.name : typeof error;
    const code = error instanceof LoginException ? error.code : 'untyped';
    process.stdout.write(`err ${k} ${name} ${code}\n`);
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
    break;
  }
}
