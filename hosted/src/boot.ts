import type { z } from 'zod';

/** The relay's boot data for this page (`<script type="application/json" id="nod-boot">`), validated. */
export function readBoot<S extends z.ZodType>(schema: S): z.infer<S> | undefined {
  const element = document.getElementById('nod-boot');
  if (!element?.textContent) return undefined;
  try {
    const result = schema.safeParse(JSON.parse(element.textContent));
    return result.success ? result.data : undefined;
  } catch {
    return undefined;
  }
}
