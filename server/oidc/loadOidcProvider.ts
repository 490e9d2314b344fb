import type ProviderClass from 'oidc-provider';

let loading: Promise<typeof ProviderClass> | undefined;

/**
 * Import oidc-provider on first use. It warns "Unsupported runtime" on Node 20, which Nod runs on
 * by design (DESIGN.md) and which it serves correctly: that one line is kept out of the console;
 * every other warning passes through.
 */
export function loadOidcProvider(): Promise<typeof ProviderClass> {
  loading ??= (async () => {
    const warn = console.warn;
    console.warn = (...args: unknown[]) => {
      if (typeof args[0] === 'string' && args[0].includes('oidc-provider WARNING: Unsupported runtime')) return;
      warn(...args);
    };
    try {
      return (await import('oidc-provider')).default;
    } finally {
      console.warn = warn;
    }
  })();
  return loading;
}
