/**
 * Where the archive lives: an S3 bucket with Object Lock (bucket, prefix, region, endpoint, path
 * style, AWS profile) or a local folder (flagged: not WORM), with "Check" reporting what the target
 * is (Object Lock, mode, default retention, versioning, an archive already there) and "Create
 * bucket" for a new one, behind a loud confirmation for COMPLIANCE, which cannot be undone; on S3,
 * the optional second locked copy and its check (CopyTargetFields.tsx).
 */
import { useEffect, useState } from 'react';
import { formatFingerprint } from '../../../shared/archive-root';
import type { Bridge } from '../../../shared/ipc/bridge';
import type { Settings } from '../../../shared/settings';
import type { BucketInitResult, StorageCheck } from '../../../shared/setup-checks';
import type { FieldErrors } from '../field-errors';
import { CheckOutcome, Field, OptionalText, type SectionProps } from '../form-parts';
import { CopyTargetFields } from './CopyTargetFields';
import {
  BUCKET_RULE,
  bucketNameProblem,
  folderOf,
  folderTarget,
  s3Parts,
  s3Target,
  type TargetKind,
} from './archive-target';

type ArchiveSettings = Settings['archive'];

export function ArchiveTargetSection({
  bridge,
  settings,
  update,
  errors,
  onChecked,
  onCopyChecked,
}: SectionProps & {
  bridge: Bridge;
  onChecked?: (check: StorageCheck | null) => void;
  /** Whether the second locked copy was checked ready (null: not checked since it changed). */
  onCopyChecked?: (ready: boolean | null) => void;
}) {
  const { archive } = settings;
  const [kind, setKind] = useState<TargetKind>(archive.target.startsWith('s3://') ? 's3' : 'local');
  const { bucket, prefix } = s3Parts(archive.target);
  const set = (patch: Partial<ArchiveSettings>) => update('archive', patch);

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
        <S3Fields archive={archive} errors={errors} set={set} />
      ) : (
        <FolderFields archive={archive} errors={errors} set={set} />
      )}
      <TargetCheck bridge={bridge} archive={archive} kind={kind} bucket={bucket} onChecked={onChecked} />
      {kind === 's3' && (
        <CopyTargetFields bridge={bridge} archive={archive} errors={errors} set={set} onChecked={onCopyChecked} />
      )}
    </fieldset>
  );
}

function S3Fields({
  archive,
  errors,
  set,
}: {
  archive: ArchiveSettings;
  errors: FieldErrors;
  set: (patch: Partial<ArchiveSettings>) => void;
}) {
  const { bucket, prefix } = s3Parts(archive.target);
  return (
    <>
      <Field
        label="Bucket"
        error={errors['archive.target'] && (bucketNameProblem(bucket) ?? errors['archive.target'])}
        hint={`${BUCKET_RULE}.`}
      >
        {(id) => (
          <PlainText
            id={id}
            placeholder="my-audit-archive"
            value={bucket}
            onChange={(v) => set({ target: s3Target(v, prefix) })}
          />
        )}
      </Field>
      <Field label="Prefix" hint="A folder inside the bucket, e.g. genesys/prod. Empty: the whole bucket.">
        {(id) => (
          <PlainText
            id={id}
            placeholder="genesys"
            value={prefix}
            onChange={(v) => set({ target: s3Target(bucket, v) })}
          />
        )}
      </Field>
      <S3Connection archive={archive} errors={errors} set={set} />
    </>
  );
}

/** How the S3 client reaches the bucket: region, endpoint, addressing and credentials profile. */
function S3Connection({
  archive,
  errors,
  set,
}: {
  archive: ArchiveSettings;
  errors: FieldErrors;
  set: (patch: Partial<ArchiveSettings>) => void;
}) {
  const setS3 = (patch: Partial<ArchiveSettings['s3']>) => set({ s3: { ...archive.s3, ...patch } });
  return (
    <>
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
  );
}

/** A text field for a name or a path: no spell check, no autofill. */
function PlainText({
  id,
  placeholder,
  value,
  onChange,
}: {
  id: string;
  placeholder: string;
  value: string;
  onChange: (value: string) => void;
}) {
  return (
    <input
      id={id}
      type="text"
      spellCheck={false}
      autoComplete="off"
      placeholder={placeholder}
      value={value}
      onChange={(e) => onChange(e.target.value)}
    />
  );
}

function FolderFields({
  archive,
  errors,
  set,
}: {
  archive: ArchiveSettings;
  errors: FieldErrors;
  set: (patch: Partial<ArchiveSettings>) => void;
}) {
  return (
    <>
      <Field
        label="Folder"
        error={errors['archive.target']}
        hint="An absolute path. Empty: the archive folder in the app's data directory."
      >
        {(id) => (
          <PlainText
            id={id}
            placeholder="/srv/audit-archive"
            value={folderOf(archive.target)}
            onChange={(v) => set({ target: folderTarget(v) })}
          />
        )}
      </Field>
      <p className="banner banner-warning not-worm-note" role="note">
        <strong>A local folder is not WORM storage.</strong> Anyone with access to it can delete or change the files.
        For SEC 17a-4(f) the folder must itself sit on WORM storage (such as a NetApp SnapLock share).
      </p>
    </>
  );
}

/** The target's check and bucket creation, and their outcomes; a change to what was checked drops the verdict. */
function useStorageCheck(
  bridge: Bridge,
  archive: ArchiveSettings,
  onChecked: ((check: StorageCheck | null) => void) | undefined,
) {
  const [check, setCheck] = useState<StorageCheck | null>(null);
  const [checking, setChecking] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const [init, setInit] = useState<BucketInitResult | null>(null);
  const [initFailure, setInitFailure] = useState<string | null>(null);

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
    if (!r.ok) return setFailure(r.error.message);
    setCheck(r.value);
    onChecked?.(r.value);
  }

  async function createBucket(confirmCompliance: boolean) {
    setInitFailure(null);
    const r = await bridge.storageInitBucket({ archive, confirmCompliance });
    if (!r.ok) return setInitFailure(r.error.message);
    setInit(r.value);
    await runCheck();
  }

  return { check, checking, failure, init, initFailure, runCheck, createBucket };
}

function TargetCheck({
  bridge,
  archive,
  kind,
  bucket,
  onChecked,
}: {
  bridge: Bridge;
  archive: ArchiveSettings;
  kind: TargetKind;
  bucket: string;
  onChecked: ((check: StorageCheck | null) => void) | undefined;
}) {
  const storage = useStorageCheck(bridge, archive, onChecked);
  const [confirming, setConfirming] = useState(false);
  const { check } = storage;
  const create = (confirmCompliance: boolean) => {
    setConfirming(false);
    void storage.createBucket(confirmCompliance);
  };
  return (
    <div className="field">
      <span className="field-label">Check</span>
      <div className="row">
        <button
          type="button"
          onClick={() => void storage.runCheck()}
          disabled={storage.checking || (kind === 's3' && !bucket)}
        >
          {storage.checking ? 'Checking…' : kind === 's3' ? 'Check bucket' : 'Check folder'}
        </button>
        {check?.canInit && (
          <button
            type="button"
            className={archive.lockMode === 'COMPLIANCE' ? 'danger' : 'primary'}
            onClick={() => (archive.lockMode === 'COMPLIANCE' ? setConfirming(true) : create(false))}
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
      <FieldFailure message={storage.failure} />
      {confirming && (
        <ComplianceBucketConfirm
          bucket={bucket}
          retentionDays={archive.retentionDays}
          onCreate={() => create(true)}
          onCancel={() => setConfirming(false)}
        />
      )}
      <FieldFailure message={storage.initFailure} />
      {storage.init && <BucketCreated init={storage.init} />}
      {check && <StorageOutcome check={check} />}
    </div>
  );
}

function FieldFailure({ message }: { message: string | null }) {
  if (!message) return null;
  return (
    <p className="field-error" role="alert">
      {message}
    </p>
  );
}

function ComplianceBucketConfirm({
  bucket,
  retentionDays,
  onCreate,
  onCancel,
}: {
  bucket: string;
  retentionDays: number;
  onCreate: () => void;
  onCancel: () => void;
}) {
  return (
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
        Every object written to it will be locked for {retentionDays} days: nobody, not even the AWS account&apos;s root
        user, can delete it or shorten its retention, and the bucket cannot be deleted while it holds locked objects.{' '}
        <strong>This cannot be undone.</strong> For a trial, choose GOVERNANCE mode in the retention policy instead.
      </p>
      <div className="actions">
        <button type="button" className="danger" onClick={onCreate}>
          Create with COMPLIANCE retention
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </div>
  );
}

function BucketCreated({ init }: { init: BucketInitResult }) {
  return (
    <CheckOutcome
      ok
      title={`${init.created ? 'Created' : 'Updated'} ${init.bucket}: Object Lock on, default retention ${init.defaultRetention.mode} ${init.defaultRetention.days} days.`}
    >
      <details>
        <summary>The exporter&apos;s least-privilege IAM policy (give it to whoever manages AWS access)</summary>
        <pre className="iam-policy">{init.iamPolicy}</pre>
      </details>
    </CheckOutcome>
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
