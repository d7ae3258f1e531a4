/**
 * Testing your own app offline: start the bundled Globus Auth emulator on a free port and
 * point a NativeClient at it. Type-checked by `npm test`. In your project, import from
 * 'native-login' and 'native-login/emulator'.
 */
import { startEmulator } from '../src/emulator/index.js';
import { MemoryTokenStorage, NativeClient } from '../src/index.js';

export async function loginAgainstTheEmulator(): Promise<string> {
  const emulator = await startEmulator({ autoApprove: true }); // 127.0.0.1, port 0
  try {
    const client = new NativeClient({
      clientId: '5b2b0e1c-7c8e-4a4c-9a5e-2b4f8f6f1a11',
      authBaseUrl: emulator.url,
      tokenStorage: new MemoryTokenStorage(),
      codeHandlers: undefined, // the default: local server, then paste
      // No browser in tests: follow the authorize redirect ourselves, which lands the code on
      // the client's local server (the emulator auto-approves).
      openBrowser: async (url) => {
        await fetch(url);
      },
    });
    const tokens = await client.login({ refreshTokens: true });
    emulator.injectFault('500'); // the next token request fails: test your error handling
    return tokens['auth.globus.org']?.access_token ?? '';
  } finally {
    await emulator.close();
  }
}
