/** The admin center signs its admins in through the tenant's own provider, as a client like My Sign-ins. */
export const adminCenterClientId = 'nod-admin-center';

export const adminCenterPaths = {
  page: '/admin/',
  signIn: '/admin/sign-in',
  callback: '/admin/callback',
  signOut: '/admin/sign-out',
  api: '/admin/center/api',
};

/** The built-in, public (PKCE) client of the admin center in every tenant. */
export function adminCenterClient(publicUrl: string) {
  return {
    client_id: adminCenterClientId,
    client_name: 'Nod admin center',
    application_type: 'web' as const,
    redirect_uris: [`${publicUrl}${adminCenterPaths.callback}`],
    post_logout_redirect_uris: [`${publicUrl}${adminCenterPaths.page}`],
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'none' as const,
    id_token_signed_response_alg: 'ES256',
  };
}
