import { RelayProblem } from '../../shared/relay/relayErrors';

const fallback = 'Something went wrong. Check your connection and try again.';

/** What the page says when a call to the relay failed: the relay's own sentence when it gave one, else a plain fallback. */
export function failureWords(error: unknown): string {
  return (error instanceof RelayProblem ? error.detail : undefined) ?? fallback;
}
