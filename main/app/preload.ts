/**
 * The preload: exposes one named, typed function per contract channel on `window.auditArchive`.
 *
 * Deliberately an explicit object literal and never a generic `invoke(channel, …)`, so the renderer
 * can reach exactly the contract and nothing else; main validates every payload anyway.
 */
import { contextBridge, ipcRenderer } from 'electron';
import { BRIDGE_GLOBAL, type Bridge } from '../../shared/ipc/bridge';
import { IPC_PREFIX } from '../../shared/ipc/contract';

const bridge: Bridge = {
  appInfo: (request) => ipcRenderer.invoke(IPC_PREFIX + 'app:info', request),
  settingsGet: (request) => ipcRenderer.invoke(IPC_PREFIX + 'settings:get', request),
  settingsSave: (request) => ipcRenderer.invoke(IPC_PREFIX + 'settings:save', request),
  secretsStatus: (request) => ipcRenderer.invoke(IPC_PREFIX + 'secrets:status', request),
  secretsSetGenesysClientSecret: (request) =>
    ipcRenderer.invoke(IPC_PREFIX + 'secrets:set-genesys-client-secret', request),
  secretsClearGenesysClientSecret: (request) =>
    ipcRenderer.invoke(IPC_PREFIX + 'secrets:clear-genesys-client-secret', request),
  archiveStatus: (request) => ipcRenderer.invoke(IPC_PREFIX + 'archive:status', request),
};

contextBridge.exposeInMainWorld(BRIDGE_GLOBAL, bridge);
