import { useEffect, useRef, useState } from 'preact/hooks';
import { browser } from 'wxt/browser';
import {
  type MessageOn,
  type Payload,
  type SignInView,
  message,
  panelPortName,
  parseMessage,
} from '../../../shared/schemas/extensionMessages';
import { SignInCard } from './SignInCard';

type Port = ReturnType<typeof browser.runtime.connect>;

/**
 * The sign-in panel's content, in a frame on the extension's origin inside the sign-in page: the
 * verified site, the number to type on the phone, the countdown, the outcome and its buttons. It gets
 * the sign-in from the background over its own port (the background shows it only on the genuine page
 * the sign-in is for), so the number never passes through the page or its content script; and it says
 * how tall it is, so the page UI can size the frame.
 */
export function PanelFrameApp() {
  const [view, setView] = useState<SignInView | null>(null);
  const port = useRef<Port>();
  const height = useRef<number>();

  const send = <K extends MessageOn<'panelFrame'>>(type: K, payload: Payload<K>) => {
    try {
      port.current?.postMessage(message(type, payload));
    } catch {
      // The port closed; the reconnect says it again where it matters (the height).
    }
  };

  useEffect(() => {
    let stopped = false;
    let reconnects = 0;
    const connect = () => {
      const opened = browser.runtime.connect({ name: panelPortName });
      port.current = opened;
      opened.onMessage.addListener((raw: unknown) => {
        const received = parseMessage('toPanelFrame', raw);
        if (received) setView(received.payload.view);
      });
      // The background stopped (Chrome may stop it at any time): reconnecting wakes it, and it resumes.
      opened.onDisconnect.addListener(() => {
        if (port.current === opened) port.current = undefined;
        if (!stopped && reconnects++ < 1000) setTimeout(connect, reconnects < 5 ? 50 : 1000);
      });
      if (height.current !== undefined) send('panel:resized', { height: height.current });
    };
    connect();
    const content = document.getElementById('app');
    const observer = new ResizeObserver(() => {
      const next = Math.min(2000, Math.ceil(content?.getBoundingClientRect().height ?? 0));
      if (next === height.current) return;
      height.current = next;
      send('panel:resized', { height: next });
    });
    if (content) observer.observe(content);
    return () => {
      stopped = true;
      observer.disconnect();
      port.current?.disconnect();
    };
  }, []);

  if (!view) return null;
  return <SignInCard view={view} onRetry={() => send('panel:retry', {})} onCancel={() => send('panel:cancel', {})} />;
}
