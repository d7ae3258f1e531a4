/** Reading Node's system errors without ever echoing their messages (paths are ours to name). */

/** The `code` of a Node system error, if it has one. */
export function errorCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error
    ? String((error as { code: unknown }).code)
    : undefined;
}

/** A short, token-free description of a system error: its code, or its class. */
export function describe(error: unknown): string {
  return errorCode(error) ?? (error instanceof Error ? error.name : 'unknown error');
}
