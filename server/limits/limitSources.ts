import type { RelayContext } from '../context';
import { hashSecret } from '../ids';
import type { CallerInfo } from '../signin/callerInfo';
import type { Device, SignInRequest, Tenant, User } from '../storage/model';
import { type KnownBrowser, knows, readKnownBrowser } from './knownBrowser';

/**
 * Who is asking, as the limits count it. The `lane` is the budget a user's sign-ins from this
 * browser draw on: a known browser of the user (the hosted pages' cookie, or the extension's key
 * registered for the user) has a lane of its own; everyone else shares `elsewhere`. The `sources`
 * are what a per-source limit counts across accounts: the client IP, the collector key and the
 * extension's key.
 */
export interface LimitSources {
  lane: string;
  /** True for a known browser of this user. */
  known: boolean;
  sources: string[];
  /** The known-browser cookie, whoever it names (the hosted pages add the user to it after a sign-in). */
  browser: KnownBrowser | undefined;
}

/** The stored form of a collector key (as requests keep it), so a report can name the same source. */
export const collectorKeyHash = (tenant: Tenant, key: string) => hashSecret(`${tenant.id}:${key}`);

/**
 * `extension`: the browser (extension) whose key signed the call, with whether it is registered for
 * this user — as the caller already read it, so it is read once per call.
 */
export function limitSources(
  ctx: RelayContext,
  tenant: Tenant,
  user: User | undefined,
  caller: CallerInfo,
  extension?: { device: Device; registeredForUser: boolean },
): LimitSources {
  const browser = readKnownBrowser(ctx, tenant, caller.cookie);
  const sources = [`ip:${caller.ip}`];
  if (caller.collectorKey) sources.push(`ck:${collectorKeyHash(tenant, caller.collectorKey)}`);
  if (extension) sources.push(`browser:${extension.device.id}`);
  if (knows(browser, user?.id)) return { lane: `known:${browser.id}`, known: true, sources, browser };
  if (extension && user && extension.registeredForUser) return { lane: `ext:${extension.device.id}`, known: true, sources, browser };
  return { lane: 'elsewhere', known: false, sources, browser };
}

/** The sources a stored request came from (what a report blocks). */
export function requestSources(request: SignInRequest): string[] {
  const sources = request.ip ? [`ip:${request.ip}`] : [];
  if (request.collectorKey) sources.push(request.collectorKey.startsWith('browser:') ? request.collectorKey : `ck:${request.collectorKey}`);
  if (request.browserDeviceId) sources.push(`browser:${request.browserDeviceId}`);
  return [...new Set(sources)];
}
