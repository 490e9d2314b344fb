import fs from 'node:fs';
import path from 'node:path';

/** Where a started relay notes the URL it serves, in its data directory. */
const fileIn = (dataDir: string) => path.join(dataDir, 'public-url.json');

/**
 * The relay notes its public URL (NOD_PUBLIC_URL, else http://localhost:NOD_PORT) when it starts,
 * so that `nod admin` run from another shell — without the relay's NOD_PORT or NOD_PUBLIC_URL —
 * prints the issuers the relay really serves.
 */
export function recordPublicUrl(dataDir: string, publicUrl: string): void {
  const file = fileIn(dataDir);
  const temporary = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temporary, `${JSON.stringify({ publicUrl })}\n`);
  fs.renameSync(temporary, file);
}

/** The URL the last relay started on this data directory serves, if one noted it. */
export function recordedPublicUrl(dataDir: string): string | undefined {
  try {
    const { publicUrl } = JSON.parse(fs.readFileSync(fileIn(dataDir), 'utf8')) as { publicUrl?: unknown };
    return typeof publicUrl === 'string' && URL.canParse(publicUrl) ? new URL(publicUrl).origin : undefined;
  } catch {
    return undefined;
  }
}
