import type { PageObservation } from '../../../shared/extensionMessages';
import {
  identityProviderDeclarationName,
  parseSignInPageMarker,
  signInPageMarkerName,
} from '../../../shared/schemas/signInPageMarker';
import { hostedPagePhrases } from './assessPage';

/** Words of the hosted page's title and heading (issue 4 follows the seed: "Sign in", "Approve sign in request"). */
const hostedTitle = /\b(nod|authenticator)\b.*\bsign[ -]?in\b|\bsign[ -]?in\b.*\b(nod|authenticator)\b|approve sign[ -]?in request/i;

/**
 * What the content script reports about a page: its marker, how much it looks like the hosted sign-in
 * page, and an identity-provider declaration. Reads the DOM only; the background decides.
 */
export function observePage(doc: Document): PageObservation {
  const markerElement = doc.querySelector(`meta[name="${signInPageMarkerName}"]`);
  const marker = parseSignInPageMarker(markerElement?.getAttribute('content')) ?? null;

  const heading = doc.querySelector('h1')?.textContent ?? '';
  const text = (doc.body?.textContent ?? '').replace(/\s+/g, ' ').slice(0, 50_000);
  const lowerText = text.toLowerCase();
  const phrases = hostedPagePhrases.filter((phrase) => lowerText.includes(phrase.toLowerCase())).length;
  const signInForm =
    doc.querySelector('input[type="password"], input[autocomplete~="username"], input[name="username"], input[type="email"]') !== null;
  // Names the title or heading gives ("Sign in to Contoso", "Contoso · Sign in"): the background
  // matches them against the tenants' display names.
  const fragments = [doc.title, heading].flatMap((s) => s.split(/[|·\-–—:]/)).map((s) => s.trim());
  const named = fragments.map((s) => /^sign[ -]?in to (.+)$/i.exec(s)?.[1]?.trim()).filter((s): s is string => Boolean(s));
  const mentions = [...new Set([...named, ...fragments])].filter((s) => s.length > 1 && s.length <= 100).slice(0, 10);

  return {
    marker,
    imitation: {
      title: hostedTitle.test(doc.title) || hostedTitle.test(heading),
      phrases: Math.min(phrases, 10),
      signInForm,
      mentions,
    },
    identityProvider: identityProviderOf(doc),
  };
}

function identityProviderOf(doc: Document): PageObservation['identityProvider'] {
  const meta = doc.querySelector(`meta[name="${identityProviderDeclarationName}"]`)?.getAttribute('content');
  if (meta) {
    const [issuer, loginUrl] = meta.trim().split(/\s+/);
    if (issuer && loginUrl) return { issuer: issuer.slice(0, 500), loginUrl: loginUrl.slice(0, 2000) };
  }
  const link = doc.querySelector(`link[rel~="${identityProviderDeclarationName}"]`);
  const issuer = link?.getAttribute('href');
  const loginUrl = link?.getAttribute('data-login-url');
  if (issuer && loginUrl) return { issuer: issuer.slice(0, 500), loginUrl: loginUrl.slice(0, 2000) };
  return null;
}
