import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BuiltAssets, builtAssets } from './builtAssets';

/** Where `npm run build:hosted` writes the hosted pages' bundles (the browser app in hosted/). */
export const pagesDist = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../dist/hosted');

/**
 * The Content-Security-Policy of every page the relay renders: scripts and styles only from the
 * relay itself (no inline script, no third party), images from the relay or data: (QR codes),
 * fetches to the relay only, never framed.
 */
export const pageCsp = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

/** Security headers that go with `pageCsp`. */
export const pageHeaders: Record<string, string> = {
  'content-security-policy': pageCsp,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cache-control': 'no-store',
};

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** JSON that is safe inside a `<script type="application/json">` element. */
function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026');
}

/** The hosted pages' entries (hosted/entries). */
export type PageEntry = 'signIn' | 'mySignIns' | 'findOrganization' | 'plain';

/** The built script and styles of one page entry, as URLs under /pages/. */
function pageAssets(entry: PageEntry): BuiltAssets | undefined {
  return builtAssets(pagesDist, '/pages/', (key) => key.endsWith(`entries/${entry}.tsx`) || key.endsWith(`entries/${entry}.ts`));
}

/**
 * One HTML page: a title, the machine-readable boot data for the script (never executed), the
 * built script and styles, and a plain fallback for when the bundles were not built.
 */
export function htmlShell(options: {
  title: string;
  entry: PageEntry;
  boot?: unknown;
  /** Server-rendered content shown before (or without) the script. */
  body?: string;
  /** Extra elements for <head> (e.g. the extension marker). */
  head?: string;
}): string {
  const assets = pageAssets(options.entry);
  const fallback = assets
    ? ''
    : '<p class="notice">The sign-in pages were not built. Run <code>npm run build:hosted</code> and reload.</p>';
  return htmlDocument({
    title: options.title,
    head: options.head,
    styles: assets?.styles ?? [],
    body: `${options.body ?? ''}${fallback}`,
    boot: options.boot,
    // Plain pages (logout, errors) run no script at all.
    scripts: options.entry === 'plain' ? [] : (assets?.scripts ?? []),
  });
}

/** The HTML of every page the relay renders (hosted pages, admin center): boot data in JSON, never executed. */
export function htmlDocument(options: {
  title: string;
  head?: string;
  styles: string[];
  body: string;
  boot?: unknown;
  scripts: string[];
}): string {
  const styles = options.styles.map((href) => `<link rel="stylesheet" href="${escapeHtml(href)}">`).join('');
  const scripts = options.scripts.map((src) => `<script type="module" src="${escapeHtml(src)}"></script>`).join('');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta name="referrer" content="no-referrer">
<link rel="icon" href="data:,">
<title>${escapeHtml(options.title)}</title>
${options.head ?? ''}${styles}
</head>
<body>
<div id="app">${options.body}</div>
${options.boot === undefined ? '' : `<script type="application/json" id="nod-boot">${jsonForScript(options.boot)}</script>`}
${scripts}
</body>
</html>`;
}
