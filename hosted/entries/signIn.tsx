import { render } from 'preact';
import { hostedSignInBoot } from '../../shared/schemas/hostedPages';
import { readBoot } from '../src/boot';
import { SignInApp } from '../src/signIn/SignInApp';
import '../../shared/styles/pages.css';

const boot = readBoot(hostedSignInBoot);
const root = document.getElementById('app')!;
if (boot) render(<SignInApp boot={boot} />, root);
