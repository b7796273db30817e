/**
 * The officer's desk behind the contract's desk channels (shared/ipc/contract.ts `deskChannels`):
 * catch-up, verify, one day's evidence and actions, the daily job's status, and the live checks of
 * setup and Settings (Genesys connection and sign-in, the archive target, the signing key).
 *
 * Each function receives a request its schema already parsed (dispatch) and may throw
 * AuditArchiveError; secrets (the client secret, the signing key) only ever go into the keychain.
 */
import type * as z from 'zod';
import type { Channel, Contract, ResponseOf } from '../../../shared/ipc/contract';
import { AuditArchiveError, isAuditArchiveError } from '../../../shared/errors';
import type { Settings } from '../../../shared/settings';
import type { ConnectionCheck } from '../../../shared/setup-checks';
import type { ArchiveSession } from '../archive/archive-session';
import { generateSigningKey, signingKeyFromPem } from '../archive/signing';
import { SecretSigningKeyStore } from '../archive/signing-keys';
import { checkGenesysConnection } from '../genesys/connection-check';
import { SECRET_ACCOUNTS, type SecretStore } from '../secrets/secret-store';
import type { SettingsFile } from '../settings/settings-file';
import type { ArchiveJobs } from './archive-jobs';
import { copyUrlOf } from './copy-check';
import { checkCopyStorage } from './copy-storage-check';
import { readDayDetails } from './day-details';
import type { OfficerSignIn } from './officer-sign-in';
import { withSession } from './session-tracking';
import { readSigningKeyStatus } from './signing-key-status';
import { checkStorage, initArchiveBucket } from './storage-check';

/** The contract's desk channels, served here. */
export const DESK_CHANNELS = [
  'jobs:state',
  'jobs:cancel',
  'archive:catch-up',
  'archive:verify',
  'archive:export-day',
  'archive:day',
  'schedule:status',
  'genesys:test-connection',
  'genesys:sign-in',
  'genesys:sign-out',
  'genesys:sign-in-state',
  'storage:check',
  'storage:init-bucket',
  'signing-key:status',
  'signing-key:create',
  'signing-key:import',
  'archive:verify-copy',
  'storage:check-copy',
] as const satisfies readonly Channel[];
type DeskChannel = (typeof DESK_CHANNELS)[number];

/** One plain async function per desk channel, given the request its schema parsed (as app-service.ts's `AppService`). */
export type DeskService = {
  readonly [C in DeskChannel]: (request: z.output<Contract[C]['request']>) => Promise<ResponseOf<C>>;
};

interface DeskDeps {
  readonly userDataDir: string;
  readonly env: NodeJS.ProcessEnv;
  readonly now: () => number;
  readonly secrets: SecretStore;
  readonly jobs: ArchiveJobs;
  readonly signIn: OfficerSignIn;
  readonly openSession: (purpose: 'read' | 'write') => Promise<ArchiveSession>;
  readonly scheduleStatus: () => Promise<ResponseOf<'schedule:status'>>;
  readonly settingsFile: Pick<SettingsFile, 'load'>;
}

export function createDeskService(deps: DeskDeps): DeskService {
  return {
    ...jobChannels(deps),
    ...genesysChannels(deps),
    ...storageChannels(deps),
    ...signingKeyChannels(deps),
    ...copyChannels(deps),
  };
}

/** The second locked copy: its check as a job, refused before it starts when no copy is set; its bucket's check. */
function copyChannels(deps: DeskDeps): Pick<DeskService, 'archive:verify-copy' | 'storage:check-copy'> {
  return {
    async 'archive:verify-copy'(request) {
      checkRange(request);
      const { settings } = await deps.settingsFile.load();
      if (copyUrlOf(settings) === null)
        throw new AuditArchiveError(
          'INVALID_REQUEST',
          'No second locked copy is set: enter one in Settings, Archive location, "Second locked copy", then check it.',
        );
      return deps.jobs.startCopyCheck(request, 'officer');
    },

    async 'storage:check-copy'({ archive }) {
      return checkCopyStorage(archive, { userDataDir: deps.userDataDir, env: deps.env });
    },
  };
}

type JobChannel =
  | 'jobs:state'
  | 'jobs:cancel'
  | 'archive:catch-up'
  | 'archive:verify'
  | 'archive:export-day'
  | 'archive:day'
  | 'schedule:status';

/** The jobs on the archive, one day's evidence, and the daily job's status. */
function jobChannels(deps: DeskDeps): Pick<DeskService, JobChannel> {
  const { jobs } = deps;
  return {
    async 'jobs:state'() {
      const { current, last } = jobs.state();
      return { current, last, interrupted: current ? null : await interruptedCatchUp(deps) };
    },

    async 'jobs:cancel'({ id }) {
      return { cancelled: jobs.cancel(id) };
    },

    async 'archive:catch-up'(request) {
      checkRange(request);
      return jobs.startCatchUp(request, 'officer');
    },

    async 'archive:verify'(request) {
      checkRange(request);
      return jobs.startVerify(request, 'officer');
    },

    async 'archive:export-day'({ day, reconcile }) {
      return jobs.startExportDay(day, reconcile, 'officer');
    },

    async 'archive:day'({ day }) {
      return withSession(
        () => deps.openSession('read'),
        (s) => readDayDetails(s, day, deps.now()),
      );
    },

    async 'schedule:status'() {
      return deps.scheduleStatus();
    },
  };
}

/** A catch-up the journal says was cut short (null: none, or the journal could not be read). */
async function interruptedCatchUp(deps: DeskDeps) {
  const record = await withSession(
    () => deps.openSession('read'),
    async (s) => s.journal.catchUp,
  ).catch(() => null);
  if (!record || record.days.length <= record.done.length + record.failed.length) return null;
  return {
    startedAt: record.startedAt,
    days: record.days.length,
    done: record.done.length,
    failed: record.failed.length,
  };
}

type GenesysChannel = 'genesys:test-connection' | 'genesys:sign-in' | 'genesys:sign-out' | 'genesys:sign-in-state';

function genesysChannels(deps: DeskDeps): Pick<DeskService, GenesysChannel> {
  const { signIn } = deps;
  return {
    async 'genesys:test-connection'({ genesys }) {
      return testConnection(genesys, deps);
    },

    async 'genesys:sign-in'({ genesys }) {
      return signIn.start(genesys);
    },

    async 'genesys:sign-out'() {
      return signIn.signOut();
    },

    async 'genesys:sign-in-state'() {
      return signIn.current();
    },
  };
}

/** "Test connection": with the officer's sign-in (PKCE) or the client secret in the keychain. */
async function testConnection(genesys: Settings['genesys'], deps: DeskDeps): Promise<ConnectionCheck> {
  const clientId = genesys.clientId.trim();
  const refused = (detail: string): ConnectionCheck => ({
    ok: false,
    steps: [{ step: 'login', ok: false, detail }],
    organisation: null,
    missingPermission: null,
  });
  if (!clientId) return refused('Enter the OAuth client id first.');
  if (genesys.authMode === 'pkce') {
    const token = deps.signIn.tokenFor(clientId);
    if (!token) return refused('Sign in as yourself first ("Sign in as myself"); the test then uses your sign-in.');
    return checkGenesysConnection(genesys, { credentials: { token }, env: deps.env });
  }
  const secret = await keychain(() => deps.secrets.get(SECRET_ACCOUNTS.genesysClientSecret(clientId)));
  if (!secret) {
    return refused(
      `No client secret is stored for client ${clientId}: enter it and store it in the keychain, then test again.`,
    );
  }
  return checkGenesysConnection(genesys, { credentials: { clientSecret: secret }, env: deps.env });
}

function storageChannels(deps: DeskDeps): Pick<DeskService, 'storage:check' | 'storage:init-bucket'> {
  return {
    async 'storage:check'({ archive }) {
      return checkStorage(archive, { userDataDir: deps.userDataDir, env: deps.env, keys: keysOf(deps, archive) });
    },

    async 'storage:init-bucket'({ archive, confirmCompliance }) {
      return initArchiveBucket(archive, confirmCompliance, { env: deps.env });
    },
  };
}

type SigningKeyChannel = 'signing-key:status' | 'signing-key:create' | 'signing-key:import';

function signingKeyChannels(deps: DeskDeps): Pick<DeskService, SigningKeyChannel> {
  return {
    async 'signing-key:status'({ archive }) {
      return readSigningKeyStatus(archive, deps);
    },

    async 'signing-key:create'() {
      const key = generateSigningKey();
      await keychain(() => keysOf(deps).save(key));
      return { fingerprint: key.fingerprint };
    },

    async 'signing-key:import'({ pem }) {
      let key;
      try {
        key = signingKeyFromPem(pem, 'The key you imported');
      } catch (e) {
        const message = isAuditArchiveError(e) ? e.message : 'The key you imported is not a PEM private key.';
        throw new AuditArchiveError('INVALID_REQUEST', message, { issues: [{ path: ['pem'], message }] });
      }
      await keychain(() => keysOf(deps).save(key));
      return { fingerprint: key.fingerprint };
    },
  };
}

/** The signing keys in the keychain, with the fingerprint these archive settings record. */
function keysOf(deps: DeskDeps, archive?: Settings['archive']): SecretSigningKeyStore {
  return new SecretSigningKeyStore(deps.secrets, archive?.signingKeyFingerprint);
}

/** Keychain failures other than our own errors become one clear error saying what to do. */
async function keychain<T>(op: () => Promise<T>): Promise<T> {
  try {
    return await op();
  } catch (e) {
    if (isAuditArchiveError(e)) throw e;
    throw new AuditArchiveError(
      'SECRET_STORE_UNAVAILABLE',
      'The OS keychain is not reachable, so the signing key cannot be kept safely. Install and unlock a Secret Service (e.g. gnome-keyring) or use the macOS/Windows keychain, then try again.',
      { cause: e },
    );
  }
}

/** A range that ends before it starts is refused before any job starts, naming the field. */
function checkRange({ from, to }: { from?: string | undefined; to?: string | undefined }): void {
  if (from && to && to < from) {
    throw new AuditArchiveError(
      'INVALID_REQUEST',
      `The range ends (${to}) before it starts (${from}): swap the two days.`,
      {
        issues: [{ path: ['to'], message: `must not be before ${from}` }],
      },
    );
  }
}
