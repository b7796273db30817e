/**
 * The demo organisation as a runtime keeps it: the built-in Genesys simulator, started on the first
 * write in demo mode and kept until the runtime closes (so every demo export talks to one simulator).
 */
import { simulatorSource } from '../archive/archive-session';
import type { AuditEventSource } from '../genesys/audit-source';
import { startGenesysSimulator, type GenesysSimulator, type SimulatorOptions } from '../genesys/simulator/server';
import { demoVolume } from './demo-archive';

interface DemoOrganisationOptions {
  readonly now: () => number;
  /** Knobs of the simulator (tests slow it down to watch progress). */
  readonly simulator?: Partial<SimulatorOptions>;
}

export class DemoOrganisation {
  private started: Promise<{ sim: GenesysSimulator; source: AuditEventSource }> | null = null;

  constructor(private readonly options: DemoOrganisationOptions) {}

  /** The simulator's audit events, starting it on first use. */
  async source(): Promise<AuditEventSource> {
    const { now, simulator } = this.options;
    this.started ??= startGenesysSimulator({ now, eventsPerDay: demoVolume, ...simulator }).then((sim) => ({
      sim,
      source: simulatorSource(sim, now),
    }));
    return (await this.started).source;
  }

  /** Stops the simulator, if it was started. */
  async close(): Promise<void> {
    const started = await this.started?.catch(() => null);
    await started?.sim.close();
  }
}
