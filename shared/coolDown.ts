/**
 * The one way a cool-down is said, on the hosted page and in the extension: a countdown in
 * minutes and seconds, like the request's own "expires in m:ss", never a clock time (a clock time
 * and a countdown on one screen disagree as soon as the clocks do).
 */
export function coolDownWords(retryAtMs: number, nowMs: number): string {
  const seconds = Math.max(0, Math.ceil((retryAtMs - nowMs) / 1000));
  if (seconds === 0) return 'You can send another request now.';
  return `You can send another request in ${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}.`;
}

/** Whether the resend actions wait still (they are disabled until `retryAtMs`). */
export function coolingDown(retryAtMs: number | undefined, nowMs: number): boolean {
  return retryAtMs !== undefined && retryAtMs > nowMs;
}
