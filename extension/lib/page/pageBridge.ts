import type { PageSignInView, PageVerdict } from '../../../shared/schemas/extensionMessages';

/**
 * How the content script (nod-page.js, on every allowed page) meets the scripts the background injects
 * into the same page later: the page UI (nod-page-ui.js) and the request to report the page. They all run
 * in the extension's isolated world of the same frame, so the meeting point is that world's global object:
 * the page cannot see it or call it.
 */
interface IsolatedWorld {
  __nodPageUiBridge?: PageUiBridge;
  __nodPageReport?: () => void;
  __nodReportWanted?: boolean;
}
const world = globalThis as IsolatedWorld;

export interface PageUiState {
  /** The background's judgement of the page. */
  verdict?: PageVerdict;
  /** The brokered sign-in in this tab, for the panel (never its number: the panel's frame shows that). */
  view: PageSignInView | null;
  /** The height of what the panel's frame shows, as the frame reported it. */
  panelHeight?: number;
}

/** What the UI script draws with. */
export interface PageUiDrawer {
  /** Draw `state`; `newView` when the background sent a new sign-in view (a new request shows the panel again). */
  draw(state: PageUiState, newView: boolean): void;
  /** Take the UI off the page (the extension was updated or removed). */
  remove(): void;
}

/** What the content script offers the UI script. */
export interface PageUiBridge {
  /** Draw the current state with `ui` now and on every change. Only the first UI counts. */
  attach(ui: PageUiDrawer): void;
  /** The UI framed the sign-in panel with this key in the frame's URL. */
  panelFramed(key: string): void;
  /** The person closed the panel (×) while the sign-in waits: cancel it. */
  cancel(): void;
}

export const findPageUiBridge = (): PageUiBridge | undefined => world.__nodPageUiBridge;

export function exposePageUiBridge(bridge: PageUiBridge): void {
  world.__nodPageUiBridge = bridge;
}

/**
 * The background wants this page reported even if it looks like nothing (its tab has a sign-in, and the
 * background must learn whether the tab is still on the page the sign-in is for).
 */
export const reportWanted = (): boolean => world.__nodReportWanted === true;

export function exposePageReport(report: () => void): void {
  world.__nodPageReport = report;
}

/**
 * Run by the background with scripting.executeScript (`func`, so self-contained): ask the content script
 * to report its page. Before the content script has run, the flag makes it report when it does.
 */
export function requestPageReport(): void {
  const isolated = globalThis as { __nodPageReport?: () => void; __nodReportWanted?: boolean };
  isolated.__nodReportWanted = true;
  isolated.__nodPageReport?.();
}
