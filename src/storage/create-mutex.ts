/**
 * A promise-chain mutex: each caller waits for the one before it. The place in line is taken
 * when the function is called, before its first `await`, so callers get their turns in the
 * order they called.
 */
export function createMutex(): () => Promise<() => void> {
  let tail: Promise<void> = Promise.resolve();
  return async () => {
    let release!: () => void;
    const done = new Promise<void>((resolve) => {
      release = resolve;
    });
    const previous = tail;
    tail = previous.then(() => done);
    await previous;
    return release;
  };
}

/** Runs `fn` in its turn of `mutex`, releasing the turn however `fn` ends. */
export async function inTurn<T>(
  mutex: () => Promise<() => void>,
  fn: () => Promise<T>,
): Promise<T> {
  const release = await mutex();
  try {
    return await fn();
  } finally {
    release();
  }
}
