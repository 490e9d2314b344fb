import { builtInClient } from './builtInSignIn';

/** Client ids the relay keeps for itself; admins cannot register clients under this prefix. */
export const builtInClientPrefix = 'nod-';

/** My Sign-ins signs its users in through the tenant's own provider, as a client like any other. */
export const mySignInsClientId = 'nod-my-sign-ins';
export const mySignInsClientName = 'My Sign-ins';

export const mySignInsPaths = (tenantName: string) => ({
  page: `/t/${tenantName}/my-sign-ins`,
  callback: `/t/${tenantName}/my-sign-ins/callback`,
});

/** The built-in, public (PKCE) client of My Sign-ins in one tenant. */
export function mySignInsClient(publicUrl: string, tenantName: string) {
  const paths = mySignInsPaths(tenantName);
  return builtInClient({
    clientId: mySignInsClientId,
    name: mySignInsClientName,
    redirectUri: `${publicUrl}${paths.callback}`,
    postLogoutRedirectUri: `${publicUrl}${paths.page}`,
  });
}
