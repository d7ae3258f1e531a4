/**
 * The child process that makes the keychain calls of one storage operation. A keychain
 * waiting for an unlock prompt nobody answers never returns from `@napi-rs/keyring` (sync or
 * async, with or without an AbortSignal, and `process.exit()` then hangs too), so the calls
 * run here, where the parent can kill them. The request arrives on stdin and the answer
 * leaves on stdout, both JSON: tokens never appear in argv.
 */
import { randomBytes } from 'node:crypto';
import {
  decodeHead,
  decodeIndex,
  encodeIndex,
  encodeValue,
  extraPartAccounts,
  groupAccount,
  indexAccount,
} from './keyring-layout.js';

/** What the parent asks for. */
export type KeyringRequest =
  | { op: 'read'; service: string; clientId: string }
  | { op: 'write'; service: string; clientId: string; groups: Record<string, string> }
  | { op: 'clear'; service: string; clientId: string };

/** What the worker answers: the raw JSON text of each group for `read`. */
export type KeyringResponse =
  | { ok: true; groups?: Record<string, string> }
  | { ok: false; kind: 'module_missing' | 'keychain'; message: string };

type Item = { get(): string | null; set(value: string): void; del(): boolean };
type Keyring = { item(account: string): Item; accounts(): string[] };

async function openKeyring(service: string): Promise<Keyring> {
  const { Entry, findCredentials } = await import('@napi-rs/keyring');
  // On Linux, the Secret Service only: the library's fallback, the kernel keyring, is lost at
  // reboot and would make `set` look successful.
  const options = { linux: { store: 'secret-service' as const } };
  return {
    item(account) {
      const entry = new Entry(service, account, options);
      return {
        get: () => entry.getPassword(),
        set: (value) => entry.setPassword(value),
        del: () => entry.deleteCredential(),
      };
    },
    accounts: () => findCredentials(service).map((credential) => credential.account),
  };
}

function readValue(keyring: Keyring, account: string): string | undefined {
  const value = keyring.item(account).get();
  if (value === null) return undefined;
  // A value without our head (stored by hand, e.g. with secret-tool) is taken whole.
  const head = decodeHead(value);
  if (!head) return value;
  let text = head.data;
  for (const part of extraPartAccounts(account, head)) {
    const data = keyring.item(part).get();
    if (data === null) return undefined; // parts deleted by someone else: unreadable
    text += data;
  }
  return text;
}

function writeValue(keyring: Keyring, account: string, text: string): void {
  const old = keyring.item(account).get();
  const oldHead = old === null ? undefined : decodeHead(old);
  for (const item of encodeValue(account, text, randomBytes(4).toString('hex'))) {
    keyring.item(item.account).set(item.value);
  }
  if (oldHead) for (const part of extraPartAccounts(account, oldHead)) keyring.item(part).del();
}

function deleteValue(keyring: Keyring, account: string): void {
  const old = keyring.item(account).get();
  // Head first: from then on no reader sees the value, even if this process is killed.
  keyring.item(account).del();
  const head = old === null ? undefined : decodeHead(old);
  if (head) for (const part of extraPartAccounts(account, head)) keyring.item(part).del();
}

function run(keyring: Keyring, request: KeyringRequest): KeyringResponse {
  const index = indexAccount(request.clientId);
  const listed = decodeIndex(readValue(keyring, index));
  if (request.op === 'read') {
    const groups: Record<string, string> = {};
    for (const rs of listed) {
      const text = readValue(keyring, groupAccount(request.clientId, rs));
      if (text !== undefined) groups[rs] = text;
    }
    return { ok: true, groups };
  }
  if (request.op === 'write') {
    const wanted = new Set([...listed, ...Object.keys(request.groups)]);
    // The index first, so that it always covers every item (logout finds them all).
    if (wanted.size !== listed.length) writeValue(keyring, index, encodeIndex(wanted));
    for (const [rs, text] of Object.entries(request.groups)) {
      writeValue(keyring, groupAccount(request.clientId, rs), text);
    }
    return { ok: true };
  }
  for (const rs of listed) deleteValue(keyring, groupAccount(request.clientId, rs));
  deleteValue(keyring, index);
  // Items of this client the index does not name (parts left by a killed writer).
  const prefix = `${request.clientId}/`;
  for (const account of keyring.accounts()) {
    if (account.startsWith(prefix) || account.startsWith(`${request.clientId}#`)) {
      keyring.item(account).del();
    }
  }
  return { ok: true };
}

/** The package, or its prebuilt binary for this platform, is not installed. */
function moduleMissing(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') return true;
  return error instanceof Error && /Cannot find native binding/i.test(error.message);
}

async function main(): Promise<void> {
  let response: KeyringResponse;
  try {
    let input = '';
    for await (const chunk of process.stdin) input += chunk;
    const request = JSON.parse(input) as KeyringRequest;
    response = run(await openKeyring(request.service), request);
  } catch (error) {
    // Messages of the keychain library name items and stores, never secrets; a JSON.parse
    // message could quote the request, so it is never passed on.
    const message = error instanceof SyntaxError ? 'unreadable request' : messageOf(error);
    response = { ok: false, kind: moduleMissing(error) ? 'module_missing' : 'keychain', message };
  }
  process.stdout.write(JSON.stringify(response));
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

void main();
