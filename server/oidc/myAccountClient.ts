/** Client ids the relay keeps for itself; admins cannot register clients under this prefix. */
export const builtInClientPrefix = 'nod-';

/** My Sign-ins signs its users in through the tenant's own provider, as a client like any other. */
export const mySignInsClientId = 'nod-my-sign-ins';

export const mySignInsPaths = (tenantName: string) => ({
  page: `/t/${tenantName}/my-sign-ins`,
  callback: `/t/${tenantName}/my-sign-ins/callback`,
});

/** The built-in, public (PKCE) client of My Sign-ins in one tenant. */
export function mySignInsClient(publicUrl: string, tenantName: string) {
  const paths = mySignInsPaths(tenantName);
  return {
    client_id: mySignInsClientId,
    client_name: 'My Sign-ins',
    application_type: 'web' as const,
    redirect_uris: [`${publicUrl}${paths.callback}`],
    post_logout_redirect_uris: [`${publicUrl}${paths.page}`],
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'none' as const,
    id_token_signed_response_alg: 'ES256',
  };
}
