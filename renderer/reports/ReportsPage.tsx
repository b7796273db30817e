/** Placeholder until audit response reports exist. */
export function ReportsPage() {
  return (
    <section className="placeholder">
      <p>
        Reports will hand an examiner the answer: a PDF for people and CSV/JSON for machines, with the query, the
        results and the integrity evidence (hashes, object versions, lock status and verification).
      </p>
    </section>
  );
}
