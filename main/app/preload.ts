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
};

contextBridge.exposeInMainWorld(BRIDGE_GLOBAL, bridge);
