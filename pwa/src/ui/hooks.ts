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

/** "3:05 PM": a time of day in the phone's own format. */
export function formatClock(ms: number): string {
  return new Date(ms).toLocaleTimeString([], { hour: 'numeric', minute: '2-digit' });
}

/** "24 hours", "90 minutes", "2 days": a policy's period in words. */
export function describeMinutes(minutes: number): string {
  const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'}`;
  if (minutes % (24 * 60) === 0 && minutes >= 48 * 60) return plural(minutes / (24 * 60), 'day');
  if (minutes % 60 === 0) return plural(minutes / 60, 'hour');
  return plural(minutes, 'minute');
}
