/**
 * Seeded mutations of a file's bytes for the fuzz test: byte flips, truncations, inserted
 * syntax (`[`, `=`, `%`, a line break…), invalid UTF-8, deletions, duplicated and swapped
 * lines. Each returns the new bytes and a short description (never the bytes themselves).
 */
import { below, type Random } from './prng.js';

/** A mutated file and what was done to it. */
export type Mutation = { bytes: Buffer; what: string };

const INSERTS: readonly (readonly number[])[] = [
  [0x5b], // [
  [0x5d], // ]
  [0x3d], // =
  [0x3a], // :
  [0x25], // %
  [0x0a], // \n
  [0x0d], // \r
  [0x20], // space
  [0x09], // tab
  [0x5f], // _
  [0x2e], // .
  [0x23], // #
  [0x3b], // ;
  [0x22], // "
  [0x2c], // ,
  [0x7b], // {
  [0x7d], // }
  [0xff], // never valid UTF-8
  [0xc3], // a lone lead byte
  [0xe2, 0x82], // a cut 3-byte sequence
  [0xef, 0xbb, 0xbf], // a byte-order mark
  [0x25, 0x28, 0x78, 0x29, 0x73], // %(x)s
];

function lineBounds(bytes: Buffer): number[] {
  const starts = [0];
  for (let i = 0; i < bytes.length; i++) if (bytes[i] === 0x0a) starts.push(i + 1);
  return starts;
}

/** One random mutation of `bytes`. */
export function mutateOnce(bytes: Buffer, random: Random): Mutation {
  const at = below(random, bytes.length + 1);
  switch (below(random, 6)) {
    case 0: {
      const out = Buffer.from(bytes);
      const pos = Math.min(at, out.length - 1);
      const value = below(random, 256);
      out[pos] = value;
      return { bytes: out, what: `byte ${pos} set to 0x${value.toString(16)}` };
    }
    case 1:
      return { bytes: bytes.subarray(0, at), what: `cut at byte ${at}` };
    case 2: {
      const insert = INSERTS[below(random, INSERTS.length)] ?? [0x5b];
      return {
        bytes: Buffer.concat([bytes.subarray(0, at), Buffer.from(insert), bytes.subarray(at)]),
        what: `inserted ${insert.map((b) => `0x${b.toString(16)}`).join(' ')} at byte ${at}`,
      };
    }
    case 3: {
      const count = 1 + below(random, 3);
      return {
        bytes: Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + count)]),
        what: `deleted ${count} byte(s) at ${at}`,
      };
    }
    case 4: {
      const starts = lineBounds(bytes);
      const index = below(random, starts.length);
      const start = starts[index] ?? 0;
      const end = starts[index + 1] ?? bytes.length;
      return {
        bytes: Buffer.concat([
          bytes.subarray(0, end),
          bytes.subarray(start, end),
          bytes.subarray(end),
        ]),
        what: `line ${index + 1} duplicated`,
      };
    }
    default: {
      const lines: Buffer[] = [];
      const starts = lineBounds(bytes);
      for (let i = 0; i < starts.length; i++)
        lines.push(bytes.subarray(starts[i], starts[i + 1] ?? bytes.length));
      const a = below(random, lines.length);
      const b = below(random, lines.length);
      [lines[a], lines[b]] = [lines[b] as Buffer, lines[a] as Buffer];
      return { bytes: Buffer.concat(lines), what: `lines ${a + 1} and ${b + 1} swapped` };
    }
  }
}

/** One to three mutations in a row (most often one). */
export function mutate(bytes: Buffer, random: Random): Mutation {
  const rounds = random() < 0.75 ? 1 : 2 + below(random, 2);
  let current: Mutation = { bytes, what: '' };
  const steps: string[] = [];
  for (let i = 0; i < rounds; i++) {
    current = mutateOnce(current.bytes, random);
    steps.push(current.what);
  }
  return { bytes: current.bytes, what: steps.join('; ') };
}
