type Method = (...args: unknown[]) => unknown;

/**
 * The same storage with each method replaced by `wrap(method, self)`. Methods are found one level
 * down (the `Storage` namespaces) and at the top (`close`, `ready`); anything else (e.g. a
 * backend's own handle) is passed through untouched.
 */
export function wrapMethods<S extends object>(storage: S, wrap: (method: Method, self: object) => Method): S {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(storage)) {
    if (typeof value === 'function') {
      out[key] = wrap(value as Method, storage);
    } else if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
      out[key] = Object.fromEntries(
        Object.entries(value).map(([name, member]) => [name, typeof member === 'function' ? wrap(member as Method, value) : member]),
      );
    } else {
      out[key] = value;
    }
  }
  return out as S;
}

/**
 * The same storage with every method's failure passed through `map` before it reaches the caller:
 * how a backend turns its driver's errors into `StorageUnavailableError` in one place instead of
 * in every method, and how the relay watches for them.
 */
export function mapStorageErrors<S extends object>(storage: S, map: (error: unknown) => unknown): S {
  return wrapMethods(storage, (method, self) => {
    // One promise per call, as an async function's `return await` would make two or three: every storage call passes here twice.
    const fail = (error: unknown) => {
      throw map(error);
    };
    return function mapped(...args: unknown[]) {
      try {
        return Promise.resolve(method.apply(self, args)).then(undefined, fail);
      } catch (error) {
        return Promise.reject(map(error));
      }
    };
  });
}
