import type { PageObservation } from '../../../shared/schemas/extensionMessages';
import { hostedPagePhrases } from './hostedPagePhrases';
import { identityProviderDeclarationName, parseMarker, signInPageMarkerName } from './pageChecks';

const lowerPhrases = hostedPagePhrases.map((phrase) => phrase.toLowerCase());
/**
 * One word of each phrase, without spaces: a phrase can only be on the page (whitespace collapsed) if its
 * word is in the raw text, so a page without two of them is known not to say two phrases without
 * normalising its text.
 */
const phraseWords = lowerPhrases.map((phrase) => phrase.split(' ').reduce((a, b) => (b.length > a.length ? b : a)));

/** Words of the hosted page's title and heading (the seed's "Sign in", "Approve sign-in request", and older pages' spellings). */
const hostedTitle = /\b(nod|authenticator)\b.*\bsign[ -]?in\b|\bsign[ -]?in\b.*\b(nod|authenticator)\b|approve sign[ -]?in request/i;
/** Every way of matching `hostedTitle` contains "sign": without it the expression need not run. */
const titleLike = (s: string) => s.toLowerCase().includes('sign') && hostedTitle.test(s);

/**
 * How much of the page's body is read: its first `text` characters of text, and no more than `nodes`
 * elements and text nodes. The hosted page — and a copy of it — shows its heading, its words and its
 * form within its first screen; a large page is never read whole.
 */
export const pageReadBudget = { text: 2_000, nodes: 600 };
/** How much of the title and the first heading is read. */
const headingBudget = 300;

/** One read of the page: whether it is worth reporting, and what to report. */
export interface PageRead {
  /** worthReporting(observation()), known without describing the page. */
  worthReporting: boolean;
  observation(): PageObservation;
}

/**
 * Read the page for the content script: its marker, how much it looks like the hosted sign-in page, and
 * an identity-provider declaration. Reads the DOM only, and cheaply — it runs on every page the person
 * allowed: the marker and the declaration are looked for in `<head>` (where HTML puts `<meta name>`),
 * and the body is read once, from the top, within `pageReadBudget` — no query or text read over the
 * whole page. Whether the page is worth reporting takes no regular expression on an ordinary page; the
 * full description is made only for a page that is reported. The background decides.
 */
export function readPage(doc: Document): PageRead {
  const head = doc.head ?? doc.documentElement;
  const markerContent = head?.querySelector(`meta[name="${signInPageMarkerName}"]`)?.getAttribute('content');
  const marker = markerContent ? (parseMarker(markerContent) ?? null) : null;
  const identityProvider = identityProviderOf(head);
  const title = doc.title.slice(0, headingBudget);
  const body = readBody(doc);
  const heading = body.heading;
  const titleFlag = titleLike(title) || titleLike(heading);

  const lowerText = body.text.toLowerCase();
  const wordsSeen = phraseWords.filter((word) => lowerText.includes(word)).length;
  let phraseCount: number | undefined;
  const phrases = () => {
    if (phraseCount === undefined) {
      const text = wordsSeen === 0 ? '' : lowerText.replace(/\s+/g, ' ');
      phraseCount = Math.min(lowerPhrases.filter((phrase) => text.includes(phrase)).length, 10);
    }
    return phraseCount;
  };

  return {
    worthReporting: Boolean(marker || identityProvider || titleFlag || body.signInForm || (wordsSeen >= 2 && phrases() >= 2)),
    observation() {
      // Names the title or heading gives ("Sign in to Contoso", "Contoso · Sign in"): the background
      // matches them against the tenants' display names.
      const fragments = [title, heading].flatMap((s) => s.split(/[|·\-–—:]/)).map((s) => s.trim());
      const named = fragments.map((s) => /^sign[ -]?in to (.+)$/i.exec(s)?.[1]?.trim()).filter((s): s is string => Boolean(s));
      const mentions = [...new Set([...named, ...fragments])].filter((s) => s.length > 1 && s.length <= 100).slice(0, 10);
      return {
        marker,
        imitation: { title: titleFlag, phrases: phrases(), signInForm: body.signInForm, mentions },
        identityProvider,
      };
    },
  };
}

/** The whole observation (readPage, described). */
export function observePage(doc: Document): PageObservation {
  return readPage(doc).observation();
}

/**
 * Whether the background could judge the page anything but `none` (see assessPage): only with the
 * marker, an identity-provider declaration, the hosted page's title or words, or a sign-in form. A page
 * with none of them is not reported at all — the content script then costs the page no messaging.
 */
export function worthReporting(seen: PageObservation): boolean {
  return Boolean(seen.marker || seen.identityProvider || seen.imitation.title || seen.imitation.phrases >= 2 || seen.imitation.signInForm);
}

interface BodyRead {
  /** The body's text, up to `pageReadBudget.text` characters (script and style contents left out). */
  text: string;
  /** The first `<h1>`'s text. */
  heading: string;
  /** A username, email or password field (`input[type=password], input[autocomplete~=username], input[name=username], input[type=email]`). */
  signInForm: boolean;
}

const skipped = new Set(['script', 'style', 'noscript', 'template']);

/** One walk down the body from the top, within `pageReadBudget`: its text, its first heading, a sign-in field. */
function readBody(doc: Document): BodyRead {
  const read: BodyRead = { text: '', heading: '', signInForm: false };
  if (!doc.body) return read;
  const walker = doc.createTreeWalker(doc.body, 5 /* NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT */);
  let node: Node | null = walker.nextNode();
  for (let visited = 0; node && visited < pageReadBudget.nodes && read.text.length < pageReadBudget.text; visited++) {
    if (node.nodeType === 3) {
      read.text += (node as Text).substringData(0, pageReadBudget.text - read.text.length);
    } else {
      const name = (node as Element).localName;
      if (skipped.has(name)) {
        node = nextOutside(walker);
        continue;
      }
      if (name === 'h1' && !read.heading) read.heading = boundedText(node, headingBudget) || ' ';
      else if (name === 'input' && !read.signInForm) read.signInForm = isSignInField(node as Element);
    }
    node = walker.nextNode();
  }
  read.heading = read.heading.trim() ? read.heading : '';
  return read;
}

/** The node after the walker's current one and all its descendants. */
function nextOutside(walker: TreeWalker): Node | null {
  while (!walker.nextSibling()) if (!walker.parentNode()) return null;
  return walker.currentNode;
}

function isSignInField(input: Element): boolean {
  const type = input.getAttribute('type')?.toLowerCase();
  if (type === 'password' || type === 'email' || input.getAttribute('name') === 'username') return true;
  return (
    input
      .getAttribute('autocomplete')
      ?.split(/[\t\n\f\r ]+/)
      .includes('username') ?? false
  );
}

/** The text under `root`, in document order, read node by node and never more than `max` characters of it. */
function boundedText(root: Node | null | undefined, max: number): string {
  if (!root) return '';
  const walker = (root.ownerDocument ?? (root as Document)).createTreeWalker(root, 4 /* NodeFilter.SHOW_TEXT */);
  let text = '';
  for (let node = walker.nextNode() as CharacterData | null; node && text.length < max; node = walker.nextNode() as CharacterData | null) {
    text += node.substringData(0, max - text.length);
  }
  return text;
}

function identityProviderOf(head: Element | null): PageObservation['identityProvider'] {
  if (!head) return null;
  const meta = head.querySelector(`meta[name="${identityProviderDeclarationName}"]`)?.getAttribute('content');
  if (meta) {
    const [issuer, loginUrl] = meta.trim().split(/\s+/);
    if (issuer && loginUrl) return { issuer: issuer.slice(0, 500), loginUrl: loginUrl.slice(0, 2000) };
  }
  const link = head.querySelector(`link[rel~="${identityProviderDeclarationName}"]`);
  const issuer = link?.getAttribute('href');
  const loginUrl = link?.getAttribute('data-login-url');
  if (issuer && loginUrl) return { issuer: issuer.slice(0, 500), loginUrl: loginUrl.slice(0, 2000) };
  return null;
}
