/**
 * Every pending sign-in request for every account on the phone (journey 7): listed from the
 * relay per device, kept current by each device's live channel (`GET /api/device/events`, read
 * as a fetch stream because EventSource cannot send the device signature), pruned when closed
 * or expired, and refreshed when a push arrives or the app comes back to the foreground.
 */
import { deviceAuthorizationHeader } from '../../../shared/deviceSignature';
import { callRelayAsDevice } from '../../../shared/relay/callRelayAsDevice';
import { followEventStream } from '../../../shared/relay/followEventStream';
import { isClockSkew, learnRelayClock, relayNow } from '../../../shared/relay/relayClock';
import { RelayProblem } from '../../../shared/relay/relayErrors';
import { noContent } from '../../../shared/schemas/common';
import { type DeviceEvent, deviceEvents } from '../../../shared/schemas/devices';
import { type SignInRequestDetails, signInRequestDetails, signInRequestList } from '../../../shared/schemas/signInRequests';
import { type Account, type Device, devicesOf } from '../store/accountStore';
import { isUnreachable, markClockOff, markUnreachable, syncDevice } from '../store/organizationState';

const requests = new Map<string, SignInRequestDetails>();
/** When this phone first saw each request (the time the approve screen shows). */
const receivedAt = new Map<string, number>();
/** Requests answered or closed here: a late list or event must not bring them back. */
const closed = new Set<string>();
const listeners = new Set<() => void>();
let snapshot: SignInRequestDetails[] = [];

function publish(): void {
  snapshot = [...requests.values()].sort((a, b) => Date.parse(a.expiresAt) - Date.parse(b.expiresAt));
  for (const listener of listeners) listener();
  scheduleExpiry();
}

export function pendingRequests(): SignInRequestDetails[] {
  return snapshot;
}

export function subscribeRequests(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function findRequest(requestId: string): SignInRequestDetails | undefined {
  return requests.get(requestId);
}

/** When this phone first got the request (milliseconds), if it did. */
export function requestReceivedAt(requestId: string): number | undefined {
  return receivedAt.get(requestId);
}

const arrivalListeners = new Set<(details: SignInRequestDetails) => void>();

/** Called once for each request the phone sees for the first time (the in-app alert). */
export function onArrival(listener: (details: SignInRequestDetails) => void): () => void {
  arrivalListeners.add(listener);
  return () => arrivalListeners.delete(listener);
}

/** Keep a request, telling the alert when it is new to this phone. */
function keep(details: SignInRequestDetails): void {
  const isNew = !receivedAt.has(details.requestId);
  if (isNew) receivedAt.set(details.requestId, Date.now());
  requests.set(details.requestId, details);
  if (isNew) for (const listener of arrivalListeners) listener(details);
}

function live(details: SignInRequestDetails, now = Date.now()): boolean {
  return Date.parse(details.expiresAt) > now && !closed.has(details.requestId);
}

export function addRequest(details: SignInRequestDetails): void {
  if (!live(details)) return;
  keep(details);
  publish();
}

/** The request is over (answered, expired, superseded): it leaves the list and stays gone. */
export function closeRequest(requestId: string): void {
  closed.add(requestId);
  if (requests.delete(requestId)) publish();
}

let expiryTimer: ReturnType<typeof setTimeout> | undefined;
function scheduleExpiry(): void {
  clearTimeout(expiryTimer);
  if (snapshot.length === 0) return;
  const next = Math.min(...snapshot.map((r) => Date.parse(r.expiresAt)));
  expiryTimer = setTimeout(
    () => {
      const now = Date.now();
      let changed = false;
      for (const [id, details] of requests) {
        if (!live(details, now)) {
          requests.delete(id);
          changed = true;
        }
      }
      if (changed) publish();
      else scheduleExpiry();
    },
    Math.max(0, next - Date.now()) + 50,
  );
}

/** Requests this app told the relay it received: once each is enough (the call is idempotent anyway). */
const acknowledged = new Set<string>();

/**
 * The open app got a request (its live channel or its list): the relay records the delivery and
 * the desktop shows "Delivered". Best effort; never in the way of showing the request.
 */
function acknowledge(device: Device, details: SignInRequestDetails): void {
  if (acknowledged.has(details.requestId) || !live(details)) return;
  acknowledged.add(details.requestId);
  void callRelayAsDevice(device, `/api/device/sign-in-requests/${encodeURIComponent(details.requestId)}/received`, {
    method: 'POST',
    body: { via: 'app' },
    answer: noContent,
  }).catch(() => acknowledged.delete(details.requestId));
}

/** Replace what is known about one device's requests with the relay's list (a list not in the expected form changes nothing). */
async function refreshDevice(device: Device): Promise<void> {
  const { requests: listed } = await callRelayAsDevice(device, '/api/device/sign-in-requests', { answer: signInRequestList });
  const ids = new Set(listed.map((r) => r.requestId));
  for (const [id, details] of requests) {
    if (device.registrationIds.includes(details.registrationId) && !ids.has(id)) requests.delete(id);
  }
  for (const details of listed) {
    if (!device.registrationIds.includes(details.registrationId) || !live(details)) continue;
    keep(details);
    acknowledge(device, details);
  }
  publish();
}

let devices: Device[] = [];

/** Fetch every device's pending requests. Failures (offline) leave the list as it was. */
async function refreshRequests(): Promise<void> {
  await Promise.all(devices.map((device) => refreshAll(device)));
}

/** The device's pending requests and its accounts' state, both from the relay; an unreachable relay is noted. */
function refreshAll(device: Device): Promise<void> {
  return Promise.all([
    refreshDevice(device).catch((error) => {
      if (isUnreachable(error)) markUnreachable(device);
      else if (isClockSkew(error)) markClockOff(device);
    }),
    syncDevice(device),
  ]).then(() => undefined);
}

/** One request's details, fetched with the account's device key (e.g. after a notification click). */
export async function fetchRequest(account: Account, requestId: string): Promise<SignInRequestDetails> {
  const details = await callRelayAsDevice(account, `/api/device/sign-in-requests/${encodeURIComponent(requestId)}`, {
    answer: signInRequestDetails,
  });
  if (details.registrationId !== account.registrationId) {
    throw new RelayProblem({ status: 404, code: 'request_not_found', detail: 'This sign-in request is not for this account.' });
  }
  addRequest(details);
  return details;
}

function applyEvent(event: DeviceEvent, device: Device): void {
  if (event.type === 'accounts') {
    // The relay says what this phone shows changed (a method removed, the account blocked, the
    // policy saved): read the accounts, and the requests (a removed method's are gone), again.
    void refreshAll(device);
    return;
  }
  if (event.type === 'request') {
    if (!device.registrationIds.includes(event.request.registrationId)) return;
    addRequest(event.request);
    acknowledge(device, event.request);
  } else closeRequest(event.requestId);
  // Every event is a moment to read the accounts again.
  void syncDevice(device);
}

const channels = new Map<string, { controller: AbortController; device: Device }>();
const channelKey = (device: Device) => `${device.relayUrl} ${device.deviceId}`;
const backoff = { firstMs: 1_000, maxMs: 30_000 };

/** Keep one live channel per device, reconnecting with backoff; the list is refreshed on each connect. */
async function runChannel(device: Device, signal: AbortSignal): Promise<void> {
  const path = '/api/device/events';
  const events = followEventStream(`${device.relayUrl}${path}`, {
    events: deviceEvents,
    // Each connection is signed afresh: a device signature is good once.
    headers: async () => ({
      authorization: await deviceAuthorizationHeader(device.deviceId, device.deviceKey, { method: 'GET', path }, relayNow(device.relayUrl)),
    }),
    signal,
    reconnect: backoff,
    wait,
    // Anything that happened while disconnected is in the list, not in the stream.
    onOpen: () => void refreshAll(device),
    // Whatever went wrong (offline, a refused signature while the clock is off), keep trying with backoff;
    // a relay that cannot be reached is shown as such until a call gets through.
    // A refused clock: the next connection is signed on the relay's clock (its answer says the time).
    shouldReconnect: (failure) => {
      if (isUnreachable(failure)) markUnreachable(device);
      else if (isClockSkew(failure) && !learnRelayClock(device.relayUrl, failure)) markClockOff(device);
      return true;
    },
  });
  try {
    for await (const { data } of events) applyEvent(data, device);
  } catch {
    // Not reached while every failure is retried; the channel simply stops.
  }
}

const wakers = new Set<() => void>();

/** A wait that reconnectNow() ends early. */
function wait(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      wakers.delete(done);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    wakers.add(done);
    signal?.addEventListener('abort', done);
  });
}

/** Back online or back in the foreground: reconnect now rather than after the backoff. */
export function reconnectNow(): Promise<void> {
  for (const wake of [...wakers]) wake();
  return refreshRequests();
}

/** Follow the accounts: a channel per device, none for devices that are gone. */
export function followAccounts(accounts: Account[]): void {
  devices = devicesOf(accounts);
  const wanted = new Map(devices.map((d) => [channelKey(d), d]));
  for (const [key, channel] of channels) {
    if (!wanted.has(key)) {
      channel.controller.abort();
      channels.delete(key);
    }
  }
  for (const [key, device] of wanted) {
    const running = channels.get(key);
    // A running channel sees the device's current accounts (one was added or removed).
    if (running) running.device.registrationIds = device.registrationIds;
    else {
      const controller = new AbortController();
      channels.set(key, { controller, device });
      void runChannel(device, controller.signal);
    }
  }
  const registrationIds = new Set(accounts.map((a) => a.registrationId));
  let changed = false;
  for (const [id, details] of requests) {
    if (!registrationIds.has(details.registrationId)) {
      requests.delete(id);
      changed = true;
    }
  }
  if (changed) publish();
}
