/**
 * `npm run simulator -- --port 9001 ...`: the Genesys Audit API simulator on its own, for the demo,
 * manual testing and pointing other tools at (AUDIT_ARCHIVE_GENESYS_API_URL / _LOGIN_URL).
 */
import { parseArgs } from 'node:util';
import * as z from 'zod';
import { startGenesysSimulator, type SimulatorOptions } from './server';

const USAGE = `Usage: npm run simulator -- [options]

  --port N                 TCP port on 127.0.0.1 (default 0: a free port)
  --seed N                 organisation seed (default 1)
  --events-per-day N       exactly N events every day (default: a realistic seeded pattern)
  --latency MS             delay before every answer (default 0)
  --rate-limit N           at most N requests per minute (default: unlimited)
  --no-retry-after         answer 429 without a Retry-After header
  --retention-days N       days Genesys still holds (default 365)
  --settlement-lag MIN     minutes before an event becomes visible (default 10)
  --error-rate P           probability of a 500/503/504 per API request (default 0)
  --drop-rate P            probability of a dropped connection per API request (default 0)
  --duplicate-rate P       probability a page repeats the previous page's last event (default 0)
  --redirect-every N       every Nth results page is a 302 download page (default 0: never)
  --token-lifetime S       expires_in of tokens in seconds (default 86400)
  --client-id ID           demo client id (default demo-client-id)
  --client-secret SECRET   demo client secret (default demo-client-secret)
  --help`;

const Int = (name: string, min = 0) =>
  z.coerce
    .number({ error: `${name} must be a number` })
    .int(`${name} must be a whole number`)
    .min(min, `${name} must be at least ${min}`);
const Prob = (name: string) =>
  z.coerce
    .number({ error: `${name} must be a number` })
    .min(0, `${name} must be 0..1`)
    .max(1, `${name} must be 0..1`);

const FlagsSchema = z.object({
  port: Int('--port').max(65535).default(0),
  seed: Int('--seed').default(1),
  'events-per-day': Int('--events-per-day').optional(),
  latency: Int('--latency').default(0),
  'rate-limit': Int('--rate-limit', 1).optional(),
  'no-retry-after': z.boolean().default(false),
  'retention-days': Int('--retention-days', 1).default(365),
  'settlement-lag': Int('--settlement-lag').default(10),
  'error-rate': Prob('--error-rate').default(0),
  'drop-rate': Prob('--drop-rate').default(0),
  'duplicate-rate': Prob('--duplicate-rate').default(0),
  'redirect-every': Int('--redirect-every').default(0),
  'token-lifetime': Int('--token-lifetime', 1).default(86_400),
  'client-id': z.string().min(1).default('demo-client-id'),
  'client-secret': z.string().min(1).default('demo-client-secret'),
});

async function main(argv: string[]): Promise<number> {
  let values: Record<string, unknown>;
  try {
    const parsed = parseArgs({
      args: argv,
      strict: true,
      options: {
        port: { type: 'string' },
        seed: { type: 'string' },
        'events-per-day': { type: 'string' },
        latency: { type: 'string' },
        'rate-limit': { type: 'string' },
        'no-retry-after': { type: 'boolean' },
        'retention-days': { type: 'string' },
        'settlement-lag': { type: 'string' },
        'error-rate': { type: 'string' },
        'drop-rate': { type: 'string' },
        'duplicate-rate': { type: 'string' },
        'redirect-every': { type: 'string' },
        'token-lifetime': { type: 'string' },
        'client-id': { type: 'string' },
        'client-secret': { type: 'string' },
        help: { type: 'boolean' },
      },
    });
    values = parsed.values;
  } catch (e) {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\nRun with --help for the options.\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const flags = FlagsSchema.safeParse(values);
  if (!flags.success) {
    process.stderr.write(`${flags.error.issues[0]?.message ?? 'bad option'}\nRun with --help for the options.\n`);
    return 2;
  }
  const f = flags.data;
  const options: Partial<SimulatorOptions> = {
    port: f.port,
    seed: f.seed,
    latencyMs: f.latency,
    retentionDays: f['retention-days'],
    settlementLagMinutes: f['settlement-lag'],
    failureRates: { http429: 0, http5xx: f['error-rate'], dropConnection: f['drop-rate'] },
    duplicateRate: f['duplicate-rate'],
    redirectEveryNthPage: f['redirect-every'],
    tokenLifetimeSeconds: f['token-lifetime'],
    clientId: f['client-id'],
    clientSecret: f['client-secret'],
    ...(f['events-per-day'] !== undefined ? { eventsPerDay: f['events-per-day'] } : {}),
    ...(f['rate-limit'] !== undefined
      ? { rateLimit: { requestsPerMinute: f['rate-limit'], retryAfter: !f['no-retry-after'] } }
      : {}),
  };
  const sim = await startGenesysSimulator(options);
  process.stdout.write(
    [
      `Genesys Audit API simulator (seed ${f.seed}) listening.`,
      `  API URL:       ${sim.apiUrl}`,
      `  Login URL:     ${sim.loginUrl}`,
      `  Client id:     ${sim.clientId}`,
      `  Client secret: ${sim.clientSecret}   (demo credentials, not a real secret)`,
      '',
      'Point the app or CLI at it with:',
      `  AUDIT_ARCHIVE_GENESYS_API_URL=${sim.apiUrl} AUDIT_ARCHIVE_GENESYS_LOGIN_URL=${sim.loginUrl} \\`,
      `  AUDIT_ARCHIVE_GENESYS_CLIENT_ID=${sim.clientId} AUDIT_ARCHIVE_GENESYS_CLIENT_SECRET=${sim.clientSecret}`,
      'Press Ctrl+C to stop.',
      '',
    ].join('\n'),
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await sim.close();
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`The simulator failed to start: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  },
);
