/**
 * Figure 5: the clients' weight, read from the builds in dist/ (`npm run build`; nothing is built
 * here, so an old or missing build is reported as such):
 *  - gzipped size of the extension's content script, background and popup, and of the PWA's
 *    initial JavaScript (what index.html loads before the app can start);
 *  - the content script's scripting time on a large page that is not a sign-in page, in Chromium
 *    (/usr/bin/chromium through playwright-core): the extension is loaded unpacked with a host
 *    permission for 127.0.0.1 (so its background registers the content script for it, the way a
 *    granted site gets it), and the DevTools trace of each page load is summed over the
 *    EvaluateScript / FunctionCall events of the extension's scripts (compile included), less the
 *    garbage collections V8 ran inside them (the page's: its parse leaves a collection pending, and
 *    whichever script runs first on the page pays it); the same loads also run an empty content
 *    script of a second, bench-made extension, measured the same way: the floor any content script
 *    pays on that page;
 *  - the PWA's cold start: the app is installed once (service worker activated, precache filled)
 *    and given three accounts in IndexedDB; then the browser is started afresh on the same
 *    profile and the app opened: time from navigation start until the account list is in the DOM
 *    and the main thread has come back to take input (a task queued when the list appeared runs).
 */
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import type { BrowserContext } from 'playwright-core';
import type { Report } from '../lib/report';
import { repoDir, startRelayProcess } from '../lib/relayProcess';
import { median } from '../lib/stats';

const chromiumPath = process.env.NOD_CHROMIUM ?? '/usr/bin/chromium';
const chromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const extensionDir = path.join(repoDir, 'dist/extension/chrome-mv3');
const pwaDir = path.join(repoDir, 'dist/pwa');

interface Options {
  runs: number;
  quick: boolean;
  say: (line: string) => void;
}

const gz = (files: string[]) => files.reduce((total, file) => total + gzipSync(fs.readFileSync(file)).length, 0);

/** Scripts an HTML page loads at start: <script src> and <link rel=modulepreload>, resolved under root. */
function htmlScripts(root: string, htmlFile: string, prefix: string): string[] {
  const html = fs.readFileSync(htmlFile, 'utf8');
  const refs = [
    ...[...html.matchAll(/<script[^>]*\ssrc="([^"]+\.js)"/g)].map((m) => m[1]),
    ...[...html.matchAll(/<link[^>]*rel="modulepreload"[^>]*href="([^"]+\.js)"|<link[^>]*href="([^"]+\.js)"[^>]*rel="modulepreload"/g)].map(
      (m) => m[1] ?? m[2],
    ),
  ];
  return [...new Set(refs)].map((ref) => path.join(root, ref.startsWith(prefix) ? ref.slice(prefix.length) : ref.replace(/^\//, '')));
}

/** The modules a script imports statically (relative specifiers), transitively. */
function withImports(files: string[]): string[] {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file) || !fs.existsSync(file)) return;
    seen.add(file);
    const text = fs.readFileSync(file, 'utf8');
    for (const m of text.matchAll(/(?:import|export)\s*(?:[^'"]*?\sfrom\s*)?["'](\.{1,2}\/[^"']+\.js|\/[^"']+\.js)["']/g)) {
      const spec = m[1];
      visit(spec.startsWith('/') ? path.join(extensionDir, spec) : path.resolve(path.dirname(file), spec));
    }
  };
  for (const file of files) visit(file);
  return [...seen];
}

/**
 * Scripts the background injects into a page only when there is something to show on it (the page UI,
 * `nod-page-ui.js`): not loaded with every page, so reported on a row of their own. The timing run checks
 * that what the background registers as the content script is exactly the rest.
 */
const injectedOnDemand = (file: string) => /-ui\.js$/.test(file);

/** The extension's content scripts: manifest content_scripts, else the scripts besides background and pages (WXT's unlisted/runtime-registered ones). */
function contentScripts(manifest: any): string[] {
  const listed: string[] = (manifest.content_scripts ?? []).flatMap((c: { js?: string[] }) => c.js ?? []);
  if (listed.length) return listed.map((f) => path.join(extensionDir, f));
  const background = manifest.background?.service_worker ?? 'background.js';
  const root = fs
    .readdirSync(extensionDir)
    .filter((f) => f.endsWith('.js') && f !== background)
    .map((f) => path.join(extensionDir, f));
  const folder = path.join(extensionDir, 'content-scripts');
  const nested = fs.existsSync(folder)
    ? fs
        .readdirSync(folder)
        .filter((f) => f.endsWith('.js'))
        .map((f) => path.join(folder, f))
    : [];
  return [...root, ...nested];
}

export async function measureClients(report: Report, options: Options): Promise<void> {
  const manifestFile = path.join(extensionDir, 'manifest.json');
  const extensionBuilt = fs.existsSync(manifestFile);
  const pwaBuilt = fs.existsSync(path.join(pwaDir, 'index.html'));
  const details: Record<string, unknown> = {};
  report.details.clients = details;

  if (extensionBuilt) {
    const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8'));
    const unlisted = contentScripts(manifest);
    const content = unlisted.filter((file) => !injectedOnDemand(file));
    const onDemand = unlisted.filter(injectedOnDemand);
    const background = withImports([path.join(extensionDir, manifest.background?.service_worker ?? 'background.js')]);
    const popupHtml = manifest.action?.default_popup ? path.join(extensionDir, manifest.action.default_popup) : undefined;
    const popup = popupHtml && fs.existsSync(popupHtml) ? withImports(htmlScripts(extensionDir, popupHtml, '/')) : [];
    const builtAt = fs.statSync(manifestFile).mtime.toISOString();
    details.extension = { builtAt, content: rel(content), onDemand: rel(onDemand), background: rel(background), popup: rel(popup) };
    if (content.length)
      report.add('5', 'extension content script, gzipped', 'KB', [gz(content) / 1000], { text: '<= 15', test: (m) => m <= 15 });
    else report.skip('5', 'extension content script, gzipped', 'no content script in dist/extension/chrome-mv3', '<= 15');
    if (onDemand.length) report.add('5', 'extension page UI (injected when shown), gzipped', 'KB', [gz(onDemand) / 1000]);
    report.add('5', 'extension background, gzipped', 'KB', [gz(background) / 1000]);
    if (popup.length) report.add('5', 'extension popup JS, gzipped', 'KB', [gz(popup) / 1000]);
    report.note(
      `Figure 5: extension build of ${builtAt} (dist/extension/chrome-mv3): content script ${rel(content).join(' + ')}; ` +
        (onDemand.length ? `page UI injected only when there is something to show ${rel(onDemand).join(' + ')}; ` : '') +
        `background ${rel(background).join(' + ')}; popup ${rel(popup).join(' + ')} (gzip level 6).`,
    );
  } else {
    report.skip('5', 'extension content script, gzipped', 'not built (npm run build)', '<= 15');
    report.skip('5', 'extension background, gzipped', 'not built (npm run build)');
    report.skip('5', 'extension popup JS, gzipped', 'not built (npm run build)');
  }
  if (pwaBuilt) {
    const initial = withImports(htmlScripts(pwaDir, path.join(pwaDir, 'index.html'), '/app/'));
    details.pwa = {
      builtAt: fs.statSync(path.join(pwaDir, 'index.html')).mtime.toISOString(),
      initial: initial.map((f) => path.relative(repoDir, f)),
    };
    report.add('5', 'PWA initial JS, gzipped', 'KB', [gz(initial) / 1000]);
  } else report.skip('5', 'PWA initial JS, gzipped', 'not built (npm run build)');

  if (extensionBuilt) {
    try {
      const result = await contentScriptTime(options);
      details.contentScript = result;
      if (result.loads.length === 0)
        report.skip('5', 'content script scripting time, large page', 'the content script did not run', '<= 1');
      else {
        const med = (pick: (l: ScriptTime) => number) => fmtMs(median(result.loads.map(pick)));
        report.add('5', 'content script scripting time, large page', 'ms', result.perRun, { text: '<= 1', test: (m) => m <= 1 });
        if (result.floorPerRun.length) report.add('5', 'empty content script, same loads (floor)', 'ms', result.floorPerRun);
        report.note(
          `Figure 5: content script on a ${(result.pageBytes / 1e6).toFixed(1)} MB page of ${result.elements} elements (news-like, with a search box, no sign-in form or marker), ` +
            `${result.loads.length} loads in ${options.runs} browser(s); median per load: scripting ${med((l) => l.scripting)} ms, ` +
            `of which compile ${med((l) => l.compile)} ms; garbage collection inside the extension's script events, not counted: ${med((l) => l.gc)} ms ` +
            `(the empty script's: ${fmtMs(median(result.floorLoads.map((l) => l.gc)))} ms; the one that runs first pays it), so the events' whole time was ${med((l) => l.scripting + l.gc)} ms; ` +
            `the empty content script of the same loads: ${fmtMs(median(result.floorLoads.map((l) => l.scripting)))} ms, of which compile ${fmtMs(median(result.floorLoads.map((l) => l.compile)))} ms; ` +
            `first load of each browser ${result.firstLoads.map(fmtMs).join(', ')} ms (not in the figure); ` +
            `registered content script: ${result.registered.join(' + ')}.` +
            (result.topFunctions.length ? ` Sampled CPU in the content script, top: ${result.topFunctions.join('; ')}.` : ''),
        );
      }
    } catch (error) {
      report.skip('5', 'content script scripting time, large page', `failed: ${(error as Error).message.split('\n')[0]}`, '<= 1');
    }
  } else report.skip('5', 'content script scripting time, large page', 'not built (npm run build)', '<= 1');

  if (pwaBuilt) {
    try {
      const result = await pwaColdStart(options);
      details.pwaColdStart = result;
      report.add('5', 'PWA cold start to interactive account list', 'ms', result.interactive, { text: '<= 500', test: (m) => m <= 500 });
      report.note(
        `Figure 5: PWA cold start (fresh browser process on an installed profile, ${result.accounts} accounts in IndexedDB, served by the service worker: ${result.fromServiceWorker}): ` +
          `list in the DOM at ${result.listed.map(fmtMs).join(', ')} ms; interactive at ${result.interactive.map(fmtMs).join(', ')} ms after navigation start.`,
      );
    } catch (error) {
      report.skip('5', 'PWA cold start to interactive account list', `failed: ${(error as Error).message.split('\n')[0]}`, '<= 500');
    }
  } else report.skip('5', 'PWA cold start to interactive account list', 'not built (npm run build)', '<= 500');
}

const rel = (files: string[]) => files.map((f) => path.relative(extensionDir, f));
const fmtMs = (v: number) => (Number.isFinite(v) ? v.toFixed(v < 10 ? 2 : 0) : 'n/a');

async function launch(userDataDir: string, args: string[] = [], extensionPaths: string[] = []): Promise<BrowserContext> {
  const { chromium } = await import('playwright-core');
  const extensions = extensionPaths.join(',');
  return chromium.launchPersistentContext(userDataDir, {
    executablePath: chromiumPath,
    headless: true,
    ...(extensions ? { ignoreDefaultArgs: ['--disable-extensions'] } : {}),
    args: [
      ...chromiumArgs,
      ...(extensions ? [`--disable-extensions-except=${extensions}`, `--load-extension=${extensions}`] : []),
      ...args,
    ],
  });
}

/** A large page that is not a sign-in page: a news front page with a search box. */
function largePage(articles: number): { html: string; elements: number } {
  const parts = [
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>The Daily Example — front page</title></head><body>',
    '<header><nav>',
    ...Array.from({ length: 40 }, (_, i) => `<a href="/section/${i}">Section ${i}</a>`),
    '</nav><form role="search" action="/search"><input type="search" name="q" placeholder="Search the news"><button>Search</button></form></header><main>',
  ];
  for (let i = 0; i < articles; i++) {
    parts.push(
      `<article><h2><a href="/story/${i}">Story ${i}: markets, weather and the week ahead</a></h2><p class="byline">By Reporter ${i % 37} · ${(i % 12) + 1} h ago</p>` +
        `<p>Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore et dolore magna aliqua. ` +
        `Ut enim ad minim veniam, quis nostrud exercitation ullamco laboris nisi ut aliquip ex ea commodo consequat.</p>` +
        `<ul><li><a href="/story/${i}/comments">Comments</a></li><li><a href="/story/${i}/share">Share</a></li></ul></article>`,
    );
  }
  parts.push('</main><footer><p>© The Daily Example</p></footer></body></html>');
  return { html: parts.join('\n'), elements: 50 + articles * 9 };
}

/** One load's time in a content script's events (ms): scripting (compile included, GC not), compile, GC inside them. */
interface ScriptTime {
  scripting: number;
  compile: number;
  gc: number;
}

/**
 * The floor: an extension of the bench's own with an empty content script on the same pages, at the
 * same point of the load (document_idle). Chrome runs it in an isolated world of its own, as ours.
 */
function writeFloorExtension(dir: string): void {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(
    path.join(dir, 'manifest.json'),
    JSON.stringify({
      manifest_version: 3,
      name: 'Nod bench: empty content script',
      version: '1',
      content_scripts: [{ matches: ['http://127.0.0.1/*'], js: ['floor.js'], run_at: 'document_idle' }],
    }),
  );
  fs.writeFileSync(path.join(dir, 'floor.js'), '(function () {})();\n');
}

async function contentScriptTime(options: Options) {
  const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'nod-bench-ext-'));
  const extension = path.join(temp, 'extension');
  fs.cpSync(extensionDir, extension, { recursive: true });
  const manifestFile = path.join(extension, 'manifest.json');
  const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8'));
  // What the person grants at run time for a site (the test builds bake it in the same way).
  manifest.host_permissions = [...new Set([...(manifest.host_permissions ?? []), 'http://127.0.0.1/*'])];
  fs.writeFileSync(manifestFile, JSON.stringify(manifest));
  const floorExtension = path.join(temp, 'floor');
  writeFloorExtension(floorExtension);
  const { html, elements } = largePage(options.quick ? 300 : 3000);
  const server = http.createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    response.end(html);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}/`;
  const loadsPerBrowser = options.quick ? 1 : 6;
  const loads: ScriptTime[] = [];
  const floorLoads: ScriptTime[] = [];
  let registered: string[] = [];
  const firstLoads: number[] = [];
  const perRun: number[] = [];
  const floorPerRun: number[] = [];
  const samples = new Map<string, number>();
  try {
    for (let run = 0; run < (options.quick ? 1 : options.runs); run++) {
      const context = await launch(path.join(temp, `profile-${run}`), [], [extension, floorExtension]);
      try {
        const worker = context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker', { timeout: 10_000 }));
        // (URL.origin is "null" for chrome-extension: URLs.)
        const extensionOrigin = `chrome-extension://${new URL(worker.url()).host}`;
        // The background registers the content script for granted origins when it starts.
        const scripts = await waitForRegistration(worker);
        if (!scripts) throw new Error('the background did not register the content script for the granted origin');
        registered = scripts.map((file) => file.replace(/^\//, ''));
        const runLoads: number[] = [];
        const runFloor: number[] = [];
        for (let load = 0; load < loadsPerBrowser + 1; load++) {
          const { ours: measured, floor } = await traceLoad(context, url, extensionOrigin, load === loadsPerBrowser, samples);
          if (measured.scripting === 0) continue;
          if (load === 0) firstLoads.push(measured.scripting);
          else {
            loads.push(measured);
            runLoads.push(measured.scripting);
            if (floor.scripting > 0) {
              floorLoads.push(floor);
              runFloor.push(floor.scripting);
            }
          }
        }
        if (runLoads.length) perRun.push(median(runLoads));
        if (runFloor.length) floorPerRun.push(median(runFloor));
      } finally {
        await context.close();
      }
    }
  } finally {
    server.close();
    fs.rmSync(temp, { recursive: true, force: true });
  }
  const total = [...samples.values()].reduce((a, b) => a + b, 0);
  const topFunctions = [...samples]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 5)
    .map(([name, micros]) => `${name} ${((100 * micros) / total).toFixed(0)}%`);
  return { pageBytes: Buffer.byteLength(html), elements, loads, firstLoads, perRun, floorLoads, floorPerRun, topFunctions, registered };
}

/** The scripts the background registered as content scripts (none within 10 s: undefined). */
async function waitForRegistration(worker: import('playwright-core').Worker): Promise<string[] | undefined> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    // A string, not a function: tsx's helpers (__name) do not exist in the worker.
    const registered = (await worker
      .evaluate('chrome.scripting.getRegisteredContentScripts().then((list) => list.flatMap((script) => script.js ?? []))')
      .catch(() => [])) as string[];
    if (registered.length > 0) return registered;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return undefined;
}

/**
 * Garbage collections: V8's handling of a collection the heap asked for (finishing a concurrent mark: the
 * full collection and the embedder's — Blink's — part around it; traced under disabled-by-default-v8.gc),
 * and scavenges and full collections.
 */
const gcEvents = new Set(['V8.GCHandleGCRequest', 'MajorGC', 'MinorGC', 'V8.GCScavenger', 'V8.GCFinalizeMC']);

/**
 * The time of `events` (top-level ones only: a compile inside an evaluation is not counted twice), less the
 * garbage collections inside them, which belong to the page (its parse left them pending) rather than to
 * the script that happened to reach V8's next interrupt check first.
 */
function scriptTime(events: any[], all: any[]): ScriptTime {
  const scripts = [...events].sort((a, b) => a.ts - b.ts);
  let total = 0;
  let compile = 0;
  let coveredUntil = -1;
  const tops: any[] = [];
  for (const e of scripts) {
    if (e.name === 'v8.compile') compile += e.dur / 1000;
    if (e.ts >= coveredUntil) {
      total += e.dur / 1000;
      coveredUntil = e.ts + e.dur;
      tops.push(e);
    }
  }
  // GC inside those events on their thread, nested collections counted once.
  const collections = all
    .filter(
      (e) => e.ph === 'X' && gcEvents.has(e.name) && tops.some((t) => t.tid === e.tid && e.ts >= t.ts && e.ts + e.dur <= t.ts + t.dur),
    )
    .sort((a, b) => a.ts - b.ts);
  let gc = 0;
  let gcUntil = -1;
  for (const e of collections) {
    if (e.ts >= gcUntil) {
      gc += e.dur / 1000;
      gcUntil = e.ts + e.dur;
    } else if (e.ts + e.dur > gcUntil) {
      gc += (e.ts + e.dur - gcUntil) / 1000;
      gcUntil = e.ts + e.dur;
    }
  }
  return { scripting: total - gc, compile, gc };
}

/**
 * One page load with a DevTools trace: the top-level script events of our extension's scripts and of the
 * floor extension's empty script (ms), each less the garbage collection inside them.
 */
async function traceLoad(context: BrowserContext, url: string, extensionOrigin: string, profile: boolean, samples: Map<string, number>) {
  const page = await context.newPage();
  try {
    const session = await context.newCDPSession(page);
    const events: any[] = [];
    session.on('Tracing.dataCollected', (event: { value: any[] }) => events.push(...event.value));
    const complete = new Promise((resolve) => session.once('Tracing.tracingComplete', resolve));
    await session.send('Tracing.start', {
      categories: 'devtools.timeline,v8.execute,v8,disabled-by-default-v8.gc,disabled-by-default-devtools.timeline',
      transferMode: 'ReportEvents',
    });
    if (profile) {
      await session.send('Profiler.enable');
      await session.send('Profiler.setSamplingInterval', { interval: 50 });
      await session.send('Profiler.start');
    }
    await page.goto(url, { waitUntil: 'load' });
    // The script runs at document_idle; leave time for it and for what it does afterwards.
    await page.waitForTimeout(700);
    if (profile) {
      const { profile: cpu } = (await session.send('Profiler.stop')) as { profile: any };
      const self = new Map<number, number>();
      cpu.samples.forEach((id: number, i: number) => {
        self.set(id, (self.get(id) ?? 0) + cpu.timeDeltas[i]);
      });
      for (const node of cpu.nodes) {
        if (!String(node.callFrame.url).startsWith(extensionOrigin)) continue;
        const micros = self.get(node.id) ?? 0;
        const name = `${node.callFrame.functionName || '(top level)'} ${node.callFrame.url.slice(extensionOrigin.length)}:${node.callFrame.lineNumber + 1}`;
        samples.set(name, (samples.get(name) ?? 0) + micros);
      }
    }
    await session.send('Tracing.end');
    await complete;
    const scriptEvent = (e: any) => (e.name === 'EvaluateScript' || e.name === 'FunctionCall' || e.name === 'v8.compile') && e.ph === 'X';
    const data = (e: any) => JSON.stringify(e.args?.data ?? {});
    const ours = events.filter((e) => scriptEvent(e) && data(e).includes(extensionOrigin));
    const floor = events.filter(
      (e) => scriptEvent(e) && /chrome-extension:\/\/[a-p]{32}\/floor\.js/.test(data(e)) && !data(e).includes(extensionOrigin),
    );
    return { ours: scriptTime(ours, events), floor: scriptTime(floor, events) };
  } finally {
    await page.close();
  }
}

/** tsx compiles functions with esbuild's keepNames, which calls a __name helper the page does not have. */
const nameShim = 'globalThis.__name ??= (target) => target;';

async function freePort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const port = (probe.address() as net.AddressInfo).port;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

async function pwaColdStart(options: Options) {
  const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'nod-bench-pwa-'));
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const relay = await startRelayProcess({ dataDir: path.join(temp, 'relay'), publicUrl: origin, rpId: '127.0.0.1', port });
  const profile = path.join(temp, 'profile');
  const accounts = 3;
  const listed: number[] = [];
  const interactive: number[] = [];
  let fromServiceWorker = 'unknown';
  const phone = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };
  try {
    // Install: first visit, service worker activated and controlling, accounts stored as the app stores them.
    const first = await launch(profile);
    try {
      const page = first.pages()[0] ?? (await first.newPage());
      await page.goto(`${origin}/app/`, { waitUntil: 'load' });
      await page.evaluate(async () => {
        await navigator.serviceWorker.ready;
      });
      await page.reload({ waitUntil: 'load' });
      await page.evaluate(nameShim);
      await page.evaluate(seedAccounts, { origin, count: accounts });
    } finally {
      await first.close();
    }
    for (let run = 0; run < (options.quick ? 1 : options.runs); run++) {
      const { chromium } = await import('playwright-core');
      const context = await chromium.launchPersistentContext(profile, {
        executablePath: chromiumPath,
        headless: true,
        args: chromiumArgs,
        ...phone,
      });
      try {
        const page = context.pages()[0] ?? (await context.newPage());
        await page.addInitScript(nameShim);
        await page.addInitScript((expected: number) => {
          const found = () => document.querySelectorAll('.account-link, [aria-label^="Account "]').length >= expected;
          const done = (at: number) => {
            (window as any).__nodListed = at;
            // Interactive: a task queued now runs once the main thread is free to take input.
            const channel = new MessageChannel();
            channel.port1.onmessage = () => {
              (window as any).__nodInteractive = performance.now();
            };
            channel.port2.postMessage(0);
          };
          const observer = new MutationObserver(() => {
            if (found()) {
              observer.disconnect();
              done(performance.now());
            }
          });
          observer.observe(document, { childList: true, subtree: true });
        }, accounts);
        await page.goto(`${origin}/app/`, { waitUntil: 'commit' });
        await page.waitForFunction(() => (window as any).__nodInteractive !== undefined, undefined, { timeout: 15_000 });
        const timing = await page.evaluate(() => ({
          listed: (window as any).__nodListed as number,
          interactive: (window as any).__nodInteractive as number,
          worker: (performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming | undefined)?.workerStart ?? 0,
        }));
        listed.push(timing.listed);
        interactive.push(timing.interactive);
        fromServiceWorker = timing.worker > 0 ? 'yes' : 'no';
      } finally {
        await context.close();
      }
    }
  } finally {
    await relay.stop();
    fs.rmSync(temp, { recursive: true, force: true });
  }
  return { accounts, listed, interactive, fromServiceWorker };
}

/** Runs in the app's page: store accounts the way pwa/src/store/accountStore.ts does (IndexedDB "nod", store "accounts"). */
async function seedAccounts({ origin, count }: { origin: string; count: number }): Promise<void> {
  const db: IDBDatabase = await new Promise((resolve, reject) => {
    const open = indexedDB.open('nod');
    open.onsuccess = () => resolve(open.result);
    open.onerror = () => reject(open.error);
  });
  if (!db.objectStoreNames.contains('accounts')) throw new Error('the app did not create its accounts store');
  const random = (bytes: number) => btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(bytes)))).replace(/[+/=]/g, 'A');
  const tenants = [
    ['contoso', 'Contoso'],
    ['wingtiptoys', 'Wingtip Toys'],
  ];
  for (let i = 0; i < count; i++) {
    const [tenant, tenantDisplayName] = tenants[i % tenants.length];
    const pair = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify'])) as CryptoKeyPair;
    const jwk = await crypto.subtle.exportKey('jwk', pair.publicKey);
    const account = {
      registrationId: random(16),
      relayUrl: origin,
      tenant,
      tenantDisplayName,
      username: `user${i}@${tenant}.example`,
      displayName: `User ${i}`,
      deviceId: random(16),
      credentialId: random(32),
      deviceKey: pair.privateKey,
      devicePublicJwk: { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y },
      totpSecret: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP',
      phoneSignInEnabled: true,
      pushState: 'none',
      addedAt: Date.now(),
    };
    await new Promise<void>((resolve, reject) => {
      const tx = db.transaction('accounts', 'readwrite');
      tx.objectStore('accounts').put(account);
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error);
    });
  }
  db.close();
}
