import { useEffect, useState } from 'preact/hooks';

/** The app routes with the URL fragment (`#/approve/<registration>/<request>`): one precached page. */
export interface Route {
  path: string[];
  query: URLSearchParams;
}

function parseHash(hash: string): Route {
  const value = hash.replace(/^#/, '');
  const [pathPart, queryPart = ''] = value.split('?', 2);
  const path = pathPart
    .split('/')
    .filter(Boolean)
    .map((segment) => {
      try {
        return decodeURIComponent(segment);
      } catch {
        return segment;
      }
    });
  return { path, query: new URLSearchParams(queryPart) };
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseHash(location.hash));
  useEffect(() => {
    const update = () => setRoute(parseHash(location.hash));
    window.addEventListener('hashchange', update);
    return () => window.removeEventListener('hashchange', update);
  }, []);
  return route;
}

export function navigate(hash: string): void {
  if (location.hash !== hash) location.hash = hash;
}

export const routes = {
  home: '#/',
  add: '#/add',
  addWork: '#/add/work',
  signIn: '#/add/work/sign-in',
  link: '#/add/work/link',
  account: (registrationId: string) => `#/account/${encodeURIComponent(registrationId)}`,
  approve: (registrationId: string, requestId: string) =>
    `#/approve/${encodeURIComponent(registrationId)}/${encodeURIComponent(requestId)}`,
};
