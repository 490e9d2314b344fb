import { z } from 'zod';
import { brokeredStatuses, type PageSignInView, type SignInView } from '../../../shared/schemas/extensionMessages';
import { origin, tenantName } from '../../../shared/schemas/common';
import { finalRequestStatuses } from '../../../shared/schemas/signInRequests';

/**
 * A brokered sign-in as the background keeps it in `storage.session` (one entry per tab), from the moment
 * it is being created until the tab or a new sign-in replaces it — so a stopped service worker resumes it
 * without a second request. `storage.session` lives in memory only, is not exposed to content scripts,
 * and is cleared when the browser closes: the collector secret stays in the background.
 */
export const brokeredSignIn = z.object({
  tabId: z.number().int(),
  /** The tab's real origin when the sign-in started: the verified site. */
  site: origin,
  tenant: tenantName,
  tenantDisplayName: z.string(),
  relayOrigin: origin,
  username: z.string(),
  interaction: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,100}$/)
    .optional(),
  status: z.enum(brokeredStatuses),
  requestId: z.string().optional(),
  number: z.number().int().optional(),
  expiresAt: z.string().optional(),
  retryAt: z.string().optional(),
  message: z.string().optional(),
  /** Only while the request can still be watched or redeemed. */
  collectorSecret: z.string().optional(),
  /** While pending: the relay's delivery stage. */
  delivery: z.enum(['sent', 'delivered']).optional(),
  /** When the relay answered the creation (this browser's clock, ms): the fallbacks show a few seconds after. */
  sentAt: z.number().optional(),
  /** The last server-sent event id seen (`Last-Event-ID` on reconnect). */
  lastEventId: z.string().optional(),
  /** A redeemed grant not yet handed to the page (the tab was reloading). */
  grant: z.string().optional(),
  updatedAt: z.number(),
});
export type BrokeredSignIn = z.infer<typeof brokeredSignIn>;

/** Statuses after which nothing more happens to the request. */
export const finalStatuses = new Set<string>([...finalRequestStatuses, 'not_created']);

/** The sign-in as the extension's own UI shows it (panel frame, popup): with the number while it waits. */
export function viewOf(record: BrokeredSignIn): SignInView {
  return {
    tabId: record.tabId,
    tenant: record.tenant,
    tenantDisplayName: record.tenantDisplayName,
    username: record.username,
    site: record.site,
    status: record.status,
    ...(record.requestId ? { requestId: record.requestId } : {}),
    ...(record.number !== undefined && !finalStatuses.has(record.status) ? { number: record.number } : {}),
    ...(record.expiresAt ? { expiresAt: record.expiresAt } : {}),
    ...(record.retryAt ? { retryAt: record.retryAt } : {}),
    ...(record.message ? { message: record.message } : {}),
    ...(record.status === 'pending' && record.delivery ? { delivery: record.delivery } : {}),
    ...(record.status === 'pending' && record.sentAt !== undefined ? { sentAt: new Date(record.sentAt).toISOString() } : {}),
  };
}

/** The same sign-in for the content script: never the number, which page scripts must not be able to read. */
export function pageViewOf(view: SignInView): PageSignInView {
  const { number: _number, ...rest } = view;
  return rest;
}

/** Where brokered sign-ins are kept; `storage.session` in the extension, a Map in tests. */
export interface SignInStore {
  get(tabId: number): Promise<BrokeredSignIn | undefined>;
  put(record: BrokeredSignIn): Promise<void>;
  remove(tabId: number): Promise<void>;
  list(): Promise<BrokeredSignIn[]>;
}
