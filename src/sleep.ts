/**
 * A pause of `ms` milliseconds. Not node:timers/promises, which `import 'native-login'` would
 * then load (bench/ (a)).
 */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
