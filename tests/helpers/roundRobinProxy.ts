/**
 * A tiny loopback load balancer for tests of several relays: each call goes to the next relay in
 * turn (no sticky sessions, as in deploy/), and a call whose relay refuses the connection (it is
 * stopped or was killed) goes to the next one, as a proxy's passive health check does. Responses
 * stream through as they come (event streams included); when a relay dies mid-response, the
 * client's connection is cut, as a real proxy's would be.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { freePort } from './processes';

export { freePort };

export interface RoundRobinProxy {
  url: string;
  port: number;
  /** Send every call to this upstream first (by index) while it takes connections; undefined: round robin. */
  prefer(index: number | undefined): void;
  /** How many calls each upstream answered. */
  answered: number[];
  close(): Promise<void>;
}

export async function startRoundRobinProxy(upstreamPorts: number[], port = 0): Promise<RoundRobinProxy> {
  let next = 0;
  let preferred: number | undefined;
  const answered = upstreamPorts.map(() => 0);
  const agent = new http.Agent({ keepAlive: true });

  const forward = (req: http.IncomingMessage, body: Buffer, res: http.ServerResponse, tried: number) => {
    const index = preferred !== undefined && tried === 0 ? preferred : next++ % upstreamPorts.length;
    const upstream = http.request(
      { host: '127.0.0.1', port: upstreamPorts[index], method: req.method, path: req.url, headers: req.headers, agent },
      (answer) => {
        answered[index]++;
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
        // The relay died mid-answer: cut the client's connection too, so it sees the break.
        answer.on('error', () => res.destroy());
        answer.on('close', () => {
          if (!answer.complete) res.destroy();
        });
      },
    );
    upstream.on('error', (error: NodeJS.ErrnoException) => {
      if (res.headersSent) return res.destroy();
      // Nothing was answered by that relay: another one may take it. A draining relay refuses new
      // connections, and may reset one it accepted just before it stopped listening.
      const notReached = error.code === 'ECONNREFUSED' || error.code === 'ECONNRESET';
      if (notReached && tried + 1 < upstreamPorts.length * 2) return forward(req, body, res, tried + 1);
      res.writeHead(502, { 'content-type': 'text/plain' }).end(`proxy: ${error.message}`);
    });
    res.on('close', () => upstream.destroy());
    upstream.end(body);
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => forward(req, Buffer.concat(chunks), res, 0));
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const bound = (server.address() as AddressInfo).port;
  return {
    url: `http://localhost:${bound}`,
    port: bound,
    answered,
    prefer(index) {
      preferred = index;
    },
    async close() {
      server.closeAllConnections();
      agent.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
