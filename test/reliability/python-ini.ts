/**
 * Reads token files with Python's own configparser (what fair-research-login uses), so the
 * suite can check that what we wrote is what Python reads. Skipped when python3 is missing.
 */
import { execFile } from 'node:child_process';

/** Every section of every file as Python reads it: file → section → key → value. */
export type PythonView = Record<string, Record<string, Record<string, string>>>;

const READ_ALL = `
import configparser, json, sys
out = {}
for name in sys.argv[1:]:
    parser = configparser.ConfigParser()
    with open(name, encoding="utf-8") as handle:
        parser.read_file(handle)
    out[name] = {s: dict(parser[s]) for s in parser.sections()}
print(json.dumps(out))
`;

/** Whether python3 can be run here. */
export function hasPython(): Promise<boolean> {
  return new Promise((done) => {
    execFile('python3', ['-c', 'import configparser'], (error) => done(error === null));
  });
}

/** Parses `files` with configparser in one python3 run; rejects with Python's error. */
export function readWithPython(files: readonly string[]): Promise<PythonView> {
  return new Promise((done, fail) => {
    execFile(
      'python3',
      ['-c', READ_ALL, ...files],
      { maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) fail(new Error(`python3 configparser failed: ${stderr}`));
        else done(JSON.parse(stdout) as PythonView);
      },
    );
  });
}
