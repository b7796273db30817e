/**
 * The bridge over the dev/test transport (loopback HTTP), for a normal browser.
 *
 * The server puts a random token in the URL fragment (`#token=…`), which browsers never send to a
 * server. It is read once, kept in sessionStorage for reloads of this tab, and removed from the
 * address bar so it is not copied around. Each call POSTs JSON to `/rpc/<channel>` with the token;
 * pushed events arrive as server-sent events on `GET /events`, read with fetch so the token travels
 * in a header, never in a URL. Nothing here is trusted: the validating bridge checks every answer.
 */
import { bridgeName, type UncheckedBridge } from '../../shared/ipc/bridge';
import { CHANNELS, type Channel } from '../../shared/ipc/contract';
import { fail } from '../../shared/result';

const TOKEN_KEY = 'audit-archive-dev-token';
const TOKEN_HEADER = 'x-audit-archive-token';

/** Takes the token out of `#token=…` (keeping any route after it) into sessionStorage. */
export function takeTokenFromLocation(): string | null {
  const match = /^#token=([A-Za-z0-9_-]+)(.*)$/.exec(window.location.hash);
  if (match?.[1]) {
    sessionStorage.setItem(TOKEN_KEY, match[1]);
    const rest = match[2] ?? '';
    window.history.replaceState(
      null,
      '',
      window.location.pathname + window.location.search + (rest.startsWith('#') ? rest : ''),
    );
  }
  return sessionStorage.getItem(TOKEN_KEY);
}

export function createDevWebBridge(token: string | null): UncheckedBridge {
  async function call(channel: Channel, request: unknown): Promise<unknown> {
    if (!token) {
      return fail('INVALID_REQUEST', 'No dev token: open the exact URL that `npm run dev:web` printed.');
    }
    let response: Response;
    try {
      response = await fetch(`/rpc/${channel}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', [TOKEN_HEADER]: token },
        body: JSON.stringify(request),
      });
    } catch {
      return fail('INTERNAL', 'The Audit Archive dev server is not reachable: is `npm run dev:web` still running?');
    }
    try {
      return (await response.json()) as unknown;
    } catch {
      return fail('INTERNAL', `The dev server answered HTTP ${response.status} without a result.`);
    }
  }

  const functions = Object.fromEntries(CHANNELS.map((c) => [bridgeName(c), (request: unknown) => call(c, request)]));
  return { ...(functions as unknown as Omit<UncheckedBridge, 'subscribe'>), subscribe: eventStream(token) };
}

/** One stream for every subscriber, opened with the first and closed with the last; it reconnects after a drop. */
function eventStream(token: string | null): UncheckedBridge['subscribe'] {
  const listeners = new Set<(event: unknown) => void>();
  let controller: AbortController | null = null;

  const deliver = (frame: string) => {
    const data = frame
      .split('\n')
      .filter((line) => line.startsWith('data: '))
      .map((line) => line.slice('data: '.length))
      .join('\n');
    if (!data) return;
    let message: unknown;
    try {
      message = JSON.parse(data);
    } catch {
      return;
    }
    for (const listener of listeners) listener(message);
  };

  const run = async (signal: AbortSignal) => {
    let delayMs = 500;
    while (!signal.aborted && token) {
      try {
        const response = await fetch('/events', { headers: { [TOKEN_HEADER]: token }, signal, cache: 'no-store' });
        if (!response.ok || !response.body) throw new Error(`HTTP ${response.status}`);
        delayMs = 500;
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += value;
          let end = buffer.indexOf('\n\n');
          while (end >= 0) {
            deliver(buffer.slice(0, end));
            buffer = buffer.slice(end + 2);
            end = buffer.indexOf('\n\n');
          }
        }
      } catch {
        if (signal.aborted) return;
      }
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      delayMs = Math.min(delayMs * 2, 10_000);
    }
  };

  return (listener) => {
    listeners.add(listener);
    if (!controller) {
      controller = new AbortController();
      void run(controller.signal);
    }
    return () => {
      listeners.delete(listener);
      if (listeners.size === 0 && controller) {
        controller.abort();
        controller = null;
      }
    };
  };
}
