/** The `--help` texts of `audit-archive` and each command. */

const COMMON = `Options for every command:
  --config FILE        settings file (JSON); environment overrides it, flags override both
  --target URL         the archive: s3://bucket/prefix or file:///absolute/path (required:
                       this, AUDIT_ARCHIVE_TARGET or archive.target in --config; no default)
  --state-dir DIR      where the run journal (error history, counts) lives
                       (default $AUDIT_ARCHIVE_STATE_DIR, else $XDG_STATE_HOME/audit-archive,
                       else ~/.local/state/audit-archive)
What the CLI derives from the archive (manifest cache, discovery cache) is sealed with a secret in
$AUDIT_ARCHIVE_CACHE_KEY_FILE (default $XDG_CONFIG_HOME/audit-archive/cache-seal.key, else
~/.config/audit-archive/cache-seal.key; created 0600 on first use; keep it outside the state folder).
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
  verify [--from DAY] [--to DAY] [--full] [--expect-key FP] [--expect-head SEQ[:SHA256]] [--json]
                                          walk the signed manifest chain and check every object
  verify --copy [--from DAY] [--to DAY] [--json]
                                          check the second locked copy object by object
  checkpoint [--wait SECONDS] [--json]    write the signed monthly checkpoints a new installation's
                                          calendar opens from
  key show | export | import | migrate | rotate | replace-lost
                                          the archive's signing key: fingerprint, copies, rotation, loss
  hold place | list | release             legal holds by matter (hold --help)
  bucket init [--yes]                     create an S3 bucket with Object Lock and print the IAM policy
  demo [--dir DIR] [--days N]             a demo archive from the built-in Genesys simulator
                                          (default ~/AuditArchiveDemo, 400 days)
  query (--sql SQL | --saved NAME) [--param name=value]... [--from DAY --to DAY]
        [--format table|csv|json] [--engine athena|local] [--out FILE]
                                          a discovery query over the archive (--list: saved queries)
  report (--saved NAME [--param name=value]... | --sql SQL | --results FILE)
         [--engine athena|local] --from DAY --to DAY --request-ref REF [--requester TEXT]
         [--question TEXT] --out DIR [--archive-copy]
                                          an audit response report: PDF, CSV, NDJSON, evidence, bundle

Run \`audit-archive <command> --help\` for a command's options.

${COMMON}

${EXIT}`;

export const COMMAND_HELP = {
  export: `Usage: audit-archive export --day YYYY-MM-DD [--reconcile] [--wait SECONDS]

Archives one UTC day. The day must have settled (its end plus the settlement margin, default
120 minutes, has passed). A day already archived is refused unless --reconcile is given, which
re-queries Genesys and archives only events the archive lacks, in a new part and a new manifest.

  --day YYYY-MM-DD     the UTC day to archive (required)
  --reconcile          add late events to a day already archived
  --wait SECONDS       how long to wait while another writer holds the archive (default:
                       settings archive.lease.waitSeconds, 900); one writer at a time

${COMMON}

${EXIT}`,
  'catch-up': `Usage: audit-archive catch-up [--from DAY] [--to DAY] [--concurrency N] [--wait SECONDS]

Archives every missing or failed day in the range, oldest first (the days closest to falling out
of Genesys retention go first). Safe to rerun after a crash or Ctrl-C: the plan is recomputed from
the archive, so nothing is lost or written twice.

  --from DAY           first day (default: the start of the Genesys retention window, or the policy start)
  --to DAY             last day (default: the last settled day)
  --concurrency N      days exported at once, 1-8 (default: settings schedule.concurrency, 2);
                       all days share one Genesys rate budget
  --wait SECONDS       how long to wait while another writer (the app, another cron job) holds the
                       archive (default: settings archive.lease.waitSeconds, 900)

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
  verify: `Usage: audit-archive verify [--from DAY] [--to DAY] [--full] [--expect-key FP]
                            [--expect-head SEQ[:SHA256]] [--json]

Proves the archive complete and unaltered. Lists every key and version, reads the root object and
every manifest, checks each manifest's signature against the key in effect at its place in the
chain (the root's key, then each key a signed key-succession record brought in), walks the chain back
from its head, checks that every referenced key has exactly the one version recorded (no second
version, no delete marker), that every object is still locked as the policy asks, and counts the
expected days independently of the chain. It also compares the head with the one this
installation last recorded (a removed newest manifest, an unmounted folder). --full also
downloads every data part, compares SHA-256 and event counts, and reads every line: each must be
an audit event dated in its UTC day, and no event id twice in a day (event-invalid,
event-duplicated; each named at most 10 times a day, with how many in all). Orphans (parts left by an
interrupted run and declared by a later manifest, never counted) and key rotations are reported
but do not fail; a restart after a lost key is reported on every run, in the verdict line itself.
Without --expect-key and without this installation's record of the archive, the signing key and
the head are trusted on first use: the verdict says so, because someone who can rewrite the
archive can re-sign it with a key of their own or remove its newest manifests.

  --from DAY           first day (default: the policy start, else the archive's first day)
  --to DAY             last day (default: the last settled day)
  --full               hash every object's bytes and read every event
  --expect-key FP      the signing key fingerprint you recorded (\`key show\`): fail unless it is the
                       archive's current key or vouches for it through rotations (a restart after
                       a lost key breaks that: pin the new key once the restart is confirmed)
  --expect-head SEQ[:SHA256]
                       a head you recorded (as verify prints it): fail if the chain does not reach it
  --json               print {"ok":bool,"problems":[{"day","kind","key"?,"detail"}],"archive":{…}|null,
                       "trust":{"key","head","headRecorded"}|null} on stdout (key/head: expected,
                       recorded or first-use)
  --copy               check the second locked copy instead (archive.copy.target): every object the
                       manifests vouch for must be there with the recorded SHA-256 (its bytes are
                       hashed) and a lock until at least the primary's; names copy-missing,
                       copy-different, copy-unlocked; exit 1 on any

${COMMON}

${EXIT}`,
  checkpoint: `Usage: audit-archive checkpoint [--wait SECONDS] [--json]

Writes a signed monthly checkpoint for each complete month (its last day settled) whose newest
checkpoint does not carry the chain's manifests exactly: for an archive made before checkpoints
existed, or a month a later catch-up or reconcile changed. Catch-up writes them by itself for the
months it completes. A checkpoint is a new key under checkpoints/YYYY/MM/, locked like a manifest
and never written over; it lets a new installation paint the calendar from a few dozen reads
instead of one read per manifest, and verify compares every one with the chain. It needs the
archive's signing key (it signs them), not Genesys.

  --wait SECONDS       how long to wait while another writer holds the archive (default:
                       settings archive.lease.waitSeconds, 900)
  --json               print {"written":[{"month","key","manifests"}],"current":N,"skipped":[...]}

${COMMON}

Exit status: 0 success, 1 a month's checkpoint key was taken by something else, 2 bad usage or settings.`,
  'bucket init': `Usage: audit-archive bucket init [--yes]

Creates the S3 bucket of the archive target with Object Lock (versioning on) and a default
retention of the policy's lock mode and days, then prints the least-privilege IAM policy the
exporter needs. A bucket that exists without Object Lock is refused. COMPLIANCE retention cannot be
shortened or removed by anyone: --yes confirms it (use AUDIT_ARCHIVE_LOCK_MODE=GOVERNANCE to try).

  --yes                confirm COMPLIANCE mode

${COMMON}

${EXIT}`,
  key: `Usage: audit-archive key show [--json]
       audit-archive key export [--out FILE]
       audit-archive key import --file FILE
       audit-archive key migrate
       audit-archive key rotate [--reason TEXT]
       audit-archive key replace-lost --confirm-lost FP [--reason TEXT]

Every manifest is signed (Ed25519) with the archive's key, created by the first export; the root
object names the first key, and signed key-succession records every later one. Record the
fingerprint: \`verify --expect-key\` checks it later, on any machine.

The private key lives in the OS keychain (service audit-archive) or, on a machine without one, in
the signing key file (AUDIT_ARCHIVE_SIGNING_KEY_FILE or --signing-key-file: outside the state
folder, mode 0600), or comes from AUDIT_ARCHIVE_SIGNING_KEY (PEM text). Never the state folder.

  key show             the fingerprint in effect (--json: also its public key as SPKI PEM), the
                       history of keys, and whether this installation holds the private key
  key export           the private key (PEM) on stdout, or --out FILE (mode 0600, must not exist):
                       for a second machine that writes the same archive. Treat it like a password.
  key import --file F  keep a key exported elsewhere in the keychain or key file, after checking
                       it is the archive's current key
  key migrate          move keys an earlier version kept in <state-dir>/keys into the keychain or
                       key file, and delete them there (a real archive's key is never used from there)
  key rotate           the current key signs a new one (a record locked in the archive); later
                       manifests are signed with the new key and the old one is removed from here
  key replace-lost     ONLY when the current key is lost: a record signed by a new key restarts the
                       chain; verify names that restart on every run. --confirm-lost takes the lost
                       key's fingerprint (\`key show\`)

${COMMON}

${EXIT}`,
  hold: `Usage: audit-archive hold place --from DAY --to DAY --matter NAME [--reference REF] [--reason TEXT]
       audit-archive hold list [--json]
       audit-archive hold release --matter NAME

Legal holds by matter, on S3 Object Lock storage (a local folder cannot enforce one and refuses).
place turns the legal hold ON for every version the manifests vouch for on those days (data parts,
manifests, the root) and writes a signed hold record, locked like a manifest. Every day of the
period up to the last settled day must be archived; later days are held as they land. A day under
two matters stays held until both are released. list prints the matters holding days now from the
signed records, each with the days its periods cover (archived, later, not archived, shared), and
names a record that does not count (exit 1). release turns OFF what no other matter holds and
writes its own signed record. verify names each vouched version of a held day whose hold is not ON
(hold-missing).

place and release need the archive's signing key and credentials allowed s3:PutObjectLegalHold
(the README's legal-hold IAM statement): the exporter's policy does not allow it.

Options:
  --from DAY, --to DAY   the period to hold (UTC days, YYYY-MM-DD)
  --matter NAME          the matter, investigation or litigation (what release names)
  --reference REF        the firm's reference for it (docket, case number)
  --reason TEXT          why, in the officer's words
  --json                 (list) the matters as JSON

${COMMON}

${EXIT}`,
  demo: `Usage: audit-archive demo [--dir DIR] [--days N]

Runs the built-in Genesys simulator and archives about 400 days of a synthetic organisation into a
local folder, leaving a few gaps (recent ones still recoverable, old ones unrecoverable) and one
failed day, then shows the calendar. Nothing leaves this machine.

  --dir DIR            where the demo archive goes (default ~/AuditArchiveDemo)
  --days N             days of history (default 400)

${EXIT}`,
  query: `Usage: audit-archive query (--sql SQL | --saved NAME) [--param name=value]... [--from DAY --to DAY]
                          [--format table|csv|json] [--engine athena|local] [--out FILE] [--confirm-scan]
                          [--require-complete]
       audit-archive query --list [--format json]

Runs a discovery query over the archive's table audit_events (one row per archived event, each
event once even where an interrupted run left a second copy). SQL is Athena's dialect (Trino):
the local engine runs the same text after its own definition of audit_events. Values are never
part of the SQL: write :name in the SQL and give --param name=value (text) or
--param name:type=value (type: string, integer, number, boolean, day, instant). Only queries
(SELECT or WITH) run.

  --sql SQL            a query over audit_events, e.g.
                       "SELECT action, count(*) AS n FROM audit_events GROUP BY 1 ORDER BY n DESC"
  --saved NAME         a saved or starter query, by id or name (see --list)
  --param name=value   a parameter value; repeat for each parameter
  --from DAY --to DAY  the UTC days to read (both, inclusive); Athena reads and bills only these days
  --format FORMAT      table (default, for people), csv (with a header row) or json (one JSON object
                       per row)
  --engine ENGINE      local (DuckDB on this machine: a file:// archive in place, an s3:// archive
                       downloaded into the cache by version and checked against its manifests) or
                       athena (default: settings discovery.engine, local)
  --out FILE           write the rows to FILE and the result's metadata (exact query, parameters,
                       engine, archive, days, gaps, legal holds, run time, rows, Athena cost) to
                       FILE.query.json; neither may exist (never written over), and a query that
                       fails or is stopped leaves neither
  --confirm-scan       Athena only: run a query without --from/--to, reading every day
  --require-complete   exit 1 when a day of the range is not archived (the rows are still written)
  --cache-dir DIR      the local engine's cache (default: discovery.cacheDir, else <state-dir>/discovery-cache)
  --list               list the starter and saved queries with their parameters

Progress and a summary (rows, run time, days and events read; Athena: bytes scanned and cost) go to
stderr, with a warning naming every day of the range the answer does not cover (missing, failed,
pending, unrecoverable, tampered, before the policy start), a line per matter whose legal hold
covers days of the range (its reference and the held days in the range, from the archive's signed
hold records; a record that does not count is named in a warning, never shown as a hold; an S3
archive only: a local folder cannot hold) and anything found changed in the cache and rebuilt from
the archive. Exit status 2 for a query that cannot run as written (bad SQL, a
missing or mistyped parameter, Athena without a date range), 1 when it failed or was cancelled, or
when --require-complete is given and a day of the range is not archived.

${COMMON}

${EXIT}`,
  report: `Usage: audit-archive report (--saved NAME [--param name=value]... | --sql SQL | --results FILE)
                           [--engine athena|local] --from DAY --to DAY --request-ref REF
                           [--requester TEXT] [--question TEXT] --out DIR [--archive-copy]
                           [--generated-at INSTANT] [--cited-objects include|omit] [--expect-key FP]

Answers an examiner's or auditor's request with an audit response report: a PDF for people (cover
with the verdict in words, the days not archived, the storage and the locks read back, the queries,
a summary, every event, the evidence), the events as NDJSON (byte for byte the archive's lines) and
CSV, evidence.json, the rows of each result, the archive's public key, root object and manifests
(and the cited objects), verify_bundle.py, and SHA256SUMS signed with the archive's key, zipped into
a bundle that proves itself with sha256sum, openssl and python3 (its README.txt says how). The cited
queries run again at report time and every cited row is checked against its archived line; the
archive is verified over the period (every object hashed when the period's objects weigh at most
1 GiB; the objects the events come from always are).

  --saved NAME         a saved or starter query (see \`audit-archive query --list\`), run over the period
  --param name=value   its parameter values (as for \`query\`); repeat for each parameter
  --sql SQL            a query over audit_events, run over the period
  --results FILE       a result run before: the FILE.query.json that \`query --out FILE\` or the app's
                       export wrote (or FILE itself); run again with its exact SQL and parameters and
                       its rows compared with the rows file by content (by count without it); repeat
                       to cite several
  --engine ENGINE      local or athena (default: a result's own engine, else discovery.engine)
  --from DAY --to DAY  the report's period (UTC days, inclusive); every archived day in it is evidence
  --request-ref REF    the request's reference, as the examiner wrote it (required; one line, no
                       invisible or direction characters, as for the other one-line fields below)
  --requester TEXT     who asked
  --regulator TEXT     the regulator or auditor the request comes from
  --due DAY            the request's due date
  --question TEXT      the question in words
  --prepared-by TEXT   who prepared the report (default: the user running the command)
  --time-zone ZONE     the zone event times are also shown in (default: TZ, else this machine's)
  --out DIR            where the report folder <id>/, its bundle <id>.zip and <id>.receipt.json go: a
                       folder you can write, or a new folder inside one
  --archive-copy       also keep the bundle in the archive under reports/<id>/, locked like the
                       events, with a record of it signed with the archive's key (verify checks it)
  --generated-at T     a fixed generation time (UTC, 2026-03-20T12:00:00Z; else SOURCE_DATE_EPOCH):
                       the same archive and inputs then give the same bytes
  --cited-objects X    include or omit the archived objects the events come from in the bundle
                       (default: included when they weigh at most 100 MiB)
  --wait SECONDS       with --archive-copy: how long to wait for another writer (default: settings)
  --cache-dir DIR      the local engine's cache (as for \`query\`)
  --expect-key FP      the signing key fingerprint you recorded (as for \`verify\`): the cover then says
                       the key was checked against it (else against this installation's record of the
                       archive, else that it was trusted on first use); fails unless it is the key in
                       effect or a key that signed its way to it by rotation

Prints the paths of the PDF and the bundle on stdout; the verdict, every finding, the days not
archived, whether the bundle is signed, its SHA-256 and the archive copy on stderr. Exit status 1
when a check of the report failed (the report is still written, and its cover says so) or the
archive copy could not be written; 2 for bad usage (nothing is written, no folder is made).

${COMMON}

${EXIT}`,
} as const;
