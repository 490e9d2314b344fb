import '../../lib/noEval';
import { render } from 'preact';
import { PopupApp } from '../../lib/ui/PopupApp';
import { baseStyles } from '../../lib/ui/styles';

const style = document.createElement('style');
style.textContent = `${baseStyles}
body { margin: 0; }
.popup { width: 340px; padding: 12px 14px; }
.popup h1 { font-size: 15px; margin: 0 0 8px; }
.popup h3 { font-size: 13px; margin: 14px 0 4px; color: var(--muted); text-transform: uppercase; letter-spacing: .4px; }
.popup ul { list-style: none; margin: 0; padding: 0; }
.popup li { padding: 4px 0; border-bottom: 1px solid var(--line); display: flex; justify-content: space-between; gap: 8px; align-items: center; }
.popup .muted { color: var(--muted); font-size: 12px; }
.popup .warning { background: var(--warn-bg); color: var(--warn-fg); padding: 8px 10px; border-radius: 6px; }
.popup button.link { border: none; padding: 0; color: var(--accent); background: none; text-align: left; }
`;
document.head.append(style);
render(<PopupApp />, document.getElementById('app')!);
