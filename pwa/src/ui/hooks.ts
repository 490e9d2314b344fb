import { useEffect, useState } from 'preact/hooks';

/** Follow a small external store (accounts, requests, push status). */
export function useExternal<T>(subscribe: (listener: () => void) => () => void, read: () => T): T {
  const [value, setValue] = useState(read);
  useEffect(() => {
    setValue(read);
    return subscribe(() => setValue(read));
  }, [subscribe, read]);
  return value;
}

const tickers = new Set<(now: number) => void>();
let interval: ReturnType<typeof setInterval> | undefined;

/** The time, updated once a second by one shared timer (codes, countdowns). */
export function useNow(): number {
  const [now, setNow] = useState(Date.now);
  useEffect(() => {
    tickers.add(setNow);
    interval ??= setInterval(() => {
      const time = Date.now();
      for (const tick of tickers) tick(time);
    }, 1000);
    return () => {
      tickers.delete(setNow);
      if (tickers.size === 0) {
        clearInterval(interval);
        interval = undefined;
      }
    };
  }, []);
  return now;
}

/** Whether the browser thinks it is online. */
export function useOnline(): boolean {
  const [online, setOnline] = useState(() => navigator.onLine);
  useEffect(() => {
    const update = () => setOnline(navigator.onLine);
    window.addEventListener('online', update);
    window.addEventListener('offline', update);
    return () => {
      window.removeEventListener('online', update);
      window.removeEventListener('offline', update);
    };
  }, []);
  return online;
}

/** "1:05" for a number of seconds. */
export function formatSeconds(total: number): string {
  const seconds = Math.max(0, Math.ceil(total));
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
}
