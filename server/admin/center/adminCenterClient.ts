import { builtInClient } from '../../oidc/builtInSignIn';

/** The admin center signs its admins in through the tenant's own provider, as a client like My Sign-ins. */
export const adminCenterClientId = 'nod-admin-center';
export const adminCenterClientName = 'Nod admin center';

export const adminCenterPaths = {
  page: '/admin/',
  signIn: '/admin/sign-in',
  callback: '/admin/callback',
  signOut: '/admin/sign-out',
  api: '/admin/center/api',
};

/** The built-in, public (PKCE) client of the admin center in every tenant. */
export function adminCenterClient(publicUrl: string) {
  return builtInClient({
    clientId: adminCenterClientId,
    name: adminCenterClientName,
    redirectUri: `${publicUrl}${adminCenterPaths.callback}`,
    postLogoutRedirectUri: `${publicUrl}${adminCenterPaths.page}`,
  });
}
