/** The simulator's HTTP plumbing: Genesys's error body, the fault a handler throws, sending and reading bodies. */
import { randomUUID } from 'node:crypto';
import { type IncomingMessage, type ServerResponse } from 'node:http';

/** Genesys's documented error body. */
export function errorBody(status: number, code: string, message: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ message, code, status, contextId: randomUUID(), details: [], errors: [], ...extra });
}

/** Thrown by a handler: answered as the documented error body with this status and code. */
export class HttpFault extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export function send(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  // Encode once: pages are ~500 KB of text, and byteLength + write would encode twice.
  const bytes = Buffer.from(body, 'utf8');
  res.writeHead(status, {
    'content-type': 'application/json; charset=UTF-8',
    'content-length': bytes.length,
    ...headers,
  });
  res.end(bytes);
}

/** Answers what a handler threw: its HttpFault, or a 500 (unless an answer has already begun). */
export function answerError(res: ServerResponse, e: unknown): void {
  if (res.headersSent || res.destroyed) return;
  if (e instanceof HttpFault) send(res, e.status, errorBody(e.status, e.code, e.message));
  else send(res, 500, errorBody(500, 'internal.server.error', 'The simulator failed to answer.'));
}

export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
