/**
 * The fenced code blocks of a Markdown file, and whether each is to be run: every block in a
 * language we can run is run, unless the line before it says why not with
 * `<!-- not-run: reason -->` (visible in the source, listed by the test).
 */

/** Languages whose blocks are run: shell scripts, JavaScript modules, TypeScript. */
export const RUNNABLE = new Set(['sh', 'bash', 'js', 'mjs', 'ts']);
/**
 * Languages not run: data, transcripts and sketches of output, and Python (the Python side is
 * tested by the interop tests against python3).
 */
export const NOT_CODE = new Set([
  '',
  'text',
  'json',
  'ini',
  'console',
  'yaml',
  'yml',
  'toml',
  'python',
  'py',
]);

/** One fenced block. */
export type CodeBlock = {
  /** 1-based line of the opening fence. */
  line: number;
  lang: string;
  code: string;
  /** The reason given in a `<!-- not-run: … -->` marker, when there is one. */
  notRun: string | undefined;
};

const MARKER = /^\s*<!--\s*not-run:\s*(.*?)\s*-->\s*$/;

/** Every fenced block of `markdown`, indentation of the fence removed from its lines. */
export function codeBlocks(markdown: string): CodeBlock[] {
  const lines = markdown.split('\n');
  const blocks: CodeBlock[] = [];
  for (let i = 0; i < lines.length; i += 1) {
    const open = /^(\s*)(`{3,})\s*([\w-]*)\s*$/.exec(lines[i] as string);
    if (!open) continue;
    const [, indent = '', fence = '```', lang = ''] = open;
    const body: string[] = [];
    let j = i + 1;
    while (j < lines.length && !(lines[j] as string).trim().startsWith(fence)) {
      const text = lines[j] as string;
      body.push(text.startsWith(indent) ? text.slice(indent.length) : text.trimStart());
      j += 1;
    }
    let k = i - 1;
    while (k >= 0 && (lines[k] as string).trim() === '') k -= 1;
    const marker = k >= 0 ? MARKER.exec(lines[k] as string) : null;
    blocks.push({
      line: i + 1,
      lang: lang.toLowerCase(),
      code: `${body.join('\n')}\n`,
      notRun: marker?.[1],
    });
    i = j;
  }
  return blocks;
}
