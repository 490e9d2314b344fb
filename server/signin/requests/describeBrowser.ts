import { UAParser } from 'ua-parser-js';

/** Parsing a User-Agent costs ~0.1 ms (regular expressions); a relay sees few distinct ones. */
const described = new Map<string, string | undefined>();
const maxDescribed = 1000;

/** "Chrome on Linux": the browser and operating system in words, from the User-Agent. */
export function describeBrowser(userAgent: string | undefined): string | undefined {
  if (!userAgent) return undefined;
  if (described.has(userAgent)) return described.get(userAgent);
  const parsed = new UAParser(userAgent).getResult();
  const browser = parsed.browser.name;
  const os = parsed.os.name;
  const description = browser && os ? `${browser} on ${os}` : (browser ?? os ?? undefined);
  // Bounded (at most 1000 agents of at most 512 characters): past the limit start over rather than grow.
  if (userAgent.length <= 512) {
    if (described.size >= maxDescribed) described.clear();
    described.set(userAgent, description);
  }
  return description;
}
