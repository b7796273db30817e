/** The Genesys Audit API simulator (see server.ts) and its synthetic organisation. */
export { startGenesysSimulator, type GenesysSimulator, type SimulatorOptions, type SimulatorStats } from './server';
export { SyntheticOrganisation, realisticDayVolume, eventId } from './organisation';
