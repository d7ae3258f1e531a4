/**
 * Faults queued for the token endpoint: each token request takes the next one, so a test can
 * say "the next 2 calls fail with 500" and know the third one works.
 */
import type { EmulatorFault, EmulatorFaultKind } from './emulator-types.js';

const KINDS: readonly EmulatorFaultKind[] = [
  '500',
  'delay',
  'invalid_grant',
  'malformed_json',
  'html',
  'reset',
];

/** Longest delay a fault may ask for, so a typo cannot hang a test run. */
export const MAX_DELAY_MS = 120_000;

/** A fault given by kind or object, checked and with its defaults filled in. */
export function normalizeFault(input: unknown): EmulatorFault {
  const raw: Record<string, unknown> =
    typeof input === 'string' ? { kind: input } : isRecord(input) ? input : {};
  const kind = raw['kind'];
  if (typeof kind !== 'string' || !(KINDS as readonly string[]).includes(kind)) {
    throw new TypeError(`fault kind must be one of ${KINDS.join(', ')}`);
  }
  switch (kind as EmulatorFaultKind) {
    case 'delay': {
      const ms = raw['ms'] ?? 1000;
      if (typeof ms !== 'number' || !Number.isInteger(ms) || ms < 0 || ms > MAX_DELAY_MS) {
        throw new TypeError(`delay ms must be an integer from 0 to ${MAX_DELAY_MS}`);
      }
      return { kind: 'delay', ms };
    }
    case 'invalid_grant': {
      const status = raw['status'] ?? 400;
      if (status !== 400 && status !== 401) throw new TypeError('invalid_grant status: 400 or 401');
      return { kind: 'invalid_grant', status };
    }
    case 'html': {
      const status = raw['status'] ?? 502;
      if (status !== 200 && status !== 502) throw new TypeError('html status: 200 or 502');
      return { kind: 'html', status };
    }
    default:
      return { kind } as EmulatorFault;
  }
}

/** A first-in first-out queue of faults. */
export class FaultQueue {
  private readonly queue: EmulatorFault[] = [];

  /** Queue `fault` for the next `count` token requests. */
  add(input: unknown, count = 1): void {
    if (!Number.isInteger(count) || count < 1 || count > 10_000) {
      throw new TypeError('fault count must be an integer from 1 to 10000');
    }
    const fault = normalizeFault(input);
    for (let i = 0; i < count; i += 1) this.queue.push({ ...fault });
  }

  /** The fault for this request, if any. */
  next(): EmulatorFault | undefined {
    return this.queue.shift();
  }

  clear(): void {
    this.queue.length = 0;
  }

  pending(): EmulatorFault[] {
    return this.queue.map((fault) => ({ ...fault }));
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
