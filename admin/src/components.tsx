import type { ComponentChildren } from 'preact';
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
      const done = await work();
      // The page shows the outcome once it shows its result: said before the list is read again, a
      // screen reader (and anyone reading along) would hear "removed" beside the row still there.
      await reload();
      setStatus({ ok: true, text: done });
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

/**
 * A list as a table: its name (the caption, for assistive technology), column headers (an empty
 * one is the actions column), and a row saying so when there is nothing.
 */
export function DataTable(props: { caption: string; columns: string[]; empty: string; rows: ComponentChildren[] }) {
  return (
    <div class="table-scroll">
      <table class="methods">
        <caption class="visually-hidden">{props.caption}</caption>
        <thead>
          <tr>
            {props.columns.map((column) => (
              <th scope="col" key={column}>
                {column || <span class="visually-hidden">Actions</span>}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {props.rows.length === 0 ? (
            <tr>
              <td colSpan={props.columns.length} class="muted">
                {props.empty}
              </td>
            </tr>
          ) : (
            props.rows
          )}
        </tbody>
      </table>
    </div>
  );
}
