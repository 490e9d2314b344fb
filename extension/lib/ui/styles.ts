/** The extension's look, shared by the in-page UI (inside its closed shadow root), the panel's frame, the popup and the options page. */
export const baseStyles = `
:host { all: initial; }
* { box-sizing: border-box; }
.nod {
  --bg: #ffffff; --fg: #1b1b1b; --muted: #5f5f5f; --line: #d6d6d6; --accent: #0f6cbd; --ok: #107c10; --bad: #b10e1c;
  --warn-bg: #fde7e9; --warn-fg: #5c0000;
  font: 14px/1.45 "Segoe UI", system-ui, -apple-system, sans-serif; color: var(--fg); background: var(--bg);
}
@media (prefers-color-scheme: dark) {
  .nod { --bg: #1f1f1f; --fg: #f3f3f3; --muted: #bdbdbd; --line: #3d3d3d; --accent: #479ef5; --ok: #54b054; --bad: #f1707b;
    --warn-bg: #442726; --warn-fg: #ffd7d9; }
}
.card h2 { font-size: 18px; margin: 4px 0 2px; font-weight: 600; }
.card p { margin: 6px 0; }
.verified { color: var(--ok); font-size: 13px; }
.account { color: var(--muted); }
.number { font-size: 44px; font-weight: 700; letter-spacing: 2px; margin: 8px 0 !important; text-align: center; }
.countdown { color: var(--muted); text-align: center; font-variant-numeric: tabular-nums; }
.message { color: var(--fg); }
.delivery { color: var(--muted); text-align: center; }
.fallback { border: 1px solid var(--line); border-radius: 8px; padding: 8px 12px; font-size: 0.9em; }
.fallback p { margin: 4px 0; }
.status-denied h2, .status-blocked h2, .status-wrong_number h2, .status-failed h2, .status-reported h2, .status-expired h2,
.status-cool_down h2, .status-not_created h2 { color: var(--bad); }
.status-redeemed h2, .status-approved h2 { color: var(--ok); }
.actions { display: flex; gap: 8px; margin-top: 10px; flex-wrap: wrap; }
button { font: inherit; padding: 6px 14px; border-radius: 4px; border: 1px solid var(--line); background: var(--bg); color: var(--fg); cursor: pointer; }
button.primary { background: var(--accent); border-color: var(--accent); color: #fff; }
button:focus-visible { outline: 2px solid var(--accent); outline-offset: 2px; }
`;

export const pageUiStyles = `${baseStyles}
.panel { position: fixed; top: 16px; right: 16px; z-index: 2147483647; width: 320px; padding: 14px 16px 16px;
  border: 1px solid var(--line); border-radius: 8px; box-shadow: 0 8px 28px rgba(0,0,0,.25); }
.panel header { display: flex; justify-content: space-between; align-items: center; font-weight: 600; color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .5px; }
.panel header button { border: none; padding: 2px 6px; font-size: 16px; line-height: 1; }
.panel-frame { display: block; width: 100%; border: 0; margin: 0; background: transparent; color-scheme: normal; }
.banner { position: fixed; top: 0; left: 0; right: 0; z-index: 2147483647; padding: 14px 20px; background: var(--warn-bg); color: var(--warn-fg);
  border-bottom: 3px solid var(--bad); box-shadow: 0 4px 16px rgba(0,0,0,.2); }
.banner h2 { margin: 0 0 4px; font-size: 18px; }
.banner p { margin: 4px 0; }
.banner ul { margin: 4px 0; padding-left: 20px; }
.offer { position: fixed; bottom: 16px; right: 16px; z-index: 2147483647; width: 300px; padding: 12px 14px; border: 1px solid var(--line);
  border-radius: 8px; box-shadow: 0 8px 28px rgba(0,0,0,.2); }
.offer p { margin: 0 0 8px; }
`;
