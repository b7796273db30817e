/**
 * Where the archive lives: an S3 bucket with Object Lock (bucket, prefix, region, endpoint, path
 * style, AWS profile) or a local folder (flagged: not WORM), with "Check" reporting what the target
 * is (Object Lock, mode, default retention, versioning, an archive already there) and "Create
 * bucket" for a new one, behind a loud confirmation for COMPLIANCE, which cannot be undone.
 */
import { useEffect, useState } from 'react';
import { formatFingerprint } from '../../../shared/archive-root';
import type { Bridge } from '../../../shared/ipc/bridge';
import type { Settings } from '../../../shared/settings';
import type { BucketInitResult, StorageCheck } from '../../../shared/setup-checks';
import { CheckOutcome, Field, OptionalText, type SectionProps } from '../form-parts';

type TargetKind = 's3' | 'local';

/** `s3://bucket/prefix` -> its parts. */
export function s3Parts(target: string): { bucket: string; prefix: string } {
  const rest = target.startsWith('s3://') ? target.slice('s3://'.length) : '';
  const slash = rest.indexOf('/');
  return slash < 0 ? { bucket: rest, prefix: '' } : { bucket: rest.slice(0, slash), prefix: rest.slice(slash + 1) };
}

export function s3Target(bucket: string, prefix: string): string {
  const p = prefix.trim().replace(/^\/+|\/+$/g, '');
  return bucket.trim() ? `s3://${bucket.trim()}${p ? `/${p}` : ''}` : '';
}

/** A folder as typed -> a `file://` URL (the engine refuses a relative path or `..`, naming the field). */
export function folderTarget(folder: string): string {
  const p = folder.trim().replace(/\\/g, '/');
  if (!p) return '';
  return `file://${encodeURI(/^[A-Za-z]:\//.test(p) ? `/${p}` : p)}`;
}

export function folderOf(target: string): string {
  if (!target.startsWith('file://')) return '';
  try {
    return decodeURI(target.slice('file://'.length));
  } catch {
    return target.slice('file://'.length);
  }
}

export function ArchiveTargetSection({
  bridge,
  settings,
  update,
  errors,
  onChecked,
}: SectionProps & { bridge: Bridge; onChecked?: (check: StorageCheck | null) => void }) {
  const { archive } = settings;
  const [kind, setKind] = useState<TargetKind>(archive.target.startsWith('s3://') ? 's3' : 'local');
  const [check, setCheck] = useState<StorageCheck | null>(null);
  const [checking, setChecking] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const [confirming, setConfirming] = useState(false);
  const [init, setInit] = useState<BucketInitResult | null>(null);
  const [initFailure, setInitFailure] = useState<string | null>(null);
  const { bucket, prefix } = s3Parts(archive.target);
  const set = (patch: Partial<Settings['archive']>) => update('archive', patch);
  const setS3 = (patch: Partial<Settings['archive']['s3']>) => set({ s3: { ...archive.s3, ...patch } });

  // What was checked changed: the verdict no longer holds.
  useEffect(() => {
    setCheck(null);
    setInit(null);
    onChecked?.(null);
  }, [
    archive.target,
    archive.s3.endpoint,
    archive.s3.region,
    archive.s3.forcePathStyle,
    archive.s3.profile,
    archive.lockMode,
    archive.retentionDays,
  ]);

  async function runCheck() {
    setChecking(true);
    setFailure(null);
    const r = await bridge.storageCheck({ archive });
    setChecking(false);
    if (r.ok) {
      setCheck(r.value);
      onChecked?.(r.value);
    } else {
      setFailure(r.error.message);
    }
  }

  async function createBucket(confirmCompliance: boolean) {
    setConfirming(false);
    setInitFailure(null);
    const r = await bridge.storageInitBucket({ archive, confirmCompliance });
    if (r.ok) {
      setInit(r.value);
      await runCheck();
    } else {
      setInitFailure(r.error.message);
    }
  }

  return (
    <fieldset>
      <legend>Archive location</legend>
      <Field label="Kind of storage" hint="S3 with Object Lock is WORM storage; a local folder is not.">
        {(id) => (
          <select
            id={id}
            value={kind}
            onChange={(e) => {
              const next = e.target.value as TargetKind;
              setKind(next);
              set({ target: next === 's3' ? s3Target(bucket, prefix) : '' });
            }}
          >
            <option value="s3">S3 bucket with Object Lock (WORM)</option>
            <option value="local">Local folder (not WORM)</option>
          </select>
        )}
      </Field>
      {kind === 's3' ? (
        <>
          <Field
            label="Bucket"
            error={errors['archive.target']}
            hint="3-63 lowercase letters, digits, dots and hyphens."
          >
            {(id) => (
              <input
                id={id}
                type="text"
                spellCheck={false}
                autoComplete="off"
                placeholder="my-audit-archive"
                value={bucket}
                onChange={(e) => set({ target: s3Target(e.target.value, prefix) })}
              />
            )}
          </Field>
          <Field label="Prefix" hint="A folder inside the bucket, e.g. genesys/prod. Empty: the whole bucket.">
            {(id) => (
              <input
                id={id}
                type="text"
                spellCheck={false}
                autoComplete="off"
                placeholder="genesys"
                value={prefix}
                onChange={(e) => set({ target: s3Target(bucket, e.target.value) })}
              />
            )}
          </Field>
          <Field
            label="S3 region"
            error={errors['archive.s3.region']}
            hint="Empty: the AWS SDK's (AWS_REGION, your profile)."
          >
            {(id) => (
              <OptionalText
                id={id}
                value={archive.s3.region}
                placeholder="eu-west-1"
                onChange={(v) => setS3({ region: v })}
              />
            )}
          </Field>
          <Field
            label="S3 endpoint"
            error={errors['archive.s3.endpoint']}
            hint="Only for S3-compatible stores (e.g. https://s3.example.com); empty for AWS."
          >
            {(id) => (
              <OptionalText
                id={id}
                value={archive.s3.endpoint}
                placeholder="https://s3.example.com"
                onChange={(v) => setS3({ endpoint: v })}
              />
            )}
          </Field>
          <Field
            label="Path-style URLs"
            error={errors['archive.s3.forcePathStyle']}
            hint="Most S3-compatible stores need this."
            inline
          >
            {(id) => (
              <input
                id={id}
                type="checkbox"
                checked={archive.s3.forcePathStyle}
                onChange={(e) => setS3({ forcePathStyle: e.target.checked })}
              />
            )}
          </Field>
          <Field
            label="AWS profile"
            error={errors['archive.s3.profile']}
            hint="A profile from ~/.aws/config for the credentials (SSO included). Empty: the AWS SDK's default chain."
          >
            {(id) => (
              <OptionalText
                id={id}
                value={archive.s3.profile}
                placeholder="audit-archive"
                onChange={(v) => setS3({ profile: v })}
              />
            )}
          </Field>
        </>
      ) : (
        <>
          <Field
            label="Folder"
            error={errors['archive.target']}
            hint="An absolute path. Empty: the archive folder in the app's data directory."
          >
            {(id) => (
              <input
                id={id}
                type="text"
                spellCheck={false}
                autoComplete="off"
                placeholder="/srv/audit-archive"
                value={folderOf(archive.target)}
                onChange={(e) => set({ target: folderTarget(e.target.value) })}
              />
            )}
          </Field>
          <p className="banner banner-warning not-worm-note" role="note">
            <strong>A local folder is not WORM storage.</strong> Anyone with access to it can delete or change the
            files. For SEC 17a-4(f) the folder must itself sit on WORM storage (such as a NetApp SnapLock share).
          </p>
        </>
      )}
      <div className="field">
        <span className="field-label">Check</span>
        <div className="row">
          <button type="button" onClick={() => void runCheck()} disabled={checking || (kind === 's3' && !bucket)}>
            {checking ? 'Checking…' : kind === 's3' ? 'Check bucket' : 'Check folder'}
          </button>
          {check?.canInit && (
            <button
              type="button"
              className={archive.lockMode === 'COMPLIANCE' ? 'danger' : 'primary'}
              onClick={() => (archive.lockMode === 'COMPLIANCE' ? setConfirming(true) : void createBucket(false))}
            >
              {check.verdict === 'create' ? 'Create bucket' : 'Set the default retention'}
            </button>
          )}
        </div>
        <p className="hint">
          {kind === 's3'
            ? "Reads the bucket's Object Lock, default retention and versioning with your credentials. Changes nothing."
            : 'Checks that the folder can be written. Changes nothing.'}
        </p>
        {failure && (
          <p className="field-error" role="alert">
            {failure}
          </p>
        )}
        {confirming && (
          <div
            className="confirm"
            role="alertdialog"
            aria-labelledby="confirm-bucket-title"
            aria-describedby="confirm-bucket-text"
          >
            <p id="confirm-bucket-title">
              <strong>Create {bucket} with COMPLIANCE retention?</strong>
            </p>
            <p id="confirm-bucket-text">
              Every object written to it will be locked for {archive.retentionDays} days: nobody, not even the AWS
              account&apos;s root user, can delete it or shorten its retention, and the bucket cannot be deleted while
              it holds locked objects. <strong>This cannot be undone.</strong> For a trial, choose GOVERNANCE mode in
              the retention policy instead.
            </p>
            <div className="actions">
              <button type="button" className="danger" onClick={() => void createBucket(true)}>
                Create with COMPLIANCE retention
              </button>
              <button type="button" onClick={() => setConfirming(false)}>
                Cancel
              </button>
            </div>
          </div>
        )}
        {initFailure && (
          <p className="field-error" role="alert">
            {initFailure}
          </p>
        )}
        {init && (
          <CheckOutcome
            ok
            title={`${init.created ? 'Created' : 'Updated'} ${init.bucket}: Object Lock on, default retention ${init.defaultRetention.mode} ${init.defaultRetention.days} days.`}
          >
            <details>
              <summary>The exporter&apos;s least-privilege IAM policy (give it to whoever manages AWS access)</summary>
              <pre className="iam-policy">{init.iamPolicy}</pre>
            </details>
          </CheckOutcome>
        )}
        {check && <StorageOutcome check={check} />}
      </div>
    </fieldset>
  );
}

function StorageOutcome({ check }: { check: StorageCheck }) {
  const title =
    check.verdict === 'ready'
      ? check.worm
        ? 'Ready: this bucket can hold the archive.'
        : 'Ready, but not WORM: a local folder.'
      : check.verdict === 'create'
        ? 'The bucket does not exist yet.'
        : check.verdict === 'not-worm'
          ? 'Refused: this bucket cannot hold the archive.'
          : check.verdict === 'retention-too-short'
            ? "Refused: the bucket's default retention is shorter than the policy."
            : 'The target cannot be used.';
  const b = check.bucket;
  return (
    <CheckOutcome ok={check.ok} title={title}>
      <p className="check-reason">{check.reason}</p>
      {b && b.exists && (
        <dl className="facts check-facts">
          <dt>Object Lock</dt>
          <dd>{b.objectLock ? 'enabled' : 'not enabled'}</dd>
          <dt>Versioning</dt>
          <dd>{b.versioning ?? 'unknown'}</dd>
          <dt>Default retention</dt>
          <dd>{b.defaultRetention ? `${b.defaultRetention.mode}, ${b.defaultRetention.days} days` : 'none'}</dd>
        </dl>
      )}
      {check.archive && (
        <p className="hint">
          Already holds {check.archive.purpose === 'demo' ? 'a demo archive' : 'an archive'} of{' '}
          {check.archive.organisation}, signed with key {formatFingerprint(check.archive.keyFingerprint)}
          {check.archive.keyHeld ? ' (held here)' : ' (not held here: import it)'}.
        </p>
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
