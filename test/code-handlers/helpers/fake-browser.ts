/** A fake browser for BROWSER: a script that records its argv to a file and can follow the URL. */
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The script, where it writes its argv, and how to clean up. */
export type FakeBrowser = {
  dir: string;
  script: string;
  argvFile: string;
  /** The argv the script got (without node and script path), or null if it never ran. */
  recordedArgv: () => Promise<string[] | null>;
  remove: () => Promise<void>;
};

/**
 * Writes an executable script in a temp folder. With `follow`, it also GETs its last argument
 * (following loopback redirects),
 * as a browser would, so a login can complete through it. The argv file is written before that
 * GET and renamed into place, so it is complete whenever it exists.
 */
export async function makeFakeBrowser(options: { follow: boolean }): Promise<FakeBrowser> {
  const dir = await mkdtemp(join(tmpdir(), 'native-login-browser-'));
  const script = join(dir, 'fake-browser.cjs');
  const argvFile = join(dir, 'argv.json');
  const source = `#!${process.execPath}
const fs = require('node:fs');
const args = process.argv.slice(2);
fs.writeFileSync(${JSON.stringify(`${argvFile}.tmp`)}, JSON.stringify(args));
fs.renameSync(${JSON.stringify(`${argvFile}.tmp`)}, ${JSON.stringify(argvFile)});
const url = args[args.length - 1];
// Like a browser, follow redirects (the local server's one-time /start/ link answers 302).
const visit = (target, hops) => {
  if (!target || !target.startsWith('http://127.0.0.1:') || hops > 5) return;
  require('node:http').get(target, { agent: false }, (res) => {
    res.resume();
    if (res.statusCode >= 300 && res.statusCode < 400) visit(res.headers.location, hops + 1);
  });
};
if (${options.follow}) visit(url, 0);
`;
  await writeFile(script, source);
  await chmod(script, 0o755);
  return {
    dir,
    script,
    argvFile,
    recordedArgv: async () => {
      try {
        return JSON.parse(await readFile(argvFile, 'utf8')) as string[];
      } catch {
        return null;
      }
    },
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}
