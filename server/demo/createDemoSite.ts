import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as oidc from 'openid-client';

export interface DemoSiteOptions {
  /** The tenant's issuer, e.g. http://localhost:8700/t/contoso. */
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Where the site listens. */
  port: number;
  host?: string;
  /** The site's own public URL (its redirect URI is `${publicUrl}/callback`). Defaults to http://localhost:PORT. */
  publicUrl?: string;
}

export interface DemoSite {
  url: string;
  close(): Promise<void>;
}

interface Session {
  pending?: { verifier: string; nonce: string; state: string; at: number };
  user?: { claims: Record<string, unknown>; idToken: string };
}

const sessionCookie = 'contoso_portal_session';
const sessionLifetimeMs = 8 * 60 * 60_000;

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const css = `
:root{color-scheme:light dark;--bg:#f5f5f5;--card:#fff;--text:#1b1b1b;--muted:#5c5c5c;--accent:#6b2c91;--accent-text:#fff;--line:#ddd}
@media (prefers-color-scheme:dark){:root{--bg:#121212;--card:#1e1e1e;--text:#f3f3f3;--muted:#c8c8c8;--accent:#c08be0;--accent-text:#111;--line:#3a3a3a}}
*{box-sizing:border-box}body{margin:0;font-family:"Segoe UI",system-ui,sans-serif;background:var(--bg);color:var(--text);line-height:1.45}
header{background:var(--accent);color:var(--accent-text);padding:14px 20px;font-weight:600;font-size:1.1rem}
main{max-width:720px;margin:24px auto;background:var(--card);padding:28px;box-shadow:0 1px 4px rgba(0,0,0,.2)}
@media (max-width:480px){main{margin:0;box-shadow:none;padding:20px}}
h1{font-size:1.5rem;margin:0 0 12px}.muted{color:var(--muted)}
.button{display:inline-block;font:inherit;background:var(--accent);color:var(--accent-text);border:none;padding:8px 18px;text-decoration:none;cursor:pointer;min-height:36px}
table{border-collapse:collapse;width:100%;margin:16px 0}th,td{text-align:left;padding:6px 8px;border-bottom:1px solid var(--line);vertical-align:top;overflow-wrap:anywhere}
th{width:35%;color:var(--muted);font-weight:600}
a:focus-visible,.button:focus-visible{outline:2px solid var(--text);outline-offset:2px}
`;

/**
 * "Contoso Portal": a small website that signs its users in with Nod through standard OpenID
 * Connect and a stock client library (openid-client): discovery, authorization code with PKCE,
 * nonce and state, the claims of the ID token, and sign-out through RP-initiated logout.
 * No Nod code is involved on this side.
 */
export async function startDemoSite(options: DemoSiteOptions): Promise<DemoSite> {
  const host = options.host ?? '127.0.0.1';
  const sessions = new Map<string, Session & { expiresAt: number }>();
  let publicUrl = options.publicUrl ?? '';
  let configuration: Promise<oidc.Configuration> | undefined;
  const issuer = new URL(options.issuer);

  const config = () => {
    configuration ??= oidc
      .discovery(issuer, options.clientId, undefined, oidc.ClientSecretBasic(options.clientSecret), {
        // Plain http is for a developer's own machine only.
        execute: issuer.protocol === 'http:' ? [oidc.allowInsecureRequests] : [],
      })
      .catch((error) => {
        configuration = undefined;
        throw error;
      });
    return configuration;
  };

  const page = (title: string, body: string, head = '') => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title><link rel="stylesheet" href="/style.css">${head}</head>
<body><header>Contoso Portal</header><main>${body}</main></body></html>`;

  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', publicUrl);
    const send = (status: number, html: string) => {
      res.writeHead(status, {
        'content-type': 'text/html; charset=utf-8',
        'content-security-policy': `default-src 'none'; style-src 'self'; form-action 'self' ${issuer.origin}; frame-ancestors 'none'; base-uri 'none'`,
        'cache-control': 'no-store',
        'x-content-type-options': 'nosniff',
      });
      res.end(html);
    };
    const redirect = (location: string) => {
      res.writeHead(303, { location, 'cache-control': 'no-store' });
      res.end();
    };
    const cookies = new Map(
      (req.headers.cookie ?? '').split(';').map((part) => {
        const at = part.indexOf('=');
        return [part.slice(0, at).trim(), part.slice(at + 1).trim()] as const;
      }),
    );
    let sessionId = cookies.get(sessionCookie);
    let session = sessionId ? sessions.get(sessionId) : undefined;
    if (session && session.expiresAt < Date.now()) {
      sessions.delete(sessionId!);
      session = undefined;
    }
    const ensureSession = () => {
      if (session) return session;
      sessionId = randomBytes(24).toString('base64url');
      session = { expiresAt: Date.now() + sessionLifetimeMs };
      sessions.set(sessionId, session);
      res.setHeader(
        'set-cookie',
        `${sessionCookie}=${sessionId}; Path=/; HttpOnly; SameSite=Lax${publicUrl.startsWith('https:') ? '; Secure' : ''}`,
      );
      return session;
    };

    try {
      if (url.pathname === '/favicon.ico') {
        res.writeHead(204, { 'cache-control': 'max-age=86400' });
        res.end();
        return;
      }
      if (url.pathname === '/style.css') {
        res.writeHead(200, { 'content-type': 'text/css; charset=utf-8', 'cache-control': 'no-cache' });
        res.end(css);
        return;
      }
      if (url.pathname === '/' && req.method === 'GET') {
        const user = session?.user;
        if (!user) {
          send(
            200,
            page(
              'Contoso Portal',
              `<h1>Welcome to Contoso Portal</h1><p>Sign in with your work or school account to see your account details.</p>
<p><a class="button" href="/login">Sign in</a></p>`,
              // Tells the Nod extension this site signs its users in with Nod (one-click offer).
              `<meta name="nod-identity-provider" content="${escapeHtml(`${options.issuer} ${publicUrl}/login`)}">`,
            ),
          );
          return;
        }
        const claims = user.claims;
        const rows = Object.entries(claims)
          .map(
            ([key, value]) =>
              `<tr><th scope="row">${escapeHtml(key)}</th><td>${escapeHtml(typeof value === 'string' ? value : JSON.stringify(value))}</td></tr>`,
          )
          .join('');
        send(
          200,
          page(
            'Contoso Portal',
            `<h1>Hello, ${escapeHtml(String(claims.name ?? claims.preferred_username ?? 'there'))}</h1>
<p class="muted">You are signed in to Contoso Portal as ${escapeHtml(String(claims.preferred_username ?? claims.sub))}.</p>
<h2>Your ID token claims</h2><table aria-label="ID token claims"><tbody>${rows}</tbody></table>
<form method="post" action="/logout"><button class="button" type="submit">Sign out</button></form>`,
          ),
        );
        return;
      }
      if (url.pathname === '/login' && req.method === 'GET') {
        const s = ensureSession();
        const verifier = oidc.randomPKCECodeVerifier();
        s.pending = { verifier, nonce: oidc.randomNonce(), state: oidc.randomState(), at: Date.now() };
        const target = oidc.buildAuthorizationUrl(await config(), {
          redirect_uri: `${publicUrl}/callback`,
          scope: 'openid profile',
          code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
          code_challenge_method: 'S256',
          nonce: s.pending.nonce,
          state: s.pending.state,
        });
        redirect(target.href);
        return;
      }
      if (url.pathname === '/callback' && req.method === 'GET') {
        const pending = session?.pending;
        if (!session || !pending) {
          send(
            400,
            page('Sign-in failed', `<h1>Sign-in failed</h1><p>The sign-in did not start here. <a href="/login">Try again</a>.</p>`),
          );
          return;
        }
        session.pending = undefined;
        if (url.searchParams.get('error')) {
          send(
            400,
            page(
              'Sign-in failed',
              `<h1>You're not signed in</h1><p>${escapeHtml(url.searchParams.get('error_description') ?? url.searchParams.get('error') ?? '')}</p><p><a class="button" href="/login">Try again</a></p>`,
            ),
          );
          return;
        }
        const tokens = await oidc.authorizationCodeGrant(await config(), url, {
          pkceCodeVerifier: pending.verifier,
          expectedNonce: pending.nonce,
          expectedState: pending.state,
          idTokenExpected: true,
        });
        session.user = { claims: { ...tokens.claims() }, idToken: tokens.id_token! };
        redirect('/');
        return;
      }
      if (url.pathname === '/logout' && req.method === 'POST') {
        const idToken = session?.user?.idToken;
        if (sessionId) sessions.delete(sessionId);
        res.setHeader('set-cookie', `${sessionCookie}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0`);
        if (!idToken) {
          redirect('/');
          return;
        }
        redirect(oidc.buildEndSessionUrl(await config(), { id_token_hint: idToken, post_logout_redirect_uri: `${publicUrl}/` }).href);
        return;
      }
      send(404, page('Not found', '<h1>Not found</h1><p><a href="/">Contoso Portal</a></p>'));
    } catch (error) {
      send(
        502,
        page(
          'Sign-in failed',
          `<h1>Sign-in failed</h1><p>${escapeHtml((error as Error).message)}</p><p><a class="button" href="/login">Try again</a></p>`,
        ),
      );
    }
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  if (!publicUrl) publicUrl = `http://localhost:${port}`;
  return {
    url: publicUrl,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
