import type { ChildProcessByStdio } from 'node:child_process';
import type { Readable } from 'node:stream';

/** What a child has written so far, as text: read the fields once it has exited. */
export type ChildOutput = { stdout: string; stderr: string };

/** Collects a child's stdout and stderr (both piped) as they come. */
export function collectOutput(child: ChildProcessByStdio<null, Readable, Readable>): ChildOutput {
  const out: ChildOutput = { stdout: '', stderr: '' };
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    out.stdout += chunk;
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    out.stderr += chunk;
  });
  return out;
}
