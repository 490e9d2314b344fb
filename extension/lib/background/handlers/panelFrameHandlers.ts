import type { HandlerMap } from '../../messaging/handlerMap';
import type { FromPanelFrame } from './senders';
import { onPanelCancel } from './panelFrame/onPanelCancel';
import { onPanelResized } from './panelFrame/onPanelResized';
import { onPanelRetry } from './panelFrame/onPanelRetry';

/** What the background does with each message of a panel frame (ours, but framed by a page that may not be). */
export const panelFrameHandlers: HandlerMap<'panelFrame', FromPanelFrame> = {
  'panel:retry': onPanelRetry,
  'panel:cancel': onPanelCancel,
  'panel:resized': onPanelResized,
};
