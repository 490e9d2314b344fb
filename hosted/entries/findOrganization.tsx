import { render } from 'preact';
import { findOrganizationBoot } from '../../shared/schemas/hostedPages';
import { readBoot } from '../src/boot';
import { FindOrganizationApp } from '../src/findOrganization/FindOrganizationApp';
import '../../shared/styles/pages.css';

const boot = readBoot(findOrganizationBoot);
const root = document.getElementById('app')!;
if (boot) render(<FindOrganizationApp boot={boot} />, root);
