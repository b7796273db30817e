/**
 * The service's dependencies as a test of other channels builds it: what the test gives, and for
 * every dependency it leaves out (the calendar, the desk, Discovery, Reports, legal holds) a fake whose every
 * channel refuses with INTERNAL, so a call that reaches one fails loudly. The app wires the real
 * ones (main/engine/service/app-runtime.ts); main/ holds no such stand-ins, every dependency of
 * `createAppService` being required by type.
 */
import { AuditArchiveError } from '../../../shared/errors';
import { contract, type Channel } from '../../../shared/ipc/contract';
import { createAppService, type AppService, type AppServiceDeps } from '../../../main/engine/service/app-service';
import { DESK_CHANNELS, type DeskService } from '../../../main/engine/service/desk-service';
import { HOLD_CHANNELS, type HoldService } from '../../../main/engine/service/hold-service';
import type { DiscoveryService } from '../../../main/engine/discovery/discovery-service';
import type { ReportService } from '../../../main/engine/reports/report-service';

/** Every channel named, each refusing: this test did not wire the part that serves it. */
function refusing<T>(channels: readonly Channel[], part: string): T {
  const refuse = async (): Promise<never> => {
    throw new AuditArchiveError('INTERNAL', `${part} is not wired in this test.`);
  };
  return Object.fromEntries(channels.map((c) => [c, refuse])) as T;
}

const channelsStartingWith = (prefix: string) =>
  (Object.keys(contract) as Channel[]).filter((c) => c.startsWith(prefix));

export type TestServiceDeps = Pick<AppServiceDeps, 'settingsFile' | 'secrets' | 'transport'> & Partial<AppServiceDeps>;

/** The dependencies given, and a refusing fake for each one left out. */
export function testServiceDeps(given: TestServiceDeps): AppServiceDeps {
  return {
    archiveTargetOf: (settings) => settings.archive.target || 'file:///',
    archiveStatus: refusing<AppService>(['archive:status'], 'The archive calendar')['archive:status'],
    discovery: refusing<DiscoveryService>(channelsStartingWith('discovery:'), 'Discovery'),
    reports: refusing<ReportService>(channelsStartingWith('reports:'), 'Reports'),
    desk: refusing<DeskService>(DESK_CHANNELS, 'The desk'),
    holds: refusing<HoldService>(HOLD_CHANNELS, 'Legal holds'),
    ...given,
  };
}

/** The service with the dependencies given and refusing fakes for the rest. */
export function createTestAppService(given: TestServiceDeps): AppService {
  return createAppService(testServiceDeps(given));
}
