/**
 * Preloaded with `node --import` when `/usr/bin/time` is missing: writes this process's peak
 * resident set size (KiB) to the file named by BENCH_RSS_FILE as it exits. The floor gets the
 * same preload, so its own small cost cancels out in the ratio.
 */
import { writeFileSync } from 'node:fs';

const file = process.env.BENCH_RSS_FILE;
if (file) {
  process.on('exit', () => {
    writeFileSync(file, String(process.resourceUsage().maxRSS));
  });
}
