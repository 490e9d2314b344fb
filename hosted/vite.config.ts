import { pagesViteConfig } from '../pagesViteConfig';

/**
 * The hosted pages (the relay's sign-in page, My Sign-ins, plain pages), built to dist/hosted and
 * served by the relay under /pages/ (server/pages/staticRoutes.ts).
 */
export default pagesViteConfig({
  configUrl: import.meta.url,
  base: '/pages/',
  input: {
    signIn: 'entries/signIn.tsx',
    mySignIns: 'entries/mySignIns.tsx',
    findOrganization: 'entries/findOrganization.tsx',
    plain: 'entries/plain.ts',
  },
});
