/**
 * Web platform types that browsers (lib DOM) and Node (@types/node) both provide, named here
 * through the globals both have (`crypto`, `fetch`), so shared/ compiles under either runtime's
 * types alone.
 */
type Subtle = typeof crypto.subtle;

/** A WebCrypto key: CryptoKey in a browser, webcrypto.CryptoKey in Node. */
export type WebCryptoKey = Parameters<Subtle['sign']>[1];

/** Bytes WebCrypto accepts (BufferSource). */
export type CryptoBytes = Parameters<Subtle['digest']>[1];

/** fetch's `credentials` option (RequestCredentials). */
export type FetchCredentials = NonNullable<NonNullable<Parameters<typeof fetch>[1]>['credentials']>;

/** fetch's options, with `cache: 'no-store'` (browsers honour it; Node's types lack it, its fetch keeps no HTTP cache). */
export type FetchInit = NonNullable<Parameters<typeof fetch>[1]> & { cache?: 'no-store' };
