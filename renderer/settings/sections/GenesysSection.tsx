/**
 * Genesys Cloud: the region and the OAuth client, with the live check that it logs in and may read
 * audits, or an officer's own sign-in (PKCE) through the browser. The client secret goes straight
 * to the OS keychain and is never shown again; only whether it is stored comes back.
 */
import { useEffect, useId, useState } from 'react';
import { GENESYS_HOSTS } from '../../../shared/genesys-regions';
import type { Bridge } from '../../../shared/ipc/bridge';
import type { ConnectionCheck, SignInState } from '../../../shared/setup-checks';
import type { Settings } from '../../../shared/settings';
import { formatInstant } from '../../app/display-format';
import { useAppEvent } from '../../app/use-app-events';
import { CheckOutcome, Field, NumberInput, OptionalText, type SectionProps } from '../form-parts';

export function GenesysSection({
  bridge,
  settings,
  update,
  errors,
  transport,
  advanced = true,
  onChecked,
}: SectionProps & {
  bridge: Bridge;
  transport: 'electron' | 'dev-web';
  /** Show the fields most organisations never change (URLs, rate budget, retention, redirect port). */
  advanced?: boolean;
  /** Whether the connection was proved (test connection passed, or signed in with the permission). */
  onChecked?: (ok: boolean) => void;
}) {
  const { genesys } = settings;
  const [check, setCheck] = useState<ConnectionCheck | null>(null);
  const [checking, setChecking] = useState(false);
  const [checkError, setCheckError] = useState<string | null>(null);

  // A change to what was tested makes the last result stale.
  useEffect(() => {
    setCheck(null);
    onChecked?.(false);
  }, [genesys.clientId, genesys.region, genesys.apiUrl, genesys.loginUrl, genesys.authMode]);

  async function testConnection() {
    setChecking(true);
    setCheckError(null);
    const r = await bridge.genesysTestConnection({ genesys });
    setChecking(false);
    if (r.ok) {
      setCheck(r.value);
      onChecked?.(r.value.ok);
    } else {
      setCheckError(r.error.message);
    }
  }

  const set = (patch: Partial<Settings['genesys']>) => update('genesys', patch);
  return (
    <fieldset>
      <legend>Genesys Cloud</legend>
      <Field label="Region" error={errors['genesys.region']} hint="The region where your OAuth client was created.">
        {(id) => (
          <select
            id={id}
            value={genesys.region}
            onChange={(e) => set({ region: e.target.value as Settings['genesys']['region'] })}
          >
            {GENESYS_HOSTS.map((host) => (
              <option key={host} value={host}>
                {host}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field label="Sign-in method" error={errors['genesys.authMode']}>
        {(id) => (
          <select
            id={id}
            value={genesys.authMode}
            onChange={(e) => set({ authMode: e.target.value as Settings['genesys']['authMode'] })}
          >
            <option value="client-credentials">OAuth client credentials (unattended, for the daily job)</option>
            <option value="pkce">Sign in as myself (authorization code + PKCE)</option>
          </select>
        )}
      </Field>
      <Field
        label="OAuth client ID"
        error={errors['genesys.clientId']}
        hint={
          genesys.authMode === 'pkce'
            ? 'A "Code Authorization" client with PKCE, scope audits:readonly.'
            : 'A "Client Credentials" client whose role has Audits > Audit > View (audits:audit:view).'
        }
      >
        {(id) => (
          <input
            id={id}
            type="text"
            autoComplete="off"
            spellCheck={false}
            value={genesys.clientId}
            onChange={(e) => set({ clientId: e.target.value })}
          />
        )}
      </Field>
      {genesys.authMode === 'client-credentials' ? (
        <ClientSecret bridge={bridge} clientId={genesys.clientId.trim()} />
      ) : (
        <OfficerSignIn bridge={bridge} genesys={genesys} transport={transport} onChecked={onChecked} />
      )}
      <div className="field">
        <span className="field-label">Connection</span>
        <div className="row">
          <button type="button" onClick={() => void testConnection()} disabled={checking || !genesys.clientId.trim()}>
            {checking ? 'Testing…' : 'Test connection'}
          </button>
        </div>
        <p className="hint">
          Logs in, reads the organisation and checks the audits:audit:view permission. Archives nothing.
        </p>
        {checkError && (
          <p className="field-error" role="alert">
            {checkError}
          </p>
        )}
        {check && <ConnectionOutcome check={check} />}
      </div>
      {advanced && (
        <>
          <Field
            label="API URL"
            error={errors['genesys.apiUrl']}
            hint={`Leave empty for https://api.${genesys.region}; set it for a private gateway.`}
          >
            {(id) => (
              <OptionalText
                id={id}
                value={genesys.apiUrl}
                placeholder={`https://api.${genesys.region}`}
                onChange={(v) => set({ apiUrl: v })}
              />
            )}
          </Field>
          <Field
            label="Login URL"
            error={errors['genesys.loginUrl']}
            hint={`Leave empty for https://login.${genesys.region}.`}
          >
            {(id) => (
              <OptionalText
                id={id}
                value={genesys.loginUrl}
                placeholder={`https://login.${genesys.region}`}
                onChange={(v) => set({ loginUrl: v })}
              />
            )}
          </Field>
          {genesys.authMode === 'pkce' && (
            <Field
              label="Sign-in redirect port"
              error={errors['genesys.signInRedirectPort']}
              hint={`Register http://127.0.0.1:${genesys.signInRedirectPort}/oauth/callback as a redirect URI on the OAuth client.`}
            >
              {(id) => (
                <NumberInput
                  id={id}
                  value={genesys.signInRedirectPort}
                  onChange={(n) => set({ signInRedirectPort: n })}
                />
              )}
            </Field>
          )}
          <Field
            label="Query one service at a time"
            error={errors['genesys.perServiceQueries']}
            hint="For organisations that still require a service name on every audit query."
            inline
          >
            {(id) => (
              <input
                id={id}
                type="checkbox"
                checked={genesys.perServiceQueries}
                onChange={(e) => set({ perServiceQueries: e.target.checked })}
              />
            )}
          </Field>
          <Field
            label="Requests per minute"
            error={errors['genesys.requestsPerMinute']}
            hint="Shared by everything that calls Genesys; client-credentials tokens allow 300."
          >
            {(id) => (
              <NumberInput id={id} value={genesys.requestsPerMinute} onChange={(n) => set({ requestsPerMinute: n })} />
            )}
          </Field>
          <Field
            label="Genesys keeps audit events (days)"
            error={errors['genesys.retentionDays']}
            hint="Older days cannot be exported any more (unrecoverable). Genesys guarantees at least 365."
          >
            {(id) => <NumberInput id={id} value={genesys.retentionDays} onChange={(n) => set({ retentionDays: n })} />}
          </Field>
        </>
      )}
    </fieldset>
  );
}

function ConnectionOutcome({ check }: { check: ConnectionCheck }) {
  const title = check.ok
    ? `Connected to ${check.organisation?.name ?? check.organisation?.id ?? check.organisation?.apiHost ?? 'Genesys'}: the client may read audits.`
    : check.missingPermission
      ? `The client may not read audits: it is missing ${check.missingPermission}.`
      : 'The connection failed.';
  return (
    <CheckOutcome ok={check.ok} title={title}>
      <ul className="check-steps" aria-label="Connection checks">
        {check.steps.map((s) => (
          <li key={s.step} className={s.ok ? 'step-ok' : 'step-failed'}>
            <strong>{s.step === 'login' ? 'Login' : s.step === 'organisation' ? 'Organisation' : 'Permission'}:</strong>{' '}
            {s.detail}
          </li>
        ))}
      </ul>
    </CheckOutcome>
  );
}

/** The write-only client secret: stored in the OS keychain under the client id, never read back. */
function ClientSecret({ bridge, clientId }: { bridge: Bridge; clientId: string }) {
  const id = useId();
  const [secret, setSecret] = useState('');
  const [stored, setStored] = useState<boolean | null>(null);
  const [message, setMessage] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);

  useEffect(() => {
    let live = true;
    if (!clientId) {
      setStored(false);
      return;
    }
    const timer = setTimeout(() => {
      void bridge.secretsStatus({ clientId }).then((r) => {
        if (!live) return;
        if (r.ok) setStored(r.value.genesysClientSecret);
        else setMessage({ kind: 'error', text: r.error.message });
      });
    }, 250);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [bridge, clientId]);

  async function store() {
    const r = await bridge.secretsSetGenesysClientSecret({ secret, ...(clientId ? { clientId } : {}) });
    if (r.ok) {
      setSecret('');
      setStored(true);
      setMessage({ kind: 'ok', text: 'Stored in the OS keychain.' });
    } else {
      setMessage({ kind: 'error', text: r.error.message });
    }
  }

  async function clear() {
    const r = await bridge.secretsClearGenesysClientSecret(clientId ? { clientId } : {});
    if (r.ok) {
      setStored(false);
      setMessage({ kind: 'ok', text: r.value.cleared ? 'Removed from the OS keychain.' : 'No secret was stored.' });
    } else {
      setMessage({ kind: 'error', text: r.error.message });
    }
  }

  return (
    <div className="field">
      <label htmlFor={id}>Client secret</label>
      <div className="row">
        <input
          id={id}
          type="password"
          autoComplete="new-password"
          placeholder={stored ? '•••••••• (stored; type to replace)' : ''}
          value={secret}
          onChange={(e) => setSecret(e.target.value)}
        />
        <button type="button" onClick={() => void store()} disabled={secret.length === 0 || !clientId}>
          Store in keychain
        </button>
        {stored && (
          <button type="button" onClick={() => void clear()}>
            Remove
          </button>
        )}
      </div>
      <p className="hint">
        {!clientId
          ? 'Enter the client ID first; its secret is stored under it.'
          : stored === null
            ? 'Checking the OS keychain…'
            : stored
              ? 'A client secret for this client ID is stored in the OS keychain. It is never shown again.'
              : 'No client secret stored for this client ID. It is kept in the OS keychain, never in the settings file.'}
      </p>
      {message && (
        <p
          className={message.kind === 'ok' ? 'field-ok' : 'field-error'}
          role={message.kind === 'ok' ? 'status' : 'alert'}
        >
          {message.text}
        </p>
      )}
    </div>
  );
}

/** "Sign in as myself": PKCE through the browser; the outcome arrives as an event. */
function OfficerSignIn({
  bridge,
  genesys,
  transport,
  onChecked,
}: {
  bridge: Bridge;
  genesys: Settings['genesys'];
  transport: 'electron' | 'dev-web';
  onChecked?: ((ok: boolean) => void) | undefined;
}) {
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
      {state?.state === 'waiting' && (
        <p className="hint" role="status">
          Waiting for you to sign in in the browser…{' '}
          {transport === 'dev-web' && state.authorizeUrl && (
            <a href={state.authorizeUrl} target="_blank" rel="noopener noreferrer">
              Open the sign-in page again
            </a>
          )}
        </p>
      )}
      {state?.state === 'failed' && (
        <CheckOutcome ok={false} title="The sign-in failed.">
          <p>{state.error}</p>
        </CheckOutcome>
      )}
      {signedIn && state && (
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
    </div>
  );
}
