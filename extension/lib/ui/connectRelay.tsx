import { useState } from 'preact/hooks';
import { browser } from 'wxt/browser';
import { normaliseRelayUrl, originPattern } from '../relays/normaliseRelayUrl';
import { askBackground } from './askBackground';
import { siteLabel } from './format';

const withPort = import.meta.env.BROWSER !== 'firefox';

/** Where adding an organization's Nod address stands, in words people read (a `status` or an `alert`). */
export type ConnectStep =
  | { kind: 'idle' }
  | { kind: 'asking'; origin: string }
  | { kind: 'connecting'; origin: string }
  | { kind: 'added'; origin: string }
  | { kind: 'failed'; message: string };

export function connectWords(step: ConnectStep): string {
  switch (step.kind) {
    case 'idle':
      return '';
    case 'asking':
      return `Allow Nod to reach ${siteLabel(step.origin)} in your browser’s prompt…`;
    case 'connecting':
      return `Connecting to ${siteLabel(step.origin)}…`;
    case 'added':
      return `Connected to ${siteLabel(step.origin)}.`;
    case 'failed':
      return step.message;
  }
}

/**
 * Add an organization's Nod address: normalise it (`https://` added), ask for the permission to reach
 * that one origin (in the click: browsers require it), then let the background read it and register
 * this browser. Every step shows, so the person is never left wondering while the prompt is open.
 */
export function useConnectRelay(onDone: () => Promise<void> | void): { step: ConnectStep; connect: (input: string) => Promise<boolean> } {
  const [step, setStep] = useState<ConnectStep>({ kind: 'idle' });
  const connect = async (input: string): Promise<boolean> => {
    let origin: string;
    try {
      origin = normaliseRelayUrl(input);
    } catch (problem) {
      setStep({ kind: 'failed', message: problem instanceof Error ? problem.message : String(problem) });
      return false;
    }
    setStep({ kind: 'asking', origin });
    let granted = false;
    try {
      granted = await browser.permissions.request({ origins: [originPattern(origin, withPort)] });
    } catch (problem) {
      setStep({ kind: 'failed', message: problem instanceof Error ? problem.message : String(problem) });
      return false;
    }
    if (!granted) {
      setStep({ kind: 'failed', message: `Nod needs your permission to reach ${siteLabel(origin)}. Try again and choose Allow.` });
      return false;
    }
    setStep({ kind: 'connecting', origin });
    try {
      const result = await askBackground('ui:addRelay', { url: origin });
      setStep(result.ok ? { kind: 'added', origin } : { kind: 'failed', message: result.error });
      return result.ok;
    } catch (problem) {
      setStep({ kind: 'failed', message: problem instanceof Error ? problem.message : String(problem) });
      return false;
    } finally {
      await onDone();
    }
  };
  return { step, connect };
}

/** The step, as a status line (progress, success) or an alert (a failure). */
export function ConnectProgress({ step }: { step: ConnectStep }) {
  if (step.kind === 'idle') return null;
  if (step.kind === 'failed') {
    return (
      <p class="error" role="alert">
        {connectWords(step)}
      </p>
    );
  }
  return (
    <p class={step.kind === 'added' ? 'ok' : 'muted'} role="status">
      {connectWords(step)}
    </p>
  );
}
