import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

/**
 * Slack's side of Socket Mode, for end-to-end tests: the Web API method `apps.connections.open`
 * (authorised by the app-level token, answering a `wss://` URL, here `ws://` on loopback), the
 * WebSocket it points to, which greets with a `hello` message, and envelopes sent down it that the
 * app must acknowledge with `{ envelope_id, payload? }`, as Slack's Socket Mode documentation says.
 * Every other Web API call is forwarded to `forwardTo` (the regular Slack stand-in), which records it.
 */
export interface SocketModeStandIn {
  /** Base Web API URL ending with `/api/`: the app's SLACK_API_URL. */
  readonly url: string;
  /** apps.connections.open calls, with the bearer token each carried. */
  readonly opens: { token: string | undefined; ok: boolean }[];
  /** Messages the app sent over the socket (acknowledgements), parsed. */
  readonly received: Record<string, unknown>[];
  /** Resolves when the app has connected and been sent `hello`. */
  connected(timeoutMs?: number): Promise<void>;
  /** Sends an envelope to the app; resolves with its acknowledgement. */
  send(
    envelope: { envelope_id: string; type: string; payload: unknown; accepts_response_payload?: boolean },
    timeoutMs?: number,
  ): Promise<Record<string, unknown>>;
  close(): Promise<void>;
}

export async function startSocketModeStandIn(opts: { appToken: string; forwardTo: string }): Promise<SocketModeStandIn> {
  const opens: SocketModeStandIn['opens'] = [];
  const received: Record<string, unknown>[] = [];
  const waiters: (() => void)[] = [];
  const notify = () => waiters.splice(0).forEach((w) => w());
  let socket: WebSocket | null = null;
  let helloSent = false;
  const wss = new WebSocketServer({ noServer: true });

  const readBody = (req: IncomingMessage) =>
    new Promise<Buffer>((resolve, reject) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => resolve(Buffer.concat(chunks)));
      req.on('error', reject);
    });

  const server: Server = createServer((req, res) => {
    void (async () => {
      const body = await readBody(req);
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      const method = /^\/api\/([A-Za-z0-9_.]+)$/.exec(path)?.[1];
      if (!method) {
        res.writeHead(404).end('Not Found');
        return;
      }
      if (method === 'apps.connections.open') {
        const token = /^Bearer (.+)$/.exec(String(req.headers.authorization ?? ''))?.[1];
        const ok = token === opts.appToken;
        opens.push({ token, ok });
        const port = (server.address() as AddressInfo).port;
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify(
            ok
              ? { ok: true, url: `ws://127.0.0.1:${port}/link/?ticket=test-ticket&app_id=A0TEST` }
              : { ok: false, error: token ? 'invalid_auth' : 'not_authed' },
          ),
        );
        return;
      }
      const forwarded = await fetch(`${opts.forwardTo}${method}`, {
        method: req.method ?? 'POST',
        headers: Object.fromEntries(
          Object.entries({ 'content-type': req.headers['content-type'], authorization: req.headers.authorization }).filter(
            (e): e is [string, string] => typeof e[1] === 'string',
          ),
        ),
        body: req.method === 'GET' ? undefined : body,
      });
      res.writeHead(forwarded.status, { 'content-type': forwarded.headers.get('content-type') ?? 'application/json' });
      res.end(Buffer.from(await forwarded.arrayBuffer()));
    })().catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(500).end(String(err));
    });
  });
  server.on('upgrade', (req, sock, head) => {
    if (!new URL(req.url ?? '/', 'http://x').pathname.startsWith('/link')) {
      sock.destroy();
      return;
    }
    wss.handleUpgrade(req, sock, head, (ws) => {
      socket = ws;
      ws.on('message', (data) => {
        try {
          received.push(JSON.parse(data.toString()) as Record<string, unknown>);
        } catch {
          received.push({ unparsable: data.toString() });
        }
        notify();
      });
      ws.send(
        JSON.stringify({
          type: 'hello',
          num_connections: 1,
          debug_info: { host: 'applink-stand-in', build_number: 1, approximate_connection_time: 18060 },
          connection_info: { app_id: 'A0TEST' },
        }),
      );
      helloSent = true;
      notify();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  const until = <T>(get: () => T | undefined, what: string, timeoutMs: number) =>
    new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`socket-mode stand-in: timed out waiting for ${what}`)), timeoutMs);
      const check = () => {
        const v = get();
        if (v !== undefined) {
          clearTimeout(timer);
          resolve(v);
        } else waiters.push(check);
      };
      check();
    });

  return {
    url: `http://127.0.0.1:${port}/api/`,
    opens,
    received,
    connected: (timeoutMs = 5000) => until(() => (helloSent ? true : undefined), 'the app to connect', timeoutMs).then(() => undefined),
    async send(envelope, timeoutMs = 5000) {
      if (!socket) throw new Error('socket-mode stand-in: the app is not connected');
      socket.send(JSON.stringify({ accepts_response_payload: false, retry_attempt: 0, retry_reason: '', ...envelope }));
      return until(() => received.find((m) => m.envelope_id === envelope.envelope_id), `the ack of ${envelope.envelope_id}`, timeoutMs);
    },
    async close() {
      for (const c of wss.clients) c.terminate();
      wss.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
