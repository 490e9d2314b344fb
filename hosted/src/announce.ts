import { useEffect, useRef } from 'preact/hooks';

/**
 * Each step's heading is announced through one polite live region, and focus goes to the step's
 * first input instead (typing right away works; a phone's keyboard opens).
 */
export function announce(text: string): void {
  let region = document.getElementById('announcer');
  if (!region) {
    region = document.createElement('p');
    region.id = 'announcer';
    region.className = 'visually-hidden';
    region.setAttribute('aria-live', 'polite');
    region.setAttribute('aria-atomic', 'true');
    document.body.append(region);
  }
  // Emptied first, so the same heading twice (a second request) is announced again.
  region.textContent = '';
  const target = region;
  requestAnimationFrame(() => {
    target.textContent = text;
  });
}

/** A ref for a step's container: on mount, focus its first input (else its first button when `orButton`). */
export function useFocusFirstInput<T extends HTMLElement>(orButton = false) {
  const ref = useRef<T>(null);
  useEffect(() => {
    const first = ref.current?.querySelector<HTMLElement>(orButton ? 'input, select, textarea, button.option' : 'input, select, textarea');
    first?.focus();
  }, []);
  return ref;
}
