/**
 * The last question's story: why it was refused (and, for a scan of every day on Athena, the way
 * to confirm it), its progress while it runs, then the answer: what it is, the days it does not
 * cover, the matters whose legal hold covers days of it, what the cache check found, what Athena
 * scanned and cost, the rows, and what can be done
 * with them (export, add to a report); or why it failed or that it was cancelled.
 */
import { describeGapSpan, gapHeadline, gapMeaning, gapSpans, type ArchiveGap } from '../../shared/archive-gaps';
import {
  answerHoldsHeadline,
  describeAnswerHold,
  invalidHoldRecordsHeadline,
  type AnswerHolds,
} from '../../shared/discovery/answer-holds';
import type { ResultMetadata } from '../../shared/discovery/result-metadata';
import type { Bridge } from '../../shared/ipc/bridge';
import type { ResultError } from '../../shared/result';
import { formatCount } from '../app/display-format';
import { formatBytes, formatUsd, resultSummary } from './discovery-format';
import type { RunRequest, RunStatus } from './discovery-model';
import { handOffToReport } from './report-handoff';
import { ResultsTable } from './ResultsTable';

/** A refusal to start or follow the run, or Athena's question before it reads every day. */
export function RunRefusal({
  error,
  confirm,
  onConfirm,
}: {
  error: ResultError | null;
  /** The refused request, confirmed: set when the refusal is Athena's question about an unbounded scan. */
  confirm: RunRequest | null;
  onConfirm: (request: RunRequest) => void;
}) {
  if (confirm) {
    return (
      <div className="banner banner-warning confirm" role="alert">
        <p>{error?.message}</p>
        <button type="button" className="danger" onClick={() => onConfirm(confirm)}>
          Run it over every day
        </button>
      </div>
    );
  }
  if (!error) return null;
  return (
    <p className="banner banner-error" role="alert">
      {error.message} <span className="detail">[{error.code}]</span>
    </p>
  );
}

export function RunView({
  bridge,
  runId,
  status,
  onExport,
}: {
  bridge: Bridge;
  runId: string;
  status: RunStatus | null;
  onExport: (f: 'csv' | 'ndjson') => void;
}) {
  if (!status) {
    return (
      <p className="run-status" aria-busy="true">
        Starting…
      </p>
    );
  }
  const m = status.metadata;
  return (
    <div className="run">
      {status.state === 'running' && <RunProgress status={status} />}
      {status.state === 'succeeded' && m && <RunAnswer metadata={m} runId={runId} onExport={onExport} />}
      {(status.state === 'failed' || status.state === 'cancelled') && status.error && (
        <p className={`banner ${status.state === 'cancelled' ? 'banner-warning' : 'banner-error'}`} role="alert">
          {status.state === 'cancelled' ? 'Cancelled. ' : ''}
          {status.error.message} <span className="detail">[{status.error.code}]</span>
        </p>
      )}
      {status.columns && (
        <ResultsTable bridge={bridge} runId={runId} columns={status.columns} rowCount={status.rowCount} />
      )}
    </div>
  );
}

function RunProgress({ status }: { status: RunStatus }) {
  return (
    <p className="run-status" role="status" aria-busy="true">
      {status.progress?.message ?? 'Running…'}
      {status.progress?.bytesScanned !== undefined
        ? ` · ${formatBytes(status.progress.bytesScanned)} scanned so far`
        : ''}
      {status.rowCount > 0 ? ` · ${formatCount(status.rowCount)} rows so far` : ''}
    </p>
  );
}

function RunAnswer({
  metadata: m,
  runId,
  onExport,
}: {
  metadata: ResultMetadata;
  runId: string;
  onExport: (f: 'csv' | 'ndjson') => void;
}) {
  return (
    <div className="run-done">
      <p className="run-summary" role="status">
        {resultSummary(m)}
      </p>
      <ExactQuery metadata={m} />
      <AnswerGaps gaps={m.gaps ?? []} engine={m.engine.kind} />
      {m.holds && <AnswerHoldsNote holds={m.holds} />}
      {(m.warnings ?? []).map((w) => (
        <p key={w} className="banner banner-warning run-warning">
          <strong>Cache check: </strong>
          {w}
        </p>
      ))}
      {m.cost && (
        <p className="run-cost">
          Data scanned: <strong>{formatBytes(m.cost.bytesScanned)}</strong> · billed {formatBytes(m.cost.billedBytes)} ·
          cost <strong>{formatUsd(m.cost.costUsd)}</strong> ($5 per TB, 10 MB minimum)
        </p>
      )}
      <div className="actions">
        <button type="button" onClick={() => onExport('csv')}>
          Export CSV
        </button>
        <button type="button" onClick={() => onExport('ndjson')}>
          Export NDJSON
        </button>
        <button type="button" className="primary" onClick={() => handOffToReport(m, runId)}>
          Add to report
        </button>
      </div>
    </div>
  );
}

/** The exact SQL this answer ran (a form's query too) and what was bound to each `?`, beside the rows. */
function ExactQuery({ metadata: m }: { metadata: ResultMetadata }) {
  const params = m.query.positionalParameters;
  return (
    <details className="exact-query" open>
      <summary>The exact query this answer ran{m.query.kind === 'structured' ? ' (built from the form)' : ''}</summary>
      <pre className="exact-sql" aria-label="SQL">
        <code>{m.query.sql}</code>
      </pre>
      {params.length > 0 && (
        <ol className="exact-parameters" aria-label="Parameters, in the order of each ?">
          {params.map((p, i) => (
            <li key={i}>
              <code>{p.name}</code> ({p.type}) = <code>{JSON.stringify(p.value)}</code>
            </li>
          ))}
        </ol>
      )}
    </details>
  );
}

/** The days of the range the answer does not cover, named in words (the calendar's states), never by colour alone. */
function AnswerGaps({ gaps, engine }: { gaps: readonly ArchiveGap[]; engine: 'local' | 'athena' }) {
  if (gaps.length === 0) return null;
  return (
    <section className="banner banner-warning run-gaps" aria-labelledby="run-gaps-title">
      <h3 id="run-gaps-title">{gapHeadline(gaps)}</h3>
      <p>{gapMeaning(gaps, engine)} The calendar shows each of them.</p>
      <ul className="plain">
        {gapSpans(gaps).map((span) => (
          <li key={span.from}>{describeGapSpan(span)}</li>
        ))}
      </ul>
    </section>
  );
}

/** The matters whose legal hold covers days of the range, in words (the calendar marks the days too). */
function AnswerHoldsNote({ holds }: { holds: AnswerHolds }) {
  if (holds.matters.length === 0 && holds.invalidRecords.length === 0) return null;
  return (
    <section className="banner banner-info run-holds" aria-labelledby="run-holds-title">
      {holds.matters.length > 0 && (
        <>
          <h3 id="run-holds-title">{answerHoldsHeadline(holds)}</h3>
          <ul className="plain">
            {holds.matters.map((h) => (
              <li key={`${h.matter}\n${h.from}\n${h.to}`}>{describeAnswerHold(h)}</li>
            ))}
          </ul>
        </>
      )}
      {holds.invalidRecords.length > 0 && (
        <>
          <h3 id={holds.matters.length > 0 ? undefined : 'run-holds-title'}>
            {invalidHoldRecordsHeadline(holds.invalidRecords.length)}
          </h3>
          <ul className="plain">
            {holds.invalidRecords.map((r, i) => (
              <li key={i}>{r.detail}</li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
