/**
 * The preload: exposes one named, typed function per contract channel on `window.auditArchive`,
 * and one subscription to the events main pushes.
 *
 * Deliberately an explicit object literal and never a generic `invoke(channel, …)`, so the renderer
 * can reach exactly the contract and nothing else; main validates every payload, and the renderer's
 * bridge validates every response and event against the contract.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { BRIDGE_GLOBAL, type UncheckedBridge } from '../../shared/ipc/bridge';
import type { Channel, EVENT_CHANNEL, IPC_PREFIX } from '../../shared/ipc/contract';

/**
 * The contract's names, repeated here so the sandboxed preload does not bundle zod with the
 * contract's schemas (700 KB); the types make any drift from the contract a compile error.
 */
const PREFIX: typeof IPC_PREFIX = 'audit-archive:';
const EVENTS: typeof EVENT_CHANNEL = 'audit-archive:event';
const channel = (name: Channel) => PREFIX + name;

const bridge: UncheckedBridge = {
  appInfo: (request) => ipcRenderer.invoke(channel('app:info'), request),
  settingsGet: (request) => ipcRenderer.invoke(channel('settings:get'), request),
  settingsSave: (request) => ipcRenderer.invoke(channel('settings:save'), request),
  secretsStatus: (request) => ipcRenderer.invoke(channel('secrets:status'), request),
  secretsSetGenesysClientSecret: (request) => ipcRenderer.invoke(channel('secrets:set-genesys-client-secret'), request),
  secretsClearGenesysClientSecret: (request) =>
    ipcRenderer.invoke(channel('secrets:clear-genesys-client-secret'), request),
  archiveStatus: (request) => ipcRenderer.invoke(channel('archive:status'), request),
  discoveryLibrary: (request) => ipcRenderer.invoke(channel('discovery:library'), request),
  discoveryRun: (request) => ipcRenderer.invoke(channel('discovery:run'), request),
  discoveryStatus: (request) => ipcRenderer.invoke(channel('discovery:status'), request),
  discoveryRows: (request) => ipcRenderer.invoke(channel('discovery:rows'), request),
  discoveryCancel: (request) => ipcRenderer.invoke(channel('discovery:cancel'), request),
  discoveryExport: (request) => ipcRenderer.invoke(channel('discovery:export'), request),
  discoverySaveQuery: (request) => ipcRenderer.invoke(channel('discovery:save-query'), request),
  discoveryDeleteQuery: (request) => ipcRenderer.invoke(channel('discovery:delete-query'), request),
  discoveryExportQueries: (request) => ipcRenderer.invoke(channel('discovery:export-queries'), request),
  discoveryImportQueries: (request) => ipcRenderer.invoke(channel('discovery:import-queries'), request),
  reportsPreview: (request) => ipcRenderer.invoke(channel('reports:preview'), request),
  reportsGenerate: (request) => ipcRenderer.invoke(channel('reports:generate'), request),
  reportsStatus: (request) => ipcRenderer.invoke(channel('reports:status'), request),
  reportsList: (request) => ipcRenderer.invoke(channel('reports:list'), request),
  reportsCheck: (request) => ipcRenderer.invoke(channel('reports:check'), request),
  reportsOpenFolder: (request) => ipcRenderer.invoke(channel('reports:open-folder'), request),
  holdsStatus: (request) => ipcRenderer.invoke(channel('holds:status'), request),
  holdsList: (request) => ipcRenderer.invoke(channel('holds:list'), request),
  holdsPlace: (request) => ipcRenderer.invoke(channel('holds:place'), request),
  holdsRelease: (request) => ipcRenderer.invoke(channel('holds:release'), request),
  jobsState: (request) => ipcRenderer.invoke(channel('jobs:state'), request),
  jobsCancel: (request) => ipcRenderer.invoke(channel('jobs:cancel'), request),
  archiveCatchUp: (request) => ipcRenderer.invoke(channel('archive:catch-up'), request),
  archiveVerify: (request) => ipcRenderer.invoke(channel('archive:verify'), request),
  archiveExportDay: (request) => ipcRenderer.invoke(channel('archive:export-day'), request),
  archiveDay: (request) => ipcRenderer.invoke(channel('archive:day'), request),
  scheduleStatus: (request) => ipcRenderer.invoke(channel('schedule:status'), request),
  genesysTestConnection: (request) => ipcRenderer.invoke(channel('genesys:test-connection'), request),
  genesysSignIn: (request) => ipcRenderer.invoke(channel('genesys:sign-in'), request),
  genesysSignOut: (request) => ipcRenderer.invoke(channel('genesys:sign-out'), request),
  genesysSignInState: (request) => ipcRenderer.invoke(channel('genesys:sign-in-state'), request),
  storageCheck: (request) => ipcRenderer.invoke(channel('storage:check'), request),
  storageInitBucket: (request) => ipcRenderer.invoke(channel('storage:init-bucket'), request),
  signingKeyStatus: (request) => ipcRenderer.invoke(channel('signing-key:status'), request),
  signingKeyCreate: (request) => ipcRenderer.invoke(channel('signing-key:create'), request),
  signingKeyImport: (request) => ipcRenderer.invoke(channel('signing-key:import'), request),
  archiveVerifyCopy: (request) => ipcRenderer.invoke(channel('archive:verify-copy'), request),
  storageCheckCopy: (request) => ipcRenderer.invoke(channel('storage:check-copy'), request),
  subscribe: (listener) => {
    // Only the event itself crosses into the page, never Electron's event object (it holds the sender).
    const forward = (_event: IpcRendererEvent, message: unknown) => listener(message);
    ipcRenderer.on(EVENTS, forward);
    return () => {
      ipcRenderer.removeListener(EVENTS, forward);
    };
  },
};

contextBridge.exposeInMainWorld(BRIDGE_GLOBAL, bridge);
