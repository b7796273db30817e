/**
 * The first pages of the report, as HTML: the same model (evidence, summary, first events) the PDF
 * draws. The renderer's CSP forbids embedding a PDF (object/embed), and a view of the model needs no
 * PDF renderer in the page.
 */
import type { Ref } from 'react';
import { formatFingerprint } from '../../shared/archive-root';
import { describeChange } from '../../shared/reports/event-row';
import {
  count,
  gapsStatement,
  organisationText,
  populationStatement,
  storageStatement,
} from '../../shared/reports/report-words';
import { formatCount } from '../app/display-format';
import type { Preview } from './reports-model';

type Evidence = Preview['evidence'];

export function PreviewView({
  preview,
  stale,
  headingRef,
}: {
  preview: Preview;
  /** The form states another request since this preview. */
  stale: boolean;
  headingRef: Ref<HTMLElement>;
}) {
  return (
    <section className="report-preview" aria-labelledby="preview-title" ref={headingRef} tabIndex={-1}>
      <h2 id="preview-title">Preview: first pages</h2>
      {stale && (
        <p className="banner banner-warning" role="status">
          The request or what it cites changed since this preview: choose &ldquo;Preview&rdquo; again to see it.
        </p>
      )}
      <p className="hint">
        An HTML view of the same report model the PDF is drawn from (the app does not embed PDFs). Verification here is
        the standard check (listing, versions, signatures, chain, locks, and the objects the cited events come from,
        read back); generating the report also hashes every object of the period when they weigh at most 1 GiB.
      </p>
      <Cover evidence={preview.evidence} />
      <SummaryPage summary={preview.summary} />
      <FirstEvents preview={preview} />
    </section>
  );
}

function Cover({ evidence: e }: { evidence: Evidence }) {
  const r = e.request;
  return (
    <article className="preview-page" aria-label="Cover">
      <p className="page-head">
        Audit response report · Ref. {r.reference}{' '}
        <span>Preview (the report&rsquo;s id is given when it is generated) · Page 1</span>
      </p>
      <h3 className="preview-title">Audit response report</h3>
      <p className="preview-subtitle">
        Request {r.reference}
        {r.recipient ? ` · ${r.recipient}` : ''}
      </p>
      <div className={`verdict ${e.verdict.ok ? 'ok' : 'failed'}`}>
        <p>
          <strong>{e.verdict.headline}</strong>
        </p>
        {e.verdict.findings.length > 0 && (
          <ul>
            {e.verdict.findings.slice(0, 8).map((f, i) => (
              <li key={i}>{f}</li>
            ))}
          </ul>
        )}
      </div>
      <CoverFacts evidence={e} />
    </article>
  );
}

/** A fact of the cover, left out when the request does not give it. */
function OptionalFact({ term, value }: { term: string; value: string | null | undefined }) {
  if (!value) return null;
  return (
    <>
      <dt>{term}</dt>
      <dd>{value}</dd>
    </>
  );
}

function CoverFacts({ evidence: e }: { evidence: Evidence }) {
  const r = e.request;
  return (
    <dl className="cover-facts">
      <dt>Request reference</dt>
      <dd>{r.reference}</dd>
      <OptionalFact term="Requested by" value={r.requester} />
      <OptionalFact term="Regulator or auditor" value={r.recipient} />
      <OptionalFact term="Due" value={r.dueDate} />
      <OptionalFact term="The question" value={r.question} />
      <dt>Organisation</dt>
      <dd>{organisationText(e)}</dd>
      <dt>Period (UTC days)</dt>
      <dd>
        {e.period.from} to {e.period.to}
      </dd>
      <dt>Events in this report</dt>
      <dd>{count(e.events.count, 'event')}</dd>
      <dt>Population</dt>
      <dd>{populationStatement(e)}</dd>
      <dt>Days not archived</dt>
      <dd>{gapsStatement(e)}</dd>
      <dt>Storage</dt>
      <dd>{storageStatement(e)}</dd>
      <dt>Signing key fingerprint</dt>
      <dd className="hash">{e.archive.keyFingerprint ? formatFingerprint(e.archive.keyFingerprint) : 'none'}</dd>
      <dt>Signature</dt>
      <dd>
        {e.signature.signed
          ? "The bundle's SHA256SUMS will be signed with the archive's own key (SHA256SUMS.sig), which OpenSSL checks against archive-public-key.pem."
          : `The bundle will be UNSIGNED: ${e.signature.reason ?? 'no key'}.`}
      </dd>
    </dl>
  );
}

function SummaryPage({ summary }: { summary: Preview['summary'] }) {
  const tables = [
    ['By action', summary.byAction],
    ['By user', summary.byUser],
    ['By entity type', summary.byEntityType],
    ['By day', summary.byDay],
  ] as const;
  return (
    <article className="preview-page" aria-label="Summary">
      <h3>Summary</h3>
      <div className="preview-counts">
        {tables.map(([title, counts]) => (
          <table key={title}>
            <caption>{title}</caption>
            <tbody>
              {counts.slice(0, 10).map((c) => (
                <tr key={c.label}>
                  <td>{c.label}</td>
                  <td className="num">{formatCount(c.count)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ))}
      </div>
    </article>
  );
}

function FirstEvents({ preview }: { preview: Preview }) {
  const e = preview.evidence;
  return (
    <article className="preview-page" aria-label="First events">
      <h3>The events ({formatCount(e.events.count)})</h3>
      <table className="preview-events">
        <thead>
          <tr>
            <th>Event</th>
            <th>Time (UTC / {e.request.timeZone})</th>
            <th>User</th>
            <th>Action</th>
            <th>Entity</th>
            <th>Property changes (old → new)</th>
          </tr>
        </thead>
        <tbody>
          {preview.firstEvents.map((ev) => (
            <EventRow key={ev.n} event={ev} />
          ))}
        </tbody>
      </table>
      {e.events.count > preview.firstEvents.length && (
        <p className="hint">
          … and {formatCount(e.events.count - preview.firstEvents.length)} more events in the report.
        </p>
      )}
    </article>
  );
}

function EventRow({ event: ev }: { event: Preview['firstEvents'][number] }) {
  return (
    <tr>
      <td>
        #{ev.n}
        <div className="hash">{ev.id}</div>
      </td>
      <td>
        {ev.timeUtc}
        <div className="hint">{ev.timeLocal}</div>
      </td>
      <td>{ev.userName || ev.userId || '(system)'}</td>
      <td>
        <strong>{ev.action}</strong>
        <div className="hint">{ev.service}</div>
      </td>
      <td>
        <div className="hint">{ev.entityType}</div>
        {ev.entityName || ev.entityId}
      </td>
      <td>
        {ev.changes.length === 0 ? (
          <span className="hint">(no property changes recorded)</span>
        ) : (
          ev.changes.map((c, i) => <div key={i}>{describeChange(c)}</div>)
        )}
      </td>
    </tr>
  );
}
