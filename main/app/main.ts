/**
 * The Electron shell: one window, the tray, the menu and IPC registration. Thin on purpose: all work
 * happens in main/engine (which never imports electron), reached only through `dispatch`.
 *
 * Secure by default: contextIsolation, sandbox, no nodeIntegration, renderer served from
 * `app://audit-archive/` with a strict CSP, navigation and new windows denied, IPC senders checked,
 * a single instance. AUDIT_ARCHIVE_USER_DATA overrides the user-data folder (tests, portable use).
 */
import path from 'node:path';
import { app, BrowserWindow, Menu, nativeImage, shell, Tray } from 'electron';
import { startAppSchedule } from '../engine/schedule/app-schedule';
import type { DailySchedule } from '../engine/schedule/daily-schedule';
import { openAppService } from '../engine/service/open-app-service';
import { APP_ORIGIN, isAllowedExternalUrl } from '../engine/service/trusted-origin';
import { hardenAllWebContents } from './hardening';
import { registerIpc } from './ipc';
import { registerRendererScheme, serveRenderer } from './renderer-protocol';

/** dist/main/main.cjs -> dist/renderer and dist/main/preload.cjs. */
const RENDERER_DIR = path.join(__dirname, '..', 'renderer');
const PRELOAD = path.join(__dirname, 'preload.cjs');
const HELP_URL = 'https://help.mypurecloud.com/articles/about-audit-viewer/';
/** 16x16 tray icon, inline so packaging needs no extra resource. */
const TRAY_ICON =
  'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAABAAAAAQCAYAAAAf8/9hAAAAJklEQVR4nGNgoAYQjSv9Tw4ebgY8+/CVJEx9AwY+DEYNGGgDKAEAl3uiNFNdp6oAAAAASUVORK5CYII=';

if (process.env.AUDIT_ARCHIVE_USER_DATA) app.setPath('userData', process.env.AUDIT_ARCHIVE_USER_DATA);

let mainWindow: BrowserWindow | null = null;
let tray: Tray | null = null;
let schedule: DailySchedule | null = null;

if (!app.requestSingleInstanceLock()) {
  // Another Audit Archive already runs on this user-data folder: it gets focus, we leave.
  app.quit();
} else {
  registerRendererScheme();
  hardenAllWebContents();
  app.on('second-instance', () => showMainWindow());
  app.on('window-all-closed', () => {
    // The tray keeps the daily schedule alive on Windows/Linux; macOS keeps apps running anyway.
    if (!tray) app.quit();
  });
  app.on('activate', () => showMainWindow());
  app.on('will-quit', () => void schedule?.stop());
  app.whenReady().then(start, (e: unknown) => {
    console.error('Audit Archive could not start:', e);
    app.exit(1);
  });
}

async function start(): Promise<void> {
  const service = openAppService({
    userDataDir: app.getPath('userData'),
    transport: 'electron',
    appVersion: app.getVersion(),
    // A report's folder in the file manager ('' means shell.openPath succeeded).
    openFolder: async (folder) => (await shell.openPath(folder)) === '',
  });
  serveRenderer(RENDERER_DIR);
  registerIpc(service);
  Menu.setApplicationMenu(buildMenu());
  createTray();
  showMainWindow();
  // The daily archive run; failed days are in the run journal, so the calendar shows them.
  schedule = startAppSchedule({
    userDataDir: app.getPath('userData'),
    onError: (e) =>
      console.error('Audit Archive: the scheduled archive run failed:', e instanceof Error ? e.message : e),
  });
}

function showMainWindow(): void {
  if (mainWindow && !mainWindow.isDestroyed()) {
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.show();
    mainWindow.focus();
    return;
  }
  mainWindow = new BrowserWindow({
    width: 1200,
    height: 800,
    minWidth: 880,
    minHeight: 600,
    title: 'Audit Archive',
    show: false,
    webPreferences: {
      preload: PRELOAD,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
    },
  });
  mainWindow.once('ready-to-show', () => mainWindow?.show());
  mainWindow.on('closed', () => {
    mainWindow = null;
  });
  void mainWindow.loadURL(`${APP_ORIGIN}/index.html`);
}

function openExternal(url: string): void {
  if (isAllowedExternalUrl(url)) void shell.openExternal(url);
}

function buildMenu(): Menu {
  const isMac = process.platform === 'darwin';
  return Menu.buildFromTemplate([
    ...(isMac ? [{ role: 'appMenu' as const }] : []),
    { label: 'File', submenu: [isMac ? { role: 'close' as const } : { role: 'quit' as const }] },
    { role: 'editMenu' },
    {
      label: 'View',
      submenu: [
        { role: 'reload' },
        ...(app.isPackaged ? [] : [{ role: 'toggleDevTools' as const }]),
        { type: 'separator' as const },
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
      ],
    },
    { role: 'help', submenu: [{ label: 'Genesys Cloud audit viewer help', click: () => openExternal(HELP_URL) }] },
  ]);
}

function createTray(): void {
  try {
    tray = new Tray(nativeImage.createFromDataURL(TRAY_ICON));
  } catch {
    tray = null; // some Linux desktops have no tray; the window alone is fine
    return;
  }
  tray.setToolTip('Audit Archive');
  tray.setContextMenu(
    Menu.buildFromTemplate([
      { label: 'Open Audit Archive', click: () => showMainWindow() },
      { type: 'separator' },
      { label: 'Quit', click: () => app.quit() },
    ]),
  );
  tray.on('click', () => showMainWindow());
}
