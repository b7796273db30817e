/** Placeholder until the archive calendar is wired to `archive:status`. */
export function CalendarPage() {
  return (
    <section className="placeholder">
      <p>
        The archive calendar will show every UTC day, years at a glance: archived, missing, failed, pending (not yet
        settled), unrecoverable (older than Genesys keeps) and tampered, so gaps jump out.
      </p>
      <p>From here you will catch up every missing day that Genesys still holds, within its rate limits.</p>
    </section>
  );
}
