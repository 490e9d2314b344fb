import { z } from 'zod';
import { pushSubscription } from './pushSubscription';

/** Phone: replace (or clear, with null) the push subscription of its device. */
export const pushSubscriptionSet = z.object({ subscription: pushSubscription.nullable() });
export type PushSubscriptionSet = z.infer<typeof pushSubscriptionSet>;
