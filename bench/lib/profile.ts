/** Reading V8 .cpuprofile files: self time per frame, and per category of work. */
import fs from 'node:fs';

export interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

export interface LoadedProfile {
  byId: Map<number, ProfileNode>;
  parent: Map<number, number>;
  /** Sampled self time by node id, µs. */
  selfMicros: Map<number, number>;
  totalMicros: number;
}

export function loadProfile(file: string): LoadedProfile {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] };
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const selfMicros = new Map<number, number>();
  profile.samples.forEach((id, i) => {
    selfMicros.set(id, (selfMicros.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  const totalMicros = [...selfMicros.values()].reduce((a, b) => a + b, 0);
  return { byId, parent, selfMicros, totalMicros };
}

const rules: [string, (n: ProfileNode) => boolean][] = [
  ['SQLite', (n) => /better-sqlite3|\/server\/storage\//.test(n.callFrame.url)],
  [
    'crypto',
    (n) =>
      /internal\/crypto|@simplewebauthn|asn1js|@peculiar|\/jose\/|server\/push\/(encryptPayload|vapid|topic)|deviceSignature|approvalChallenge|server\/ids\.ts/.test(
        n.callFrame.url,
      ),
  ],
  ['validation (zod)', (n) => /\/zod\//.test(n.callFrame.url)],
  ['logging (pino)', (n) => /\/pino/.test(n.callFrame.url)],
  ['User-Agent parsing', (n) => /ua-parser/.test(n.callFrame.url)],
  [
    'HTTP/TLS',
    (n) =>
      /node:(_http|https|http|net|_tls|tls|stream|internal\/stream|internal\/http|internal\/streams|internal\/url)|fastify|find-my-way|avvio/.test(
        n.callFrame.url,
      ) || /^(writev|writeUtf8String|writeLatin1String|writeBuffer|shutdown)$/.test(n.callFrame.functionName),
  ],
];

/**
 * Each sample goes to the first category met walking from the sampled frame up its stack
 * (SQLite, crypto, validation, logging, User-Agent parsing, HTTP/TLS); GC and idle by their own
 * frames; anything else is "relay code and the rest". Returns shares of the sampled time.
 */
export function categorize(loaded: LoadedProfile): Record<string, number> {
  const byCategory = new Map<string, number>();
  for (const [id, micros] of loaded.selfMicros) {
    const leaf = loaded.byId.get(id)!;
    let category: string | undefined;
    if (leaf.callFrame.functionName === '(garbage collector)') category = 'garbage collector';
    else if (leaf.callFrame.functionName === '(idle)') category = 'idle';
    else if (leaf.callFrame.functionName === '(program)') category = 'V8/native outside JS';
    for (let cur: number | undefined = id; !category && cur !== undefined; cur = loaded.parent.get(cur)) {
      const n = loaded.byId.get(cur)!;
      category = rules.find(([, test]) => test(n))?.[0];
    }
    category ??= 'relay code and the rest';
    byCategory.set(category, (byCategory.get(category) ?? 0) + micros);
  }
  return Object.fromEntries([...byCategory].sort((a, b) => b[1] - a[1]).map(([k, v]) => [k, v / loaded.totalMicros]));
}

/**
 * A V8 CPU profile of this process (the load generator) over one measured phase, written to `file`
 * when `stop` is called: what the bench itself spends per sign-in, to keep it small beside the relay.
 */
export async function profileThisProcess(): Promise<{ stop(file: string): Promise<void> }> {
  const { Session } = await import('node:inspector/promises');
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  return {
    async stop(file) {
      const { profile } = await session.post('Profiler.stop');
      session.disconnect();
      fs.writeFileSync(file, JSON.stringify(profile));
    },
  };
}
