/** A description of the machine the figures come from: CPUs, memory, Node, OS and date. */
import { readFileSync } from 'node:fs';
import os from 'node:os';

/** `{ cpus, model, memory, node, os, date }`, all strings ready to print. */
export function describeMachine() {
  return {
    cpus: String(os.availableParallelism?.() ?? os.cpus().length),
    model: cpuModel(),
    memory: `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`,
    node: process.version,
    os: `${os.type()} ${os.release()} (${process.arch})`,
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    // Other work on the machine skews every figure; the 1-minute load average tells.
    load: os.loadavg()[0].toFixed(2),
  };
}

function cpuModel() {
  try {
    const info = readFileSync('/proc/cpuinfo', 'utf8');
    const line = info.split('\n').find((l) => /^(model name|Hardware|Processor)\s*:/.test(l));
    if (line) return line.slice(line.indexOf(':') + 1).trim();
  } catch {
    // Not Linux: fall back to what Node knows.
  }
  return os.cpus()[0]?.model ?? 'unknown';
}
