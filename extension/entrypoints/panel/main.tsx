import '../../lib/noEval';
import { render } from 'preact';
import { PanelFrameApp } from '../../lib/ui/PanelFrameApp';
import { baseStyles } from '../../lib/ui/styles';

// The panel's content, framed by the page UI inside the sign-in page (see lib/page/mountPageUi.tsx).
const style = document.createElement('style');
style.textContent = `${baseStyles}
html, body { margin: 0; background: transparent; }
#app { display: flow-root; }
`;
document.head.append(style);
document.body.classList.add('nod');
render(<PanelFrameApp />, document.getElementById('app')!);
