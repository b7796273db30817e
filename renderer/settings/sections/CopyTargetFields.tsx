/**
 * The second locked copy (`archive.copy`, SEC 17a-4(f)(2)(v)'s backup set): another S3 bucket with
 * Object Lock and how it is filled (the product writes it, or S3 Replication does and the product
 * checks it), with "Check the copy bucket", which checks it as the primary is checked (it exists,
 * Object Lock and versioning on, no default retention shorter than the policy), as the engine
 * refuses a copy (the primary itself, inside or around it) and, in write mode, whether the
 * credentials may write there (main/engine/service/copy-storage-check.ts): its verdict is said on the field.
 */
import { useEffect, useState } from 'react';
import type { Bridge } from '../../../shared/ipc/bridge';
import type { Settings } from '../../../shared/settings';
import type { StorageCheck } from '../../../shared/setup-checks';
import type { FieldErrors } from '../field-errors';
import { CheckOutcome, Field } from '../form-parts';

type ArchiveSettings = Settings['archive'];

export function CopyTargetFields({
  bridge,
  archive,
  errors,
  set,
  onChecked,
}: {
  bridge: Bridge;
  archive: ArchiveSettings;
  errors: FieldErrors;
  set: (patch: Partial<ArchiveSettings>) => void;
  onChecked?: ((ready: boolean | null) => void) | undefined;
}) {
  const copy = archive.copy;
  const check = useCopyCheck(bridge, archive, onChecked);
  const setCopy = (patch: Partial<ArchiveSettings['copy']>) => set({ copy: { ...copy, ...patch } });
  const refused = check.result && !check.result.ok ? check.result.reason : undefined;
  return (
    <>
      <Field
        label="Second locked copy"
        error={errors['archive.copy.target'] ?? refused ?? check.failure ?? undefined}
        hint="Optional: s3://bucket/prefix of another bucket with Object Lock, ideally in another region or account (the backup set of SEC 17a-4(f)(2)(v)). Reached with the same endpoint and credentials as the archive. Empty: no copy."
      >
        {(id) => (
          <input
            id={id}
            type="text"
            spellCheck={false}
            autoComplete="off"
            placeholder="s3://audit-archive-copy/genesys"
            value={copy.target}
            onChange={(e) => setCopy({ target: e.target.value.trim() })}
          />
        )}
      </Field>
      <Field
        label="How the copy is filled"
        error={errors['archive.copy.mode']}
        hint="Written by this product after the primary (catch-up repairs what is missing), or by an S3 Replication rule that the product only checks."
      >
        {(id) => (
          <select
            id={id}
            value={copy.mode}
            onChange={(e) => setCopy({ mode: e.target.value as ArchiveSettings['copy']['mode'] })}
          >
            <option value="write">Written by this product (write)</option>
            <option value="check">Filled by S3 Replication, checked here (check)</option>
          </select>
        )}
      </Field>
      <div className="field">
        <span className="field-label">Check the copy</span>
        <div className="row">
          <button type="button" onClick={() => void check.run()} disabled={check.checking || !copy.target}>
            {check.checking ? 'Checking…' : 'Check the copy bucket'}
          </button>
        </div>
        <p className="hint">
          Reads the copy bucket&apos;s Object Lock, default retention and versioning with your credentials, and refuses
          the primary&apos;s own bucket and prefix; in write mode, asks whether they may write there with a write the
          store refuses for its checksum. Stores nothing.
        </p>
        {check.result?.ok && <CopyReady check={check.result} />}
      </div>
    </>
  );
}

/** The copy's check; a change to what was checked drops the verdict. */
function useCopyCheck(
  bridge: Bridge,
  archive: ArchiveSettings,
  onChecked: ((ready: boolean | null) => void) | undefined,
) {
  const [result, setResult] = useState<StorageCheck | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [checking, setChecking] = useState(false);
  useEffect(() => {
    setResult(null);
    setFailure(null);
    onChecked?.(null);
  }, [
    archive.copy.target,
    archive.copy.mode,
    archive.target,
    archive.s3.endpoint,
    archive.s3.region,
    archive.s3.forcePathStyle,
    archive.s3.profile,
    archive.lockMode,
    archive.retentionDays,
  ]);
  async function run() {
    setChecking(true);
    setFailure(null);
    const r = await bridge.storageCheckCopy({ archive });
    setChecking(false);
    if (!r.ok) return setFailure(r.error.message);
    setResult(r.value);
    onChecked?.(r.value.ok);
  }
  return { result, failure, checking, run };
}

function CopyReady({ check }: { check: StorageCheck }) {
  const b = check.bucket;
  return (
    <CheckOutcome ok title="Ready: this bucket can hold the second locked copy.">
      <p className="check-reason">{check.reason}</p>
      {b && (
        <dl className="facts check-facts">
          <dt>Object Lock</dt>
          <dd>{b.objectLock ? 'enabled' : 'not enabled'}</dd>
          <dt>Versioning</dt>
          <dd>{b.versioning ?? 'unknown'}</dd>
          <dt>Default retention</dt>
          <dd>{b.defaultRetention ? `${b.defaultRetention.mode}, ${b.defaultRetention.days} days` : 'none'}</dd>
        </dl>
      )}
      {check.warnings.length > 0 && (
        <ul className="plain check-warnings">
          {check.warnings.map((w) => (
            <li key={w}>{w}</li>
          ))}
        </ul>
      )}
    </CheckOutcome>
  );
}
