/**
 * "Sign in as myself": the officer's own sign-in (authorization code + PKCE) through the browser;
 * the outcome arrives as a `sign-in` event.
 */
import { useEffect, useState } from 'react';
import type { Bridge } from '../../../shared/ipc/bridge';
import type { Settings } from '../../../shared/settings';
import type { SignInState } from '../../../shared/setup-checks';
import { formatInstant } from '../../app/display-format';
import { useAppEvent } from '../../app/use-app-events';
import { CheckOutcome } from '../form-parts';

type Transport = 'electron' | 'dev-web';

export function OfficerSignIn({
  bridge,
  genesys,
  transport,
  onChecked,
}: {
  bridge: Bridge;
  genesys: Settings['genesys'];
  transport: Transport;
  onChecked?: ((ok: boolean) => void) | undefined;
}) {
  const { state, error, signIn, signOut } = useOfficerSignIn(bridge, genesys, transport, onChecked);
  const signedIn = state?.state === 'signed-in' && state.clientId === genesys.clientId.trim();
  return (
    <div className="field">
      <span className="field-label">Your sign-in</span>
      <div className="row">
        <button type="button" className="primary" onClick={() => void signIn()} disabled={!genesys.clientId.trim()}>
          Sign in as myself
        </button>
        {(signedIn || state?.state === 'waiting') && (
          <button type="button" onClick={() => void signOut()}>
            {signedIn ? 'Sign out' : 'Cancel sign-in'}
          </button>
        )}
      </div>
      <p className="hint">
        Opens Genesys's sign-in page in your browser; it returns to the app on 127.0.0.1. Genesys issues no refresh
        token for this: exports use your sign-in until it expires, and the daily job needs client credentials.
      </p>
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
      {state && <SignInOutcome state={state} signedIn={signedIn} transport={transport} />}
    </div>
  );
}

/** The sign-in as it stands, its state (or its failure) and, once signed in, whether audits may be read. */
function useOfficerSignIn(
  bridge: Bridge,
  genesys: Settings['genesys'],
  transport: Transport,
  onChecked: ((ok: boolean) => void) | undefined,
) {
  const [state, setState] = useState<SignInState | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    void bridge.genesysSignInState({}).then((r) => r.ok && setState(r.value));
  }, [bridge]);

  useAppEvent(bridge, 'sign-in', (s) => {
    setState(s);
    onChecked?.(s.state === 'signed-in' && s.auditPermission === true);
  });

  async function signIn() {
    setError(null);
    const r = await bridge.genesysSignIn({ genesys });
    if (!r.ok) return setError(r.error.message);
    setState(r.value);
    // In a plain browser (dev/test) the page opens Genesys's sign-in itself; the desktop app opens the system browser.
    if (transport === 'dev-web' && r.value.authorizeUrl) window.open(r.value.authorizeUrl, '_blank', 'noopener');
  }

  async function signOut() {
    const r = await bridge.genesysSignOut({});
    if (r.ok) setState(r.value);
  }

  return { state, error, signIn, signOut };
}

function SignInOutcome({
  state,
  signedIn,
  transport,
}: {
  state: SignInState;
  signedIn: boolean;
  transport: Transport;
}) {
  return (
    <>
      {state.state === 'waiting' && (
        <p className="hint" role="status">
          Waiting for you to sign in in the browser…{' '}
          {transport === 'dev-web' && state.authorizeUrl && (
            <a href={state.authorizeUrl} target="_blank" rel="noopener noreferrer">
              Open the sign-in page again
            </a>
          )}
        </p>
      )}
      {state.state === 'failed' && (
        <CheckOutcome ok={false} title="The sign-in failed.">
          <p>{state.error}</p>
        </CheckOutcome>
      )}
      {signedIn && (
        <CheckOutcome
          ok={state.auditPermission === true}
          title={
            state.auditPermission
              ? `Signed in to ${state.organisation?.name ?? state.organisation?.id ?? 'Genesys'} as yourself: you may read audits.`
              : 'Signed in, but you may not read audits (audits:audit:view is missing).'
          }
        >
          {state.expiresAt && <p className="hint">Your sign-in lasts until {formatInstant(state.expiresAt)}.</p>}
          {state.error && <p>{state.error}</p>}
        </CheckOutcome>
      )}
    </>
  );
}
