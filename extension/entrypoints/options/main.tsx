import '../../lib/noEval';
import { render } from 'preact';
import { OptionsApp } from '../../lib/ui/OptionsApp';
import { baseStyles } from '../../lib/ui/styles';

const style = document.createElement('style');
style.textContent = `${baseStyles}
body { margin: 0; background: var(--bg); }
.options { max-width: 720px; margin: 0 auto; padding: 24px; min-height: 100vh; }
.options h1 { font-size: 22px; margin: 0 0 4px; }
.options h2 { font-size: 17px; margin: 24px 0 8px; }
.options form { display: flex; gap: 8px; }
.options input[type=url], .options input[type=text] { flex: 1; font: inherit; padding: 6px 8px; border: 1px solid var(--line); border-radius: 4px; background: var(--bg); color: var(--fg); }
.options .relay { border: 1px solid var(--line); border-radius: 8px; padding: 12px 14px; margin: 10px 0; }
.options .relay h3 { margin: 0 0 6px; font-size: 15px; }
.options .muted { color: var(--muted); font-size: 13px; }
.options .error { color: var(--bad); }
.options .ok { color: var(--ok); }
.options ul { margin: 4px 0; padding-left: 20px; }
.options form.register { margin: 8px 0; flex-wrap: wrap; align-items: center; }
.options form.register input { flex: 1 1 140px; font: inherit; padding: 6px 8px; border: 1px solid var(--line); border-radius: 4px; background: var(--bg); color: var(--fg); }
.options button.link { border: none; padding: 0; color: var(--accent); background: none; }
`;
document.head.append(style);
document.body.classList.add('nod');
render(<OptionsApp />, document.getElementById('app')!);
