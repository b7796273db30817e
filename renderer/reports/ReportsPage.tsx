/**
 * Reports: what the officer hands the examiner. Start from a Discovery result ("Add to report") or
 * a saved query, fill in the request, preview the first pages, generate the report (PDF, CSV,
 * NDJSON, evidence, bundle) with progress, open its folder, and see past reports with their bundle
 * hashes, each re-checkable with one click.
 *
 * Progress arrives as `report` events pushed from main, each step kept in the order it came, so the
 * officer sees what the report did; a slow status check covers an event stream that dropped.
 *
 * The page's state and rules are reports-model.ts; use-reports.ts wires them to the engine.
 */
import type { Bridge } from '../../shared/ipc/bridge';
import { Generation } from './Generation';
import { PastReports } from './PastReports';
import { PreviewView } from './PreviewView';
import { ReportForm } from './ReportForm';
import { currentJob, isRunning, previewIsStale } from './reports-model';
import { useReports } from './use-reports';
import './reports.css';

export function ReportsPage({ bridge }: { bridge: Bridge }) {
  const { state, dispatch, commands, formRef, previewRef } = useReports(bridge);
  const running = isRunning(state);
  const job = currentJob(state);
  const { refusal, preview } = state;
  const receiptId = job?.status?.receipt?.reportId;

  return (
    <section className="reports" aria-labelledby="reports-title">
      <header>
        <h2 id="reports-title">Answer a request</h2>
        <p className="hint">
          A report cites a Discovery result or a saved query, runs it again at report time, verifies the archive over
          the period, and holds every event exactly as archived: a PDF for people, CSV and NDJSON for machines, and the
          evidence, in a bundle with SHA256SUMS.
        </p>
      </header>

      <ReportForm
        state={state}
        dispatch={dispatch}
        running={running}
        formRef={formRef}
        onPreview={() => void commands.preview()}
        onGenerate={() => void commands.generate()}
      />

      {refusal && (
        <div className="banner banner-error" role="alert">
          <p>
            {Object.keys(state.errors).length > 0 ? 'Not done: see the fields marked above.' : refusal.message}{' '}
            <span className="detail">[{refusal.code}]</span>
          </p>
        </div>
      )}

      {(running || job) && (
        <Generation
          steps={job?.steps ?? []}
          status={job?.status ?? null}
          folder={receiptId ? state.folders[`receipt:${receiptId}`] : undefined}
          onOpen={(id) => void commands.openFolder(id, 'receipt')}
        />
      )}

      {preview && <PreviewView preview={preview.model} stale={previewIsStale(state)} headingRef={previewRef} />}

      <PastReports
        reports={state.reports}
        checks={state.checks}
        folders={state.folders}
        onCheck={(id) => void commands.recheck(id)}
        onOpen={(id) => void commands.openFolder(id, 'list')}
      />
    </section>
  );
}
