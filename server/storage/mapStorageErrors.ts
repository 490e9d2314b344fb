/**
 * The same storage with every method's failure passed through `map` before it reaches the caller:
 * how a backend turns its driver's errors into `StorageUnavailableError` in one place instead of
 * in every method, and how the relay watches for them. Methods are found one level down (the
 * `Storage` namespaces) and at the top (`close`, `ready`); anything else (e.g. a backend's own
 * handle) is passed through untouched.
 */
export function mapStorageErrors<S extends object>(storage: S, map: (error: unknown) => unknown): S {
  const wrap = (method: (...args: unknown[]) => unknown, self: object) =>
    async function mapped(...args: unknown[]) {
      try {
        return await method.apply(self, args);
      } catch (error) {
        throw map(error);
      }
    };
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(storage)) {
    if (typeof value === 'function') {
      out[key] = wrap(value as (...args: unknown[]) => unknown, storage);
    } else if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
      out[key] = Object.fromEntries(
        Object.entries(value).map(([name, member]) => [
          name,
          typeof member === 'function' ? wrap(member as (...args: unknown[]) => unknown, value) : member,
        ]),
      );
    } else {
      out[key] = value;
    }
  }
  return out as S;
}
