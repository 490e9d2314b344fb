import { render } from 'preact';
import { mySignInsBoot } from '../../shared/schemas/hostedPages';
import { readBoot } from '../src/boot';
import { MySignInsApp } from '../src/mySignIns/MySignInsApp';
import '../../shared/styles/pages.css';

const boot = readBoot(mySignInsBoot);
const root = document.getElementById('app')!;
if (boot) render(<MySignInsApp boot={boot} />, root);
