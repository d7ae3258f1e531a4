/**
 * Python `string.Template` substitution (`$name`, `${name}`, `$$`), so fair-research-login
 * landing-page templates work unchanged, plus the HTML escaping every value goes through.
 * @see https://docs.python.org/3/library/string.html#template-strings
 */

// Same grammar as Python: `$$`, `$identifier`, `${identifier}`, anything else after `$` is invalid.
const PLACEHOLDER = /\$(?:(\$)|([_a-z][_a-z0-9]*)|\{([_a-z][_a-z0-9]*)\}|())/gi;

/** A template that cannot be filled: a placeholder with no value, or a stray `$`. */
export class TemplateError extends Error {
  /** Placeholders that had no value. */
  readonly missing: readonly string[];

  constructor(message: string, missing: readonly string[] = []) {
    super(message);
    this.name = 'TemplateError';
    this.missing = missing;
  }
}

/** The names a template refers to, in order of first use. */
export function templatePlaceholders(template: string): string[] {
  const names = new Set<string>();
  for (const match of template.matchAll(PLACEHOLDER)) {
    const name = match[2] ?? match[3];
    if (name !== undefined) names.add(name);
    else if (match[1] === undefined) throw invalidPlaceholder(template, match.index);
  }
  return [...names];
}

/** Fills `template` with `vars` as Python's `Template.substitute` does (values used as given). */
export function substituteTemplate(
  template: string,
  vars: Readonly<Record<string, string>>,
): string {
  const missing = templatePlaceholders(template).filter((name) => !Object.hasOwn(vars, name));
  if (missing.length > 0) {
    throw new TemplateError(
      `The template uses ${missing.map((n) => `$${n}`).join(', ')} but no value was given.`,
      missing,
    );
  }
  return template.replace(
    PLACEHOLDER,
    (_match, dollar?: string, named?: string, braced?: string) => {
      if (dollar !== undefined) return '$';
      return vars[(named ?? braced) as string] as string;
    },
  );
}

/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => HTML_ENTITIES[char] as string);
}

const HTML_ENTITIES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

function invalidPlaceholder(template: string, index: number): TemplateError {
  const line = template.slice(0, index).split('\n').length;
  return new TemplateError(
    `Invalid placeholder in the template on line ${line} (write $$ for a literal $).`,
  );
}
