import type { PushPayload } from '../../shared/schemas/devices';

type SignInPush = Extract<PushPayload, { type: 'sign_in_request' }>;

/** The app's route for answering one request (the hash router's path). */
export function approveRoute(scope: string, registrationId?: string, requestId?: string): string {
  const base = new URL('./', scope).href;
  return registrationId && requestId ? `${base}#/approve/${encodeURIComponent(registrationId)}/${encodeURIComponent(requestId)}` : base;
}

/**
 * "Approve sign-in?" with what the policy lets the phone show: application · browser · location.
 * The tag is the request id, so a repeated push for one request replaces its notification.
 */
export function notificationForPush(payload: SignInPush, scope: string): { title: string; options: NotificationOptions } {
  const { applicationName, browser, location } = payload.context;
  const context = [applicationName, browser, location].filter((part) => part && part.trim() !== '').join(' · ');
  return {
    title: 'Approve sign-in?',
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
