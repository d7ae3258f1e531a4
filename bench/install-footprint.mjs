/**
 * Scenario (g): what `npm install native-login` puts on a user's disk. The project is packed
 * (`npm pack`, exactly what would be published) and installed with `--omit=dev` into an empty
 * folder; then the packages under node_modules (transitive, ours included) are counted and
 * their size on disk is taken with `du -sk`.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './bench-client.mjs';
import { childEnv } from './emulator-process.mjs';

/** Runs (g); returns rows and notes (never timed: sizes only). */
export function installFootprint({ tmp }) {
  const dir = join(tmp, 'footprint');
  const app = join(dir, 'app');
  mkdirSync(app, { recursive: true });
  const npm = (args, cwd) =>
    execFileSync('npm', args, {
      cwd,
      encoding: 'utf8',
      env: childEnv({ npm_config_update_notifier: 'false' }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  const [packed] = JSON.parse(npm(['pack', '--json', '--pack-destination', dir], ROOT));
  writeFileSync(
    join(app, 'package.json'),
    JSON.stringify({ name: 'footprint-probe', version: '0.0.0', private: true }),
  );
  const tarball = join(dir, packed.filename);
  npm(
    [
      'install',
      '--omit=dev',
      '--no-audit',
      '--no-fund',
      '--prefer-offline',
      '--loglevel=error',
      tarball,
    ],
    app,
  );
  const modules = join(app, 'node_modules');
  const packages = listPackages(modules);
  const ours = packages.find((p) => p.name === 'native-login');
  const totalKiB = diskKiB(modules);
  const ownKiB = ours ? diskKiB(ours.dir) : 0;
  const names = packages.map((p) => `${p.name}@${p.version}`).sort();
  return {
    rows: [
      {
        id: 'g',
        title: 'install footprint: runtime packages (transitive, incl. ours)',
        unit: '',
        text: String(packages.length),
        verdict: `no target: ${packages.length - 1} dependencies`,
      },
      {
        id: 'g',
        title: 'install footprint: node_modules on disk',
        unit: '',
        text: `${(totalKiB / 1024).toFixed(2)} MiB`,
        verdict: `no target: native-login itself ${(ownKiB / 1024).toFixed(2)} MiB, tarball ${(packed.size / 1024).toFixed(0)} KiB`,
      },
    ],
    packages: names,
    notes: [
      `(g): \`npm pack\` (${packed.entryCount} files, ${(packed.size / 1024).toFixed(0)} KiB packed, ${(packed.unpackedSize / 1024).toFixed(0)} KiB unpacked), then \`npm install --omit=dev\` of the tarball into an empty folder; size = \`du -sk node_modules\` (disk blocks, so small files round up to 4 KiB). Packages: ${names.join(', ')}.`,
    ],
  };
}

/** Every package folder under node_modules, nested ones and @scoped ones included. */
function listPackages(modules) {
  const found = [];
  const visit = (folder) => {
    let entries;
    try {
      entries = readdirSync(folder, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      if (!entry.isDirectory() || entry.name.startsWith('.')) continue;
      const path = join(folder, entry.name);
      if (entry.name.startsWith('@')) {
        visit(path);
        continue;
      }
      try {
        const pkg = JSON.parse(readFileSync(join(path, 'package.json'), 'utf8'));
        found.push({ name: pkg.name, version: pkg.version, dir: path });
      } catch {
        continue;
      }
      visit(join(path, 'node_modules'));
    }
  };
  visit(modules);
  return found;
}

/** Size on disk in KiB: `du -sk`, or the sum of file sizes where du is missing. */
function diskKiB(path) {
  try {
    return Number(execFileSync('du', ['-sk', path], { encoding: 'utf8' }).split(/\s/)[0]);
  } catch {
    let bytes = 0;
    const walk = (p) => {
      const stat = statSync(p);
      if (!stat.isDirectory()) bytes += stat.size;
      else for (const name of readdirSync(p)) walk(join(p, name));
    };
    walk(path);
    return bytes / 1024;
  }
}
