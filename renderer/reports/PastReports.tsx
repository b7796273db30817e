/**
 * The reports written on this machine, each with its bundle's SHA-256, "Re-check" (the bundle,
 * every file in and beside it, and the copy kept in the archive) and "Open folder".
 */
import { formatCount } from '../app/display-format';
import type { CheckState, Receipt, ReportList } from './reports-model';
import { CopyButton } from '../app/Token';

export function PastReports({
  reports,
  checks,
  folders,
  onCheck,
  onOpen,
}: {
  reports: ReportList | null;
  checks: Readonly<Record<string, CheckState>>;
  folders: Readonly<Record<string, string>>;
  onCheck: (id: string) => void;
  onOpen: (id: string) => void;
}) {
  if (!reports) return null;
  return (
    <section className="past-reports" aria-labelledby="past-title">
      <h2 id="past-title">Past reports</h2>
      <p className="hint">
        In <span className="path">{reports.folder}</span>. &ldquo;Re-check&rdquo; hashes the bundle and every file in it
        and beside it again, and the copy kept in the archive if there is one.
      </p>
      {reports.reports.length === 0 ? (
        <p className="hint">None yet.</p>
      ) : (
        <ul className="report-list" aria-label="Past reports">
          {reports.reports.map((r) => (
            <PastReport
              key={r.reportId}
              report={r}
              check={checks[r.reportId]}
              folder={folders[`list:${r.reportId}`]}
              onCheck={onCheck}
              onOpen={onOpen}
            />
          ))}
        </ul>
      )}
    </section>
  );
}

function PastReport({
  report: r,
  check,
  folder,
  onCheck,
  onOpen,
}: {
  report: Receipt;
  check: CheckState | undefined;
  folder: string | undefined;
  onCheck: (id: string) => void;
  onOpen: (id: string) => void;
}) {
  return (
    <li aria-label={r.reportId} data-report={r.reportId}>
      <div className="report-row">
        <div className="report-id">
          <strong>{r.reportId}</strong>
          <div>Ref. {r.reference}</div>
          <div className="hint">
            {r.period.from} to {r.period.to} · generated {r.generatedAt.replace('T', ' ').slice(0, 16)} UTC ·{' '}
            {formatCount(r.events)} events
          </div>
        </div>
        <div className={r.verified ? 'verdict-word ok' : 'verdict-word failed'}>
          {r.verified ? 'Archive verified' : 'Verification FAILED'}
        </div>
        <div className="report-hash">
          <span className="hint">Bundle SHA-256</span>
          <div className="hash" role="note" aria-label={`Bundle SHA-256 of ${r.reportId}`}>
            {r.bundleSha256}
          </div>
          <CopyButton value={r.bundleSha256} what={`the bundle SHA-256 of ${r.reportId}`} />
        </div>
        <div className="row-actions">
          <button
            type="button"
            onClick={() => onCheck(r.reportId)}
            disabled={check === 'checking'}
            aria-label={`Re-check ${r.reportId}`}
          >
            Re-check
          </button>
          <button type="button" onClick={() => onOpen(r.reportId)} aria-label={`Open folder of ${r.reportId}`}>
            Open folder
          </button>
        </div>
      </div>
      {folder && (
        <p className="folder-notice" role="status">
          {folder}
        </p>
      )}
      {check && <CheckResult reportId={r.reportId} check={check} />}
    </li>
  );
}

function CheckResult({ reportId, check }: { reportId: string; check: CheckState }) {
  if (check === 'checking')
    return (
      <p className="check" role="status" aria-busy="true">
        Checking…
      </p>
    );
  if ('code' in check)
    return (
      <p className="check failed" role="alert">
        The check could not run: {check.message} <span className="detail">[{check.code}]</span>
      </p>
    );
  const failed = check.checks.filter((c) => !c.ok);
  return (
    <div
      className={`check ${check.ok ? 'ok' : 'failed'}`}
      role={check.ok ? 'status' : 'alert'}
      aria-label={`Check of ${reportId}`}
    >
      <p className="check-title">
        <span aria-hidden="true">{check.ok ? '✓ ' : '✗ '}</span>
        {check.ok ? 'Intact: every check passed.' : `Changed: ${failed.map((c) => c.what).join(', ')} failed.`}
      </p>
      <ul>
        {[...failed, ...check.checks.filter((c) => c.ok)].map((c) => (
          <li key={c.what} className={c.ok ? 'ok' : 'failed'}>
            <strong>
              {c.what}: {c.ok ? 'passed' : 'FAILED'}
            </strong>{' '}
            · {c.detail}
          </li>
        ))}
      </ul>
    </div>
  );
}
