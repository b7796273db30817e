/** Placeholder until discovery queries exist. */
export function DiscoveryPage() {
  return (
    <section className="placeholder">
      <p>
        Discovery will answer an examiner&apos;s question, such as &ldquo;who changed queue Y between two dates&rdquo;,
        with a form (user, entity, action, service, date range) or SQL over the archive, and keep saved, parameterised
        queries.
      </p>
    </section>
  );
}
