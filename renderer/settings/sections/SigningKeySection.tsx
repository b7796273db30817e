/**
 * The archive's signing key: create one here (its private half goes straight to the OS keychain) or
 * import the one another machine exported, and record its fingerprint. A new archive is signed with
 * it, and verify checks that the archive's root names it: a root swapped for another is noticed on
 * any machine that has the fingerprint on record.
 */
import { useEffect, useId, useState } from 'react';
import { formatFingerprint } from '../../../shared/archive-root';
import type { Bridge } from '../../../shared/ipc/bridge';
import type { Settings } from '../../../shared/settings';
import { SIGNING_KEY_KEYCHAIN_REMEDY, type SigningKeyStatus } from '../../../shared/setup-checks';
import type { ResultError } from '../../../shared/result';
import { formatInstant } from '../../app/display-format';
import { Token } from '../../app/Token';
import { CheckOutcome, type SectionProps } from '../form-parts';

type Message = { ok: boolean; text: string };

export function SigningKeySection({
  bridge,
  settings,
  update,
  errors,
  recordedConfirmation,
}: SectionProps & {
  bridge: Bridge;
  /** Setup asks the officer to confirm the fingerprint is on record. */
  recordedConfirmation?: { checked: boolean; onChange: (checked: boolean) => void };
}) {
  const { archive } = settings;
  const key = useSigningKey(bridge, archive, (fingerprint) =>
    update('archive', { signingKeyFingerprint: fingerprint }),
  );
  const [importing, setImporting] = useState(false);
  const recorded = archive.signingKeyFingerprint ?? null;
  return (
    <fieldset>
      <legend>Signing key</legend>
      <p className="hint section-intro">
        Every manifest is signed with the archive&apos;s key, whose fingerprint you record with your compliance records:
        verify then proves, on any machine, that the archive is the one you recorded. The private key stays in the OS
        keychain; only the fingerprint is shown.
      </p>
      <KeyOnRecord recorded={recorded} status={key.status} />
      {errors['archive.signingKeyFingerprint'] && (
        <p className="field-error" role="alert">
          Signing key: {errors['archive.signingKeyFingerprint']}
        </p>
      )}
      <div className="actions key-actions">
        <button type="button" onClick={() => void key.create()}>
          {recorded ? 'Create another key' : 'Create a signing key'}
        </button>
        <button type="button" onClick={() => setImporting((v) => !v)} aria-expanded={importing}>
          Import a key…
        </button>
      </div>
      {importing && <KeyImport onImport={(pem) => key.importKey(pem).then((ok) => ok && setImporting(false))} />}
      {key.message && <CheckOutcome ok={key.message.ok} title={key.message.text} />}
      {recordedConfirmation && recorded && (
        <label className="recorded-confirmation">
          <input
            type="checkbox"
            checked={recordedConfirmation.checked}
            onChange={(e) => recordedConfirmation.onChange(e.target.checked)}
          />{' '}
          I have recorded this fingerprint with our compliance records.
        </label>
      )}
    </fieldset>
  );
}

/**
 * The key as the engine reports it for this archive setting (asked once edits pause), and creating
 * or importing one: `onKey` records the new key's fingerprint in the settings.
 */
function useSigningKey(bridge: Bridge, archive: Settings['archive'], onKey: (fingerprint: string) => void) {
  const [status, setStatus] = useState<SigningKeyStatus | null>(null);
  const [message, setMessage] = useState<Message | null>(null);

  useEffect(() => {
    let live = true;
    const timer = setTimeout(() => {
      void bridge.signingKeyStatus({ archive }).then((r) => {
        if (!live) return;
        if (r.ok) setStatus(r.value);
        else setMessage({ ok: false, text: keyErrorText(r.error) });
      });
    }, 300);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [bridge, archive]);

  async function create() {
    const r = await bridge.signingKeyCreate({});
    if (!r.ok) return setMessage({ ok: false, text: keyErrorText(r.error) });
    onKey(r.value.fingerprint);
    setMessage({ ok: true, text: 'A new signing key was created and stored in the OS keychain.' });
  }

  /** Imports a private key (PEM); whether it was imported. */
  async function importKey(pem: string): Promise<boolean> {
    const r = await bridge.signingKeyImport({ pem });
    if (!r.ok) {
      setMessage({ ok: false, text: keyErrorText(r.error) });
      return false;
    }
    onKey(r.value.fingerprint);
    setMessage({ ok: true, text: 'The key was imported into the OS keychain.' });
    return true;
  }

  return { status, message, create, importKey };
}

/** The fingerprint on record and where the key is held, or the archive's own key, and any mismatch between them. */
function KeyOnRecord({ recorded, status }: { recorded: string | null; status: SigningKeyStatus | null }) {
  const atTarget = status?.archive ?? null;
  const mismatch = recorded !== null && atTarget !== null && atTarget.fingerprint !== recorded;
  return (
    <>
      {recorded ? (
        <div className="fingerprint-box">
          <p className="fingerprint-label">Fingerprint to record (SHA-256 of the public key)</p>
          <p className="fingerprint" aria-label="Signing key fingerprint">
            <code>{formatFingerprint(recorded)}</code>
          </p>
          <p className="hint">
            {status?.recorded?.held === false
              ? 'This installation does not hold this key: import it before exporting.'
              : `Held in ${status?.keptIn ?? 'the OS keychain'}.`}
          </p>
        </div>
      ) : atTarget ? (
        <ArchiveKey atTarget={atTarget} keptIn={status?.keptIn ?? 'the OS keychain'} />
      ) : (
        <p className="hint">No key yet: create one, or import the key of an archive that already exists.</p>
      )}
      {mismatch && (
        <p className="banner banner-error" role="alert">
          The archive at the target is signed with key {formatFingerprint(atTarget.fingerprint)}, not the one recorded
          here. Import that archive&apos;s key, or choose another target.
        </p>
      )}
    </>
  );
}

/** A keychain error in the key's own terms (the keychain's generic advice is about the Genesys secret). */
function keyErrorText(error: ResultError): string {
  return error.code === 'SECRET_STORE_UNAVAILABLE' ? SIGNING_KEY_KEYCHAIN_REMEDY : error.message;
}

/** The key the archive is signed with, as the archive knows it: fingerprint, where it is kept, since when. */
function ArchiveKey({ atTarget, keptIn }: { atTarget: NonNullable<SigningKeyStatus['archive']>; keptIn: string }) {
  return (
    <dl className="facts archive-key" aria-label="The archive's signing key">
      <dt>Fingerprint</dt>
      <dd>
        <Token value={formatFingerprint(atTarget.fingerprint)} what="the signing key's fingerprint" />
      </dd>
      <dt>Kept in</dt>
      <dd>{atTarget.held ? keptIn : `not held by this installation (looked in ${keptIn})`}</dd>
      <dt>Signs since</dt>
      <dd>
        {atTarget.signsSince
          ? `${formatInstant(atTarget.signsSince)} (the archive's creation)`
          : atTarget.viaRotation
            ? 'a key rotation (its record, signed by the key before, is in the archive)'
            : 'unknown'}
      </dd>
      {!atTarget.held && (
        <>
          <dt>What to do</dt>
          <dd>
            Import this key (Import a key…) from the machine that holds it; creating another key would not sign this
            archive.
          </dd>
        </>
      )}
    </dl>
  );
}

/** The private key to import, pasted or read from its file. */
function KeyImport({ onImport }: { onImport: (pem: string) => Promise<unknown> }) {
  const pemId = useId();
  const [pem, setPem] = useState('');
  return (
    <div className="key-import">
      <label htmlFor={pemId}>Private key (PEM), as `audit-archive key export` wrote it</label>
      <textarea
        id={pemId}
        rows={5}
        spellCheck={false}
        autoComplete="off"
        value={pem}
        placeholder="Paste the PEM text the export wrote, or choose its file"
        onChange={(e) => setPem(e.target.value)}
      />
      <div className="actions">
        <input
          type="file"
          accept=".pem,.key,text/plain"
          aria-label="Read the key from a file"
          onChange={(e) => {
            const file = e.target.files?.[0];
            if (file) void file.text().then(setPem);
          }}
        />
        <button type="button" className="primary" disabled={!pem.trim()} onClick={() => void onImport(pem)}>
          Import into the keychain
        </button>
      </div>
    </div>
  );
}
