import type { Envelope, MessageOn } from '../../../shared/schemas/extensionMessages';
import type { Port } from './connectedPages';

interface PanelFrame {
  port: Port;
  key: string;
}

/**
 * The sign-in panel's frames (extension pages framed inside a tab's page) by tab, each with the key in
 * its URL. Only a frame whose key the tab's page UI announced is ever shown a sign-in.
 */
export class PanelFrames {
  private readonly byTab = new Map<number, Set<PanelFrame>>();

  /** A panel frame connected (its sender already checked). */
  connect(tabId: number, key: string, port: Port): void {
    const frame = { port, key };
    const frames = this.byTab.get(tabId) ?? new Set<PanelFrame>();
    frames.add(frame);
    this.byTab.set(tabId, frames);
    port.onDisconnect.addListener(() => {
      frames.delete(frame);
      if (frames.size === 0 && this.byTab.get(tabId) === frames) this.byTab.delete(tabId);
    });
  }

  /** Post to the tab's panel frames that carry `key`. */
  post(tabId: number, key: string | undefined, envelope: Envelope<MessageOn<'toPanelFrame'>>): void {
    if (!key) return;
    for (const frame of this.byTab.get(tabId) ?? []) {
      if (frame.key !== key) continue;
      try {
        frame.port.postMessage(envelope);
      } catch {
        // The frame went away; its disconnect removes it.
      }
    }
  }

  forget(tabId: number): void {
    this.byTab.delete(tabId);
  }
}
