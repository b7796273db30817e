/**
 * The generation: a bar for the current phase, each phase so far with its last word, then the
 * receipt (counts, verdict, findings, what was not archived, the signature, the files and the
 * bundle's SHA-256) with "Open folder".
 */
import { useEffect, useRef } from 'react';
import type { ReportJobStatus, ReportProgress } from '../../shared/reports/report-contract';
import { formatCount } from '../app/display-format';
import { CopyButton } from '../app/Token';

type Phase = ReportProgress['phase'];
type ReportReceipt = NonNullable<ReportJobStatus['receipt']>;

const PHASE_LABELS: Record<Phase, string> = {
  queries: 'Running the cited queries',
  locating: 'Reading the manifests of the period',
  verifying: 'Verifying the archive',
  events: 'Reading the cited events',
  writing: 'Writing CSV, NDJSON and the evidence',
  pdf: 'Writing the PDF',
  bundle: 'Writing SHA256SUMS and the bundle',
  'archive-copy': 'Keeping a copy in the archive',
};

export function Generation({
  steps,
  status,
  folder,
  onOpen,
}: {
  steps: readonly ReportProgress[];
  status: ReportJobStatus | null;
  /** Where the receipt's folder is, once asked. */
  folder: string | undefined;
  onOpen: (reportId: string) => void;
}) {
  const state = status?.state ?? 'running';
  const receipt = status?.receipt ?? null;
  const outcomeRef = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    if (state !== 'running') outcomeRef.current?.focus();
  }, [state]);
  return (
    <section className="report-generation" aria-labelledby="generation-title">
      <h2 id="generation-title" ref={outcomeRef} tabIndex={-1}>
        {state === 'running'
          ? 'Generating the report…'
          : state === 'succeeded'
            ? `Report ${receipt?.reportId ?? ''} written`
            : 'The report was not written'}
      </h2>
      <GenerationProgress state={state} current={steps.at(-1) ?? null} />
      {steps.length > 0 && <Steps steps={steps} state={state} />}
      {state === 'failed' && status?.error && (
        <p className="banner banner-error" role="alert">
          {status.error.message} <span className="detail">[{status.error.code}]</span>
        </p>
      )}
      {receipt && <ReceiptView receipt={receipt} folder={folder} onOpen={onOpen} />}
    </section>
  );
}

function GenerationProgress({ state, current }: { state: ReportJobStatus['state']; current: ReportProgress | null }) {
  return (
    <div className="report-progress" role="status" aria-live="polite" aria-busy={state === 'running'}>
      <progress
        aria-label="Report progress"
        max={state === 'running' ? (current?.total ?? 1) : 1}
        value={state === 'running' ? (current?.total ? (current.done ?? 0) : undefined) : 1}
      />
      <span>
        {state === 'running' ? (current?.message ?? 'Starting…') : state === 'succeeded' ? 'Finished.' : 'Stopped.'}
      </span>
    </div>
  );
}

function Steps({ steps, state }: { steps: readonly ReportProgress[]; state: ReportJobStatus['state'] }) {
  return (
    <ol className="report-steps" aria-label="Steps">
      {steps.map((s, i) => {
        const done = state === 'succeeded' || i < steps.length - 1;
        return (
          <li key={s.phase} className={done ? 'done' : state === 'failed' ? 'failed' : 'current'}>
            <span aria-hidden="true">{done ? '✓ ' : state === 'failed' ? '✗ ' : '… '}</span>
            {PHASE_LABELS[s.phase]}
            <span className="hint"> · {s.message}</span>
          </li>
        );
      })}
    </ol>
  );
}

function ReceiptView({
  receipt,
  folder,
  onOpen,
}: {
  receipt: ReportReceipt;
  folder: string | undefined;
  onOpen: (reportId: string) => void;
}) {
  return (
    <div className={`report-outcome ${receipt.verified ? 'ok' : 'failed'}`} aria-label="Receipt">
      <p>
        {formatCount(receipt.events)} events, {formatCount(receipt.pages)} pages.
      </p>
      <p className="headline">{receipt.headline}</p>
      {receipt.findings.length > 0 && (
        <ul className="findings" aria-label="Findings">
          {receipt.findings.map((f, i) => (
            <li key={i}>{f}</li>
          ))}
        </ul>
      )}
      {receipt.gaps.length > 0 && (
        <p className="gaps">Not archived: {receipt.gaps.map((g) => `${g.day} (${g.state})`).join(', ')}.</p>
      )}
      <p className="signature">
        {receipt.signed
          ? "The bundle's SHA256SUMS is signed with the archive's key."
          : "The bundle is UNSIGNED: the archive's private key is not on this machine (the cover says why)."}
      </p>
      <ReceiptFiles receipt={receipt} />
      <button type="button" onClick={() => onOpen(receipt.reportId)}>
        Open folder
      </button>
      {folder && (
        <p className="folder-notice" role="status">
          {folder}
        </p>
      )}
    </div>
  );
}

function ReceiptFiles({ receipt }: { receipt: ReportReceipt }) {
  return (
    <dl>
      <dt>PDF</dt>
      <dd className="path">{receipt.pdf}</dd>
      <dt>Bundle</dt>
      <dd className="path">{receipt.bundle}</dd>
      <dt>Bundle SHA-256</dt>
      <dd>
        <span className="hash" role="note" aria-label="Bundle SHA-256">
          {receipt.bundleSha256}
        </span>{' '}
        <CopyButton value={receipt.bundleSha256} what="the bundle's SHA-256" />
      </dd>
      {receipt.archiveCopy && (
        <>
          <dt>Kept in the archive</dt>
          <dd className="path">{receipt.archiveCopy.bundleKey}</dd>
        </>
      )}
      {receipt.archiveCopyError && (
        <>
          <dt>Archive copy</dt>
          <dd>not written: {receipt.archiveCopyError}</dd>
        </>
      )}
    </dl>
  );
}
