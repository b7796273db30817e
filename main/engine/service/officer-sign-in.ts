/**
 * "Sign in as myself": an officer's own Genesys sign-in (authorization code + PKCE through the
 * system browser and a loopback redirect), held in memory for this app session only.
 *
 * Genesys issues no refresh token for this grant, so the token lives until it expires; exports and
 * catch-ups started by the officer meanwhile use it, and the daily job (which runs unattended)
 * needs an OAuth client with client credentials instead. The outcome is pushed as a `sign-in`
 * event, with the organisation and whether the officer may read audits.
 */
import { AuditArchiveError } from '../../../shared/errors';
import type { Settings } from '../../../shared/settings';
import type { SignInState } from '../../../shared/setup-checks';
import { checkGenesysConnection } from '../genesys/connection-check';
import { resolveGenesysEndpoints } from '../genesys/endpoints';
import { startPkceSignIn, type PkceSignIn, type SignedInTokenProvider } from '../genesys/pkce';
import type { AppEventHub } from './app-events';

const SIGNED_OUT: SignInState = {
  state: 'signed-out',
  clientId: null,
  authorizeUrl: null,
  organisation: null,
  auditPermission: null,
  expiresAt: null,
  error: null,
};

interface OfficerSignInOptions {
  readonly events: AppEventHub;
  /** Opens a URL in the user's browser (Electron: shell.openExternal). Without it the renderer opens it. */
  readonly openBrowser?: (url: string) => void | Promise<void>;
  readonly env?: NodeJS.ProcessEnv;
  readonly now?: () => number;
}

export class OfficerSignIn {
  private state: SignInState = SIGNED_OUT;
  private token: SignedInTokenProvider | null = null;
  private pending: PkceSignIn | null = null;
  private attempt = 0;

  constructor(private readonly options: OfficerSignInOptions) {}

  /** Where the sign-in stands now (a token past its expiry reads as signed out). */
  current(): SignInState {
    if (this.state.state === 'signed-in' && this.token && this.now() >= this.token.expiresAtMs) {
      this.token = null;
      this.state = { ...SIGNED_OUT, error: 'Your Genesys sign-in expired. Sign in again.' };
    }
    return this.state;
  }

  /** Starts a sign-in with these settings (a pending one is cancelled); the outcome comes as an event. */
  async start(genesys: Settings['genesys']): Promise<SignInState> {
    const clientId = genesys.clientId.trim();
    if (!clientId) {
      throw new AuditArchiveError(
        'INVALID_REQUEST',
        'Enter the OAuth client id of a client that allows "Code Authorization" with PKCE, then sign in.',
        { issues: [{ path: ['genesys', 'clientId'], message: 'Enter the OAuth client id first.' }] },
      );
    }
    const { loginUrl } = resolveGenesysEndpoints(genesys, this.options.env ?? process.env);
    this.pending?.cancel();
    this.token = null;
    const attempt = ++this.attempt;
    const signIn = await startPkceSignIn({
      loginUrl,
      clientId,
      port: genesys.signInRedirectPort,
      openBrowser: (url) => this.options.openBrowser?.(url),
    });
    this.pending = signIn;
    this.set({ ...SIGNED_OUT, state: 'waiting', clientId, authorizeUrl: signIn.authorizeUrl });
    signIn.result.then(
      async (token) => {
        const check = await checkGenesysConnection(genesys, {
          credentials: { token },
          ...(this.options.env ? { env: this.options.env } : {}),
        });
        if (attempt !== this.attempt) return;
        this.pending = null;
        this.token = token;
        const permission = check.steps.find((s) => s.step === 'permission');
        this.set({
          state: 'signed-in',
          clientId,
          authorizeUrl: null,
          organisation: check.organisation ? { id: check.organisation.id, name: check.organisation.name } : null,
          auditPermission: permission ? permission.ok : null,
          expiresAt: new Date(token.expiresAtMs).toISOString(),
          error: check.ok ? null : (check.steps.find((s) => !s.ok)?.detail ?? null),
        });
      },
      (e: unknown) => {
        if (attempt !== this.attempt) return;
        this.pending = null;
        this.set({
          ...SIGNED_OUT,
          state: 'failed',
          clientId,
          error: e instanceof AuditArchiveError ? e.message : 'The sign-in failed; start it again.',
        });
      },
    );
    return this.state;
  }

  /** Forgets the token and stops a sign-in that is waiting for the browser. */
  signOut(): SignInState {
    this.attempt++;
    this.pending?.cancel();
    this.pending = null;
    this.token = null;
    this.set(SIGNED_OUT);
    return this.state;
  }

  /** The officer's token for this client, while valid. */
  tokenFor(clientId: string): SignedInTokenProvider | null {
    const state = this.current();
    return state.state === 'signed-in' && state.clientId === clientId.trim() ? this.token : null;
  }

  private set(state: SignInState): void {
    this.state = state;
    this.options.events.emit('sign-in', state);
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }
}
