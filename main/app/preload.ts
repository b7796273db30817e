/**
 * The preload: exposes one named, typed function per contract channel on `window.auditArchive`.
 *
 * Deliberately an explicit object literal and never a generic `invoke(channel, …)`, so the renderer
 * can reach exactly the contract and nothing else; main validates every payload anyway.
 */
import { contextBridge, ipcRenderer } from 'electron';
import { BRIDGE_GLOBAL, type Bridge } from '../../shared/ipc/bridge';
import type { Channel, IPC_PREFIX } from '../../shared/ipc/contract';

/**
 * The contract's prefix, repeated here so the sandboxed preload does not bundle zod with the
 * contract's schemas (700 KB); the type makes any drift from the contract a compile error.
 */
const PREFIX: typeof IPC_PREFIX = 'audit-archive:';
const channel = (name: Channel) => PREFIX + name;

const bridge: Bridge = {
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
};

contextBridge.exposeInMainWorld(BRIDGE_GLOBAL, bridge);
