/**
 * Genesys Cloud: the region and the OAuth client, with the live check that it logs in and may read
 * audits, or an officer's own sign-in (PKCE) through the browser. The client secret goes straight
 * to the OS keychain and is never shown again; only whether it is stored comes back.
 */
import { useEffect, useState } from 'react';
import { GENESYS_HOSTS } from '../../../shared/genesys-regions';
import type { Bridge } from '../../../shared/ipc/bridge';
import type { ConnectionCheck } from '../../../shared/setup-checks';
import type { Settings } from '../../../shared/settings';
import type { FieldErrors } from '../field-errors';
import { CheckOutcome, Field, NumberInput, OptionalText, type SectionProps } from '../form-parts';
import { ClientSecretField } from './ClientSecretField';
import { OfficerSignIn } from './OfficerSignIn';

type GenesysSettings = Settings['genesys'];

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
  const set = (patch: Partial<GenesysSettings>) => update('genesys', patch);
  return (
    <fieldset>
      <legend>Genesys Cloud</legend>
      <ClientFields genesys={genesys} errors={errors} set={set} />
      {genesys.authMode === 'client-credentials' ? (
        <ClientSecretField bridge={bridge} clientId={genesys.clientId.trim()} />
      ) : (
        <OfficerSignIn bridge={bridge} genesys={genesys} transport={transport} onChecked={onChecked} />
      )}
      <ConnectionTest bridge={bridge} genesys={genesys} onChecked={onChecked} />
      {advanced && <AdvancedGenesysFields genesys={genesys} errors={errors} set={set} />}
    </fieldset>
  );
}

interface GenesysFieldsProps {
  genesys: GenesysSettings;
  errors: FieldErrors;
  set: (patch: Partial<GenesysSettings>) => void;
}

/** The region, how the app signs in, and the OAuth client. */
function ClientFields({ genesys, errors, set }: GenesysFieldsProps) {
  return (
    <>
      <Field label="Region" error={errors['genesys.region']} hint="The region where your OAuth client was created.">
        {(id) => (
          <select
            id={id}
            value={genesys.region}
            onChange={(e) => set({ region: e.target.value as GenesysSettings['region'] })}
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
            onChange={(e) => set({ authMode: e.target.value as GenesysSettings['authMode'] })}
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
    </>
  );
}

/** "Test connection": logs in, reads the organisation, checks the permission; a change to what was tested drops the result. */
function ConnectionTest({
  bridge,
  genesys,
  onChecked,
}: {
  bridge: Bridge;
  genesys: GenesysSettings;
  onChecked: ((ok: boolean) => void) | undefined;
}) {
  const [check, setCheck] = useState<ConnectionCheck | null>(null);
  const [checking, setChecking] = useState(false);
  const [checkError, setCheckError] = useState<string | null>(null);

  useEffect(() => {
    setCheck(null);
    onChecked?.(false);
  }, [genesys.clientId, genesys.region, genesys.apiUrl, genesys.loginUrl, genesys.authMode]);

  async function testConnection() {
    setChecking(true);
    setCheckError(null);
    const r = await bridge.genesysTestConnection({ genesys });
    setChecking(false);
    if (!r.ok) return setCheckError(r.error.message);
    setCheck(r.value);
    onChecked?.(r.value.ok);
  }

  return (
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
  );
}

/** The fields most organisations never change: URLs, the redirect port, the rate budget, Genesys's retention. */
function AdvancedGenesysFields({ genesys, errors, set }: GenesysFieldsProps) {
  return (
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
            <NumberInput id={id} value={genesys.signInRedirectPort} onChange={(n) => set({ signInRedirectPort: n })} />
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
