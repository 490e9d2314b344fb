import { z } from 'zod';

// Extension pages and content scripts run under a CSP without 'unsafe-eval': tell zod never to probe
// for `new Function` (the probe itself would be reported as a CSP violation).
z.config({ jitless: true });
