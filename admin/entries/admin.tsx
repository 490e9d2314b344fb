import { render } from 'preact';
import { adminCenterBoot } from '../../shared/schemas/adminCenter';
import { AdminApp } from '../src/AdminApp';
import '../../shared/styles/pages.css';
import '../src/console.css';

const element = document.getElementById('nod-boot');
const parsed = element?.textContent ? adminCenterBoot.safeParse(JSON.parse(element.textContent)) : undefined;
if (parsed?.success) render(<AdminApp boot={parsed.data} />, document.getElementById('app')!);
