/** The `--help` texts of `audit-archive` and each command. */

const COMMON = `Options for every command:
  --config FILE        settings file (JSON); environment overrides it, flags override both
  --target URL         the archive: s3://bucket/prefix or file:///absolute/path (required:
                       this, AUDIT_ARCHIVE_TARGET or archive.target in --config; no default)
  --state-dir DIR      where the run journal (error history, counts) lives
                       (default $AUDIT_ARCHIVE_STATE_DIR, else $XDG_STATE_HOME/audit-archive,
                       else ~/.local/state/audit-archive)
  -h, --help           this help
Every setting flag and environment variable is listed by \`audit-archive --help\`.`;

const EXIT = `Exit status: 0 success, 1 a day failed or verification found problems, 2 bad usage or settings.`;

export const MAIN_HELP = `audit-archive: export Genesys Cloud audit events per settled UTC day into WORM storage,
prove they are complete and unaltered, and catch up gaps within Genesys's rate limits.

Usage: audit-archive <command> [options]

Commands:
  export --day YYYY-MM-DD [--reconcile]   archive one settled day (reconcile: add late events)
  catch-up [--from DAY] [--to DAY]        archive every missing or failed day in the range
  status [--from DAY] [--to DAY] [--json] the archive calendar
  verify [--from DAY] [--to DAY] [--full] [--json]
                                          walk the manifest chain and check every object
  bucket init [--yes]                     create an S3 bucket with Object Lock and print the IAM policy
  demo [--dir DIR] [--days N]             a demo archive from the built-in Genesys simulator
                                          (default ~/AuditArchiveDemo, 400 days)

Run \`audit-archive <command> --help\` for a command's options.

${COMMON}

${EXIT}`;

export const COMMAND_HELP = {
  export: `Usage: audit-archive export --day YYYY-MM-DD [--reconcile]

Archives one UTC day. The day must have settled (its end plus the settlement margin, default
120 minutes, has passed). A day already archived is refused unless --reconcile is given, which
re-queries Genesys and archives only events the archive lacks, in a new part and a new manifest.

  --day YYYY-MM-DD     the UTC day to archive (required)
  --reconcile          add late events to a day already archived

${COMMON}

${EXIT}`,
  'catch-up': `Usage: audit-archive catch-up [--from DAY] [--to DAY] [--concurrency N]

Archives every missing or failed day in the range, oldest first (the days closest to falling out
of Genesys retention go first). Safe to rerun after a crash or Ctrl-C: the plan is recomputed from
the archive, so nothing is lost or written twice.

  --from DAY           first day (default: the start of the Genesys retention window, or the policy start)
  --to DAY             last day (default: the last settled day)
  --concurrency N      days exported at once, 1-8 (default: settings schedule.concurrency, 2);
                       all days share one Genesys rate budget

${COMMON}

${EXIT}`,
  status: `Usage: audit-archive status [--from DAY] [--to DAY] [--json]

Shows the state of every day: archived, missing (Genesys still has it), unrecoverable (older than
Genesys keeps), pending (not settled yet), failed (last attempt failed), tampered (delete marker or
a verification problem), not-required (before the policy start). One listing of the archive.

  --from DAY           first day (default: the earliest of the policy start, the archive's first day
                       and the start of the Genesys retention window)
  --to DAY             last day (default: today)
  --json               print {"days":[{"day","state","events"?,"error"?}]} on stdout

${COMMON}

${EXIT}`,
  verify: `Usage: audit-archive verify [--from DAY] [--to DAY] [--full] [--json]

Walks every manifest and the chain between them, checks each archived object exists at its
version, has no delete marker over it and is still locked; counts the expected days independently
of the chain. --full also downloads every object and compares SHA-256 and event counts.
Orphans (parts left by an interrupted run, never counted) are reported but do not fail.

  --from DAY           first day (default: the policy start, else the archive's first day)
  --to DAY             last day (default: the last settled day)
  --full               hash every object's bytes
  --json               print {"ok":bool,"problems":[{"day","kind","key"?,"detail"}]} on stdout

${COMMON}

${EXIT}`,
  'bucket init': `Usage: audit-archive bucket init [--yes]

Creates the S3 bucket of the archive target with Object Lock (versioning on) and a default
retention of the policy's lock mode and days, then prints the least-privilege IAM policy the
exporter needs. A bucket that exists without Object Lock is refused. COMPLIANCE retention cannot be
shortened or removed by anyone: --yes confirms it (use AUDIT_ARCHIVE_LOCK_MODE=GOVERNANCE to try).

  --yes                confirm COMPLIANCE mode

${COMMON}

${EXIT}`,
  demo: `Usage: audit-archive demo [--dir DIR] [--days N]

Runs the built-in Genesys simulator and archives about 400 days of a synthetic organisation into a
local folder, leaving a few gaps (recent ones still recoverable, old ones unrecoverable) and one
failed day, then shows the calendar. Nothing leaves this machine.

  --dir DIR            where the demo archive goes (default ~/AuditArchiveDemo)
  --days N             days of history (default 400)

${EXIT}`,
} as const;
