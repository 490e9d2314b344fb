import { pagesViteConfig } from '../pagesViteConfig';

/** The admin center, built to dist/admin and served by the relay under /admin/ (server/admin/center/). */
export default pagesViteConfig({
  configUrl: import.meta.url,
  base: '/admin/',
  input: { admin: 'entries/admin.tsx' },
});
