import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/** Test receivers for notifications that leave Steward: a real SMTP server and an HTTP webhook receiver, on ephemeral ports. */

export interface ReceivedMail {
  from: string;
  to: string[];
  subject: string;
  text: string;
  html: string;
  messageId: string;
  idempotencyId: string;
}

export interface SmtpSink {
  url: string;
  mails: ReceivedMail[];
  close(): Promise<void>;
}

/** An SMTP server (nodemailer's smtp-server) that keeps every message it accepts, parsed. */
export async function startSmtpSink(): Promise<SmtpSink> {
  const mails: ReceivedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      simpleParser(stream)
        .then((m) => {
          mails.push({
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((r) => r.address),
            subject: m.subject ?? '',
            text: m.text ?? '',
            html: typeof m.html === 'string' ? m.html : '',
            messageId: m.messageId ?? '',
            idempotencyId: String(m.headers.get('x-steward-idempotency-id') ?? ''),
          });
          callback();
        })
        .catch((err: Error) => callback(err));
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return { url: `smtp://127.0.0.1:${port}`, mails, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

export interface WebhookRequest {
  path: string;
  idempotencyKey: string;
  signature: string;
  eventType: string;
  body: string;
  json: { id: string; type: string; createdAt: string; data: Record<string, unknown> };
}

/** What the receiver answers for one request: a status, or `hang` (never answer, as a slow or stuck receiver). */
export type Answer = number | 'hang';

export interface WebhookReceiver {
  url: string;
  /** Every request, in arrival order (retries included). */
  requests: WebhookRequest[];
  /** What the receiver processed: the first request of each idempotency id that it answered with 2xx. */
  processed: WebhookRequest[];
  /** How to answer the n-th (0-based) request to a path; default 200. */
  answer(path: string, plan: (n: number) => Answer): void;
  close(): Promise<void>;
}

/** An HTTP server that records each request and dedupes by the Idempotency-Key, as a careful receiver does. */
export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const requests: WebhookRequest[] = [];
  const processed: WebhookRequest[] = [];
  const plans = new Map<string, (n: number) => Answer>();
  const counts = new Map<string, number>();
  const hanging = new Set<ServerResponse>();
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const path = req.url ?? '/';
      const r: WebhookRequest = {
        path,
        idempotencyKey: String(req.headers['idempotency-key'] ?? ''),
        signature: String(req.headers['steward-signature'] ?? ''),
        eventType: String(req.headers['steward-event-type'] ?? ''),
        body,
        json: JSON.parse(body),
      };
      requests.push(r);
      const n = counts.get(path) ?? 0;
      counts.set(path, n + 1);
      const answer = (plans.get(path) ?? (() => 200))(n);
      if (answer === 'hang') {
        hanging.add(res);
        return;
      }
      if (answer >= 200 && answer < 300 && !processed.some((p) => p.idempotencyKey === r.idempotencyKey)) processed.push(r);
      res.writeHead(answer, { 'Content-Type': 'text/plain' }).end(String(answer));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    processed,
    answer: (path, plan) => void plans.set(path, plan),
    close: () => {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
