import type { z } from 'zod';
import { type RelayCall, sendToRelay } from './sendToRelay';

export type { RelayCall, RelayMethod } from './sendToRelay';

/**
 * Call the relay: JSON in, JSON out, the answer validated against its schema from shared/schemas.
 * Throws a RelayProblem for an error answer (problem+json), RelayUnreachable when the relay cannot be
 * reached, RelayAnswerInvalid when the answer does not match the schema, and the abort reason when
 * `signal` aborts.
 */
export function callRelay<S extends z.ZodType>(url: string, call: RelayCall<S>): Promise<z.output<S>> {
  return sendToRelay(url, call);
}
