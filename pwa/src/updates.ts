/**
 * The service worker: workbox-window registers it, offers "A new version is ready — Reload" when
 * an update waits, and passes on what the worker says (a push arrived, a notification was clicked).
 */
import { useEffect, useState } from 'preact/hooks';
import { Workbox } from 'workbox-window';
import { pushPayload } from '../../shared/schemas/devices';
import { closeRequest, fetchRequest } from './requests/requestStore';
import { currentAccounts } from './store/accountStore';
import { syncAll } from './store/organizationState';

export interface UpdateState {
  waiting: boolean;
  reload: () => void;
}

let workbox: Workbox | undefined;
let waiting = false;
const listeners = new Set<() => void>();

export function registerServiceWorker(): void {
  if (!('serviceWorker' in navigator)) return;
  workbox = new Workbox(`${import.meta.env.BASE_URL}sw.js`, { scope: import.meta.env.BASE_URL });
  workbox.addEventListener('waiting', () => {
    waiting = true;
    for (const listener of listeners) listener();
  });
  navigator.serviceWorker.addEventListener('message', (event) => onWorkerMessage(event.data));
  void workbox.register();
}

function onWorkerMessage(data: unknown): void {
  const message = data as { type?: string; payload?: unknown; url?: string } | null;
  if (message?.type === 'nod-open' && typeof message.url === 'string') {
    const url = new URL(message.url, location.href);
    if (url.origin === location.origin && url.pathname === location.pathname) location.hash = url.hash;
    return;
  }
  if (message?.type !== 'nod-push') return;
  const parsed = pushPayload.safeParse(message.payload);
  if (!parsed.success) return;
  // Every push is a moment to read the accounts again.
  void syncAll();
  const payload = parsed.data;
  if (payload.type === 'sign_in_request_closed') {
    closeRequest(payload.requestId);
    return;
  }
  if (payload.type !== 'sign_in_request') return;
  const account = currentAccounts()?.find((a) => a.registrationId === payload.registrationId);
  if (account) void fetchRequest(account, payload.requestId).catch(() => undefined);
}

export function useUpdate(): UpdateState {
  const [isWaiting, setWaiting] = useState(waiting);
  useEffect(() => {
    const listener = () => setWaiting(waiting);
    listeners.add(listener);
    return () => {
      listeners.delete(listener);
    };
  }, []);
  return {
    waiting: isWaiting,
    reload: () => {
      if (!workbox) return;
      // Reload once the waiting version has taken over (only after the user chose to).
      workbox.addEventListener('controlling', () => location.reload());
      workbox.messageSkipWaiting();
    },
  };
}
