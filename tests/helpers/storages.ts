/**
 * The storage backends a journey runs on, for `describe.each(storages)`: the embedded SQLite file
 * and PostgreSQL (a fresh database at NOD_TEST_DATABASE_URL, see startRelay's `postgres`).
 */
export const storages = [
  { storage: 'SQLite', postgres: false },
  { storage: 'PostgreSQL', postgres: true },
] as const;
