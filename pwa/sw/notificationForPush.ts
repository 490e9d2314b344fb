import { displayText } from '../../shared/displayText';
import type { PushPayload } from '../../shared/schemas/devices';

type SignInPush = Extract<PushPayload, { type: 'sign_in_request' }>;

/** The app's route for answering one request (the hash router's path). */
export function approveRoute(scope: string, registrationId?: string, requestId?: string): string {
  const base = new URL('./', scope).href;
  return registrationId && requestId ? `${base}#/approve/${encodeURIComponent(registrationId)}/${encodeURIComponent(requestId)}` : base;
}

/**
 * "Approve sign-in request" with what the policy lets the phone show: application · browser · location.
 * The tag is the request id, so a repeated push for one request replaces its notification.
 */
export function notificationForPush(payload: SignInPush, scope: string): { title: string; options: NotificationOptions } {
  const { applicationName, browser, location } = payload.context;
  const context = [applicationName, browser, location]
    .map((part) => (part ? displayText(part) : ''))
    .filter((part) => part !== '')
    .join(' · ');
  return {
    title: 'Approve sign-in request',
    options: {
      body: context || 'A sign-in is waiting for your approval.',
      tag: payload.requestId,
      requireInteraction: true,
      icon: new URL('icons/icon-192.png', scope).href,
      badge: new URL('icons/maskable-192.png', scope).href,
      data: {
        url: approveRoute(scope, payload.registrationId, payload.requestId),
        requestId: payload.requestId,
        registrationId: payload.registrationId,
        tenant: payload.tenant,
        kind: payload.kind,
        expiresAt: payload.expiresAt,
      },
    },
  };
}

/**
 * A request that ended (answered elsewhere, cancelled, superseded) replaces its "Approve
 * sign-in?" with this short notice under the same tag. Never a silent push: Safari revokes the
 * subscription of a web app after a few pushes that show nothing, and Chrome would show its own
 * "updated in the background". Quiet, and not kept on screen, so platforms that time
 * notifications out take it away by themselves.
 */
export function endedNotification(requestId: string, scope: string): { title: string; options: NotificationOptions } {
  return {
    title: 'Sign-in request ended',
    options: {
      body: 'This sign-in request is no longer waiting. Nothing to do.',
      tag: requestId,
      silent: true,
      requireInteraction: false,
      icon: new URL('icons/icon-192.png', scope).href,
      badge: new URL('icons/maskable-192.png', scope).href,
      data: { url: approveRoute(scope), requestId, ended: true },
    },
  };
}

/** The tag of the daily health check's notice: each replaces the one before. */
export const healthCheckTag = 'nod-health-check';

/** The daily health check's notice (a push must show something): quiet, one at a time. */
export function healthCheckNotification(scope: string): { title: string; options: NotificationOptions } {
  return {
    title: 'Nod can reach this phone',
    options: {
      body: 'Sign-in requests will arrive here. Nothing to do.',
      tag: healthCheckTag,
      silent: true,
      requireInteraction: false,
      icon: new URL('icons/icon-192.png', scope).href,
      badge: new URL('icons/maskable-192.png', scope).href,
      data: { url: approveRoute(scope) },
    },
  };
}
