/**
 * Where an archive session's events come from, made on its first export: the demo organisation
 * (a simulator in this process, or the one given), or a real organisation through the Genesys
 * client with the client secret or an officer's own sign-in. What the source says about itself
 * is recorded in every manifest and decides which archive it may write into.
 */
import type { ArchiveOrganisation } from '../../../shared/archive-root';
import type { ManifestSource } from '../../../shared/manifest';
import type { Settings } from '../../../shared/settings';
import type { AuditEventSource } from '../genesys/audit-source';
import { ClientCredentialsAuth, type TokenProvider } from '../genesys/auth';
import { GenesysAuditClient } from '../genesys/client';
import { RateBudget } from '../genesys/rate-budget';
import { startGenesysSimulator, type GenesysSimulator } from '../genesys/simulator/server';

/** What lets a session log in to a real organisation: the client secret, or an officer's own sign-in (PKCE). */
export interface GenesysCredentials {
  readonly genesysClientSecret?: string;
  /** A signed-in officer's token (PKCE); used instead of the client secret when given. */
  readonly genesysToken?: TokenProvider;
}

/** A source, and what it says about itself (for manifests and for the root). */
export interface SessionSource {
  readonly source: AuditEventSource;
  readonly record: ManifestSource;
  readonly organisation: ArchiveOrganisation;
}

interface SourceDeps {
  readonly settings: Settings;
  readonly secrets: GenesysCredentials;
  readonly env: NodeJS.ProcessEnv;
  /** A simulator source to use instead of starting one. */
  readonly demoSource?: AuditEventSource;
  readonly now: () => number;
  /** Throws when no organisation is configured (before anything is started). */
  readonly checkConfigured: () => void;
}

/** The source, made once on first use (made again after a failure), and how to stop what it started. */
export function lazySource(deps: SourceDeps): { get: () => Promise<SessionSource>; close: () => Promise<void> } {
  let closeSimulator: (() => Promise<void>) | null = null;
  let made: Promise<SessionSource> | null = null;
  const get = () =>
    (made ??= openSource(deps, (close) => (closeSimulator = close))
      .then((src) => describeSource(src, deps.settings.demo || deps.demoSource !== undefined))
      .catch((e: unknown) => {
        made = null;
        throw e;
      }));
  const close = async () => {
    const stop = closeSimulator as (() => Promise<void>) | null;
    if (stop) await stop();
  };
  return { get, close };
}

async function openSource(
  deps: SourceDeps,
  onSimulator: (close: () => Promise<void>) => void,
): Promise<AuditEventSource> {
  if (deps.demoSource) return deps.demoSource;
  if (deps.settings.demo) {
    const sim = await startGenesysSimulator({ now: deps.now });
    onSimulator(() => sim.close());
    return simulatorSource(sim, deps.now);
  }
  deps.checkConfigured();
  return GenesysAuditClient.forSettings(
    deps.settings,
    deps.secrets.genesysToken ?? (deps.secrets.genesysClientSecret as string),
    deps.env,
  );
}

async function describeSource(src: AuditEventSource, demo: boolean): Promise<SessionSource> {
  const identity = await src.identify();
  return {
    source: src,
    record: { demo, ...identity, perServiceQueries: src.perServiceQueries },
    organisation: { id: identity.organisationId, name: identity.organisationName, apiHost: identity.apiHost },
  };
}

/**
 * A Genesys client for a simulator in this process (demo, tests, benchmarks), with its own
 * generous rate budget so it never throttles the real exporter's shared one, and quick status
 * polls and resubmissions (the simulator answers in milliseconds; Genesys takes seconds).
 */
export function simulatorSource(sim: GenesysSimulator, now: () => number = Date.now): AuditEventSource {
  const auth = new ClientCredentialsAuth({
    loginUrl: sim.loginUrl,
    clientId: sim.clientId,
    clientSecret: sim.clientSecret,
    now,
  });
  return new GenesysAuditClient({
    apiUrl: sim.apiUrl,
    loginUrl: sim.loginUrl,
    auth,
    budget: new RateBudget({ requestsPerMinute: 60_000 }),
    pollInitialMs: 5,
    pollMaxMs: 100,
    queryRetryDelayMs: 20,
  });
}
