import { useEffect } from 'preact/hooks';

/**
 * The app's one live region: each screen says its heading there when it opens, so a screen reader
 * hears where it is while the focus goes to the screen's first field (the keyboard opens at once).
 */
export function useAnnounce(text: string | undefined): void {
  useEffect(() => {
    const region = document.getElementById('announcer');
    if (!region || !text) return;
    // Cleared first so the same words are announced again on a new screen.
    region.textContent = '';
    const timer = setTimeout(() => {
      region.textContent = text;
    }, 50);
    return () => clearTimeout(timer);
  }, [text]);
}
