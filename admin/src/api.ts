import type { z } from 'zod';
import { callRelay, type RelayMethod } from '../../shared/relay/callRelay';
import { RelayProblem } from '../../shared/relay/relayErrors';

/**
 * One admin API call (`/admin/t/<tenant><path>`) as the signed-in admin: the relay makes it with the
 * admin token bound to this session, which the page never sees.
 */
export function adminApi<S extends z.ZodType>(method: RelayMethod, path: string, answer: S, body?: unknown): Promise<z.output<S>> {
  return callRelay(`/admin/center/api/call${path}`, {
    method,
    body,
    answer,
    headers: { 'x-nod-admin-center': '1' },
    credentials: 'same-origin',
  });
}

export const enc = encodeURIComponent;

/** What went wrong, in one sentence an admin can act on, with the fields at fault. */
export function describeError(error: unknown): string {
  if (error instanceof RelayProblem) {
    if (error.status === 401) return 'Your admin session has ended. Sign in again.';
    const fields = error.errors.map((e) => `${e.field}: ${e.message}`);
    const detail = error.detail ?? `The relay answered ${error.status}.`;
    return fields.length > 0 && !fields.some((f) => detail.includes(f)) ? `${detail} (${fields.join('; ')})` : detail;
  }
  return error instanceof Error ? error.message : String(error);
}

export const when = (iso: string | null) => (iso ? new Date(iso).toLocaleString() : '—');

/**
 * Download a file the admin API makes (an export) as the signed-in admin: fetched with the page's
 * header, then saved under the name the relay gives.
 */
export async function adminDownload(path: string, fallbackName: string): Promise<void> {
  const response = await fetch(`/admin/center/api/call${path}`, { headers: { 'x-nod-admin-center': '1' }, credentials: 'same-origin' });
  if (!response.ok) {
    const problem = await response.json().catch(() => undefined);
    throw new Error(problem?.detail ?? `The relay answered ${response.status}.`);
  }
  const name = /filename="([^"]+)"/.exec(response.headers.get('content-disposition') ?? '')?.[1] ?? fallbackName;
  const link = document.createElement('a');
  link.href = URL.createObjectURL(await response.blob());
  link.download = name;
  link.click();
  setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
}
