/// <reference lib="webworker" />
/**
 * Nod's service worker: precaches the app shell so the app (and its verification codes) starts
 * offline, turns pushes into "Approve sign-in request" notifications, and opens the approve screen when
 * one is clicked. Built by pwa/build.ts (Workbox injectManifest).
 */
import { cleanupOutdatedCaches, createHandlerBoundToURL, precacheAndRoute } from 'workbox-precaching';
import { NavigationRoute, registerRoute } from 'workbox-routing';
import { answerHealthCheck, acknowledgeSignInPush } from './acknowledgePush';
import { approveRoute, endedNotification, healthCheckNotification, notificationForPush } from './notificationForPush';
import { parsePushData } from './parsePushData';
import { resubscribe } from './resubscribe';

declare const self: ServiceWorkerGlobalScope & { __WB_MANIFEST: Array<{ url: string; revision: string | null }> };

precacheAndRoute(self.__WB_MANIFEST);
cleanupOutdatedCaches();
// The app routes with the URL fragment, so every navigation inside /app/ is the one shell.
registerRoute(new NavigationRoute(createHandlerBoundToURL('index.html'), { allowlist: [/^\/app\/?($|\?|index\.html)/] }));
// The first install takes charge of the open app at once, so it works offline from then on.
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

self.addEventListener('message', (event) => {
  // workbox-window's messageSkipWaiting(): the user chose "Reload" for the new version.
  if ((event.data as { type?: string } | null)?.type === 'SKIP_WAITING') void self.skipWaiting();
});

/**
 * Every push shows a notification (userVisibleOnly): "Approve sign-in request" for a request (and its
 * receipt to the relay), "Sign-in request ended" in place of one that ended, a quiet notice for
 * the daily health check (and its answer). An open app also refreshes at once.
 */
self.addEventListener('push', (event) => {
  const payload = parsePushData(event.data);
  if (!payload) {
    // A push the app cannot read still has to be shown (userVisibleOnly), so say something true.
    event.waitUntil(self.registration.showNotification('Nod', { body: 'Open Nod to see waiting sign-in requests.', tag: 'nod-unknown' }));
    return;
  }
  event.waitUntil(
    (async () => {
      const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
      // An open app refreshes its list at once, whatever its live channel is doing.
      for (const client of windows) client.postMessage({ type: 'nod-push', payload });
      const scope = self.registration.scope;
      switch (payload.type) {
        case 'sign_in_request': {
          const { title, options } = notificationForPush(payload, scope);
          await self.registration.showNotification(title, options);
          await acknowledgeSignInPush(payload);
          return;
        }
        case 'sign_in_request_closed': {
          const { title, options } = endedNotification(payload.requestId, scope);
          await self.registration.showNotification(title, options);
          return;
        }
        case 'push_health_check': {
          const { title, options } = healthCheckNotification(scope);
          await self.registration.showNotification(title, options);
          await answerHealthCheck(payload);
          return;
        }
      }
    })(),
  );
});

self.addEventListener('pushsubscriptionchange', (event) => {
  const change = event as ExtendableEvent & { oldSubscription?: PushSubscription | null; newSubscription?: PushSubscription | null };
  // Started before waitUntil: the work goes on even where waitUntil refuses (a dispatched event).
  const work = resubscribe(self.registration, change.oldSubscription, change.newSubscription).catch(() => undefined);
  change.waitUntil(work);
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const data = event.notification.data as { url?: string } | null;
  const url = new URL(data?.url ?? approveRoute(self.registration.scope), self.registration.scope).href;
  event.waitUntil(
    (async () => {
      const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
      const open = windows.find((client) => client.url.startsWith(self.registration.scope));
      if (open) {
        open.postMessage({ type: 'nod-open', url });
        await open.focus();
        return;
      }
      await self.clients.openWindow(url);
    })(),
  );
});
