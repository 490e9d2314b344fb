import {
  formatSignInPageMarker,
  type SignInPageMarker,
  signInPageMarkerName,
  signInPageMarkerVersion,
} from '../../shared/schemas/extensionMessages';

/**
 * Keep the page's machine-readable marker (for the Nod extension) current: tenant, step, the
 * request shown. Never the number or the collector secret.
 */
export function setMarker(marker: Omit<SignInPageMarker, 'v'>): void {
  let meta = document.querySelector<HTMLMetaElement>(`meta[name="${signInPageMarkerName}"]`);
  if (!meta) {
    meta = document.createElement('meta');
    meta.name = signInPageMarkerName;
    document.head.appendChild(meta);
  }
  meta.content = formatSignInPageMarker({ v: signInPageMarkerVersion, ...marker });
}
