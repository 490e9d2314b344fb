import { useState } from 'preact/hooks';
import { describeError } from './api';

export interface Status {
  ok: boolean;
  text: string;
}

/**
 * An admin action with its outcome: `act(work)` runs the work, shows what it returns (or what went
 * wrong, as an alert) and then reloads the page's data.
 */
export function useAction(reload: () => Promise<unknown> | undefined) {
  const [status, setStatus] = useState<Status | undefined>();
  const act = async (work: () => Promise<string>) => {
    setStatus(undefined);
    try {
      setStatus({ ok: true, text: await work() });
      await reload();
    } catch (e) {
      setStatus({ ok: false, text: describeError(e) });
    }
  };
  return { status, setStatus, act };
}

/** The outcome of the last action: a status line, or an alert when it failed. */
export function StatusLine({ status }: { status?: Status }) {
  return (
    <div role={status?.ok === false ? 'alert' : 'status'} class={status ? (status.ok ? 'ok' : 'error') : undefined}>
      {status?.text}
    </div>
  );
}

/** A secret shown once (a pass, a client secret): read-only, selectable, with a copy button. */
export function SecretField({ label, copyName, value }: { label: string; copyName: string; value: string }) {
  const [copied, setCopied] = useState<boolean | undefined>();
  return (
    <p>
      <input class="secret" type="text" readOnly aria-label={label} value={value} onFocus={(e) => e.currentTarget.select()} />{' '}
      <button
        type="button"
        aria-label={`Copy ${copyName}`}
        onClick={() =>
          navigator.clipboard.writeText(value).then(
            () => setCopied(true),
            () => setCopied(false),
          )
        }
      >
        Copy
      </button>{' '}
      <span role="status" class="muted small">
        {copied === true ? 'Copied.' : copied === false ? 'Copying failed: select the text and copy it.' : ''}
      </span>
    </p>
  );
}
