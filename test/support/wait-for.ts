// Polls a condition until it holds or a deadline passes; returns the elapsed milliseconds.
export async function waitFor(
  condition: () => Promise<boolean>,
  timeoutMs: number,
  intervalMs = 20,
): Promise<number> {
  const started = performance.now();
  while (performance.now() - started < timeoutMs) {
    if (await condition()) return performance.now() - started;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  throw new Error(`condition not met within ${timeoutMs} ms`);
}
