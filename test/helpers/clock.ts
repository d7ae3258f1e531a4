/**
 * Expiry times for made-up tokens, relative to the clock the tests run with (the real one, or
 * one moved by `faketime`), never an absolute epoch that is "far" only today. A value is shared
 * with child processes through the environment, so a writer and its readers agree on it.
 */

const VARIABLE = 'NATIVE_LOGIN_TEST_FAR_EXPIRY';
const TEN_YEARS = 10 * 365 * 24 * 3600;

/** Seconds since the epoch, by the clock in use. */
export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

/**
 * An expiry ten years after this test run started: nothing refreshes. Inherited from a parent
 * test process when it set one (children must see the same tokens), else set here for children.
 */
export const FAR_EXPIRY: number = sharedFarExpiry();

function sharedFarExpiry(): number {
  const inherited = Number(process.env[VARIABLE]);
  if (Number.isSafeInteger(inherited) && inherited > nowSeconds() + TEN_YEARS / 2) return inherited;
  const value = nowSeconds() + TEN_YEARS;
  process.env[VARIABLE] = String(value);
  return value;
}

/**
 * The variables that set this process's clock (`faketime`'s `LD_PRELOAD` and `FAKETIME*`, and
 * the shared far expiry): the minimal environments tests build for children must carry them,
 * or a child runs on another clock than the emulator in the parent (id_tokens "issued in the
 * future", tokens expired in one process and valid in the other).
 */
export function clockEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (key === 'LD_PRELOAD' || key === VARIABLE || key.startsWith('FAKETIME')) env[key] = value;
  }
  return env;
}
