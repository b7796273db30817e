/**
 * The Electron shell: one window, the tray, the menu, notifications and IPC registration. Thin on
 * purpose: all work happens in main/engine (which never imports electron), reached only through
 * `dispatch`; the shell adds what only a desktop has (a tray, a login item, desktop notifications,
 * the system browser, waking from sleep).
 *
 * Secure by default: contextIsolation, sandbox, no nodeIntegration, renderer served from
 * `app://audit-archive/` with a strict CSP, navigation and new windows denied, IPC senders checked,
 * a single instance. AUDIT_ARCHIVE_USER_DATA overrides the user-data folder (tests, portable use).
 */
import path from 'node:path';
import { app, BrowserWindow, Menu, nativeImage, Notification, powerMonitor, shell, Tray } from 'electron';
import type { ScheduleStatus } from '../../shared/schedule-status';
import type { Settings } from '../../shared/settings';
import { openAppRuntime, type AppRuntime, type AppRuntimeOptions } from '../engine/service/app-runtime';
import { APP_ORIGIN, isAllowedExternalUrl } from '../engine/service/trusted-origin';
import { hardenAllWebContents } from './hardening';
import { forwardEvents, registerIpc } from './ipc';
import { registerRendererScheme, serveRenderer } from './renderer-protocol';

/** dist/main/main.cjs -> dist/renderer and dist/main/preload.cjs. */
const RENDERER_DIR = path.join(__dirname, '..', 'renderer');
const PRELOAD = path.join(__dirname, 'preload.cjs');
const HELP_URL = 'https://help.mypurecloud.com/articles/about-audit-viewer/';
/** Passed by the login item: start in the tray, without a window. */
const HIDDEN_FLAG = '--hidden';
/** 16x16 tray icon, inline so packaging needs no extra resource. */
const TRAY_ICON =
  'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAABAAAAAQCAYAAAAf8/9hAAAAJklEQVR4nGNgoAYQjSv9Tw4ebgY8+/CVJEx9AwY+DEYNGGgDKAEAl3uiNFNdp6oAAAAASUVORK5CYII=';

if (process.env.AUDIT_ARCHIVE_USER_DATA) app.setPath('userData', process.env.AUDIT_ARCHIVE_USER_DATA);

let mainWindow: BrowserWindow | null = null;
let tray: Tray | null = null;
let runtime: AppRuntime | null = null;
/** The failure last notified, so one failure raises one desktop notification, not one per status. */
let notifiedFailure: string | null = null;
let scheduleFailure: string | null = null;

if (!app.requestSingleInstanceLock()) {
  // Another Audit Archive already runs on this user-data folder: it gets focus, we leave.
  app.quit();
} else {
  registerRendererScheme();
  hardenAllWebContents();
  app.on('second-instance', () => showMainWindow());
  app.on('window-all-closed', () => {
    // The tray keeps the daily job alive on Windows/Linux; macOS keeps apps running anyway.
    if (!tray) app.quit();
  });
  app.on('activate', () => showMainWindow());
  // A running job is cancelled cleanly first (a catch-up keeps its record, so it can be resumed).
  let closed = false;
  app.on('will-quit', (event) => {
    if (closed || !runtime) return;
    event.preventDefault();
    closed = true;
    void runtime.close().finally(() => app.quit());
  });
  app.whenReady().then(start, (e: unknown) => {
    console.error('Audit Archive could not start:', e);
    app.exit(1);
  });
}

/**
 * The runtime as the desktop app composes it: its user-data folder and version from Electron, and
 * the desktop's own doors (the file manager, the system browser, the log); nothing else is read here.
 */
function desktopRuntimeOptions(): AppRuntimeOptions {
  return {
    userDataDir: app.getPath('userData'),
    transport: 'electron',
    appVersion: app.getVersion(),
    // A report's folder in the file manager ('' means shell.openPath succeeded).
    openFolder: async (folder) => (await shell.openPath(folder)) === '',
    schedule: true,
    demoArchive: { fill: true },
    // "Sign in as myself" opens Genesys's sign-in page in the user's own browser.
    openExternal: (url) => shell.openExternal(url),
    onWarning: (message) => console.warn(`Audit Archive: ${message}`),
    onInternalError: (e) => console.error('Audit Archive: unexpected error:', e instanceof Error ? e.message : e),
  };
}

async function start(): Promise<void> {
  runtime = openAppRuntime(desktopRuntimeOptions());
  serveRenderer(RENDERER_DIR);
  registerIpc(runtime.service);
  forwardEvents(runtime.events, () => (mainWindow && !mainWindow.isDestroyed() ? [mainWindow.webContents] : []));
  runtime.events.subscribe((event) => {
    if (event.event === 'schedule') onScheduleStatus(event.payload);
  });
  runtime.onSettingsSaved((settings) => applyDesktopSettings(settings.desktop));
  // Node's timers stop while the machine sleeps: look at the clock at once on wake (a missed run runs once).
  powerMonitor.on('resume', () => void runtime?.schedule?.reschedule());
  Menu.setApplicationMenu(buildMenu());
  const loaded = await runtime.service['settings:get']({});
  applyDesktopSettings(loaded.settings.desktop);
  void runtime.service['schedule:status']({}).then(onScheduleStatus, () => undefined);
  const hidden = process.argv.includes(HIDDEN_FLAG) || app.getLoginItemSettings().wasOpenedAtLogin === true;
  if (!hidden || !tray) showMainWindow();
}

/** Start at login and the tray icon, as Settings say (only their desktop part is read here). */
function applyDesktopSettings(desktop: Settings['desktop']): void {
  if (app.isPackaged) {
    app.setLoginItemSettings({ openAtLogin: desktop.startAtLogin, args: [HIDDEN_FLAG] });
  }
  if (desktop.trayIcon && !tray) createTray();
  if (!desktop.trayIcon && tray) {
    tray.destroy();
    tray = null;
  }
  updateTray();
}

/** A failed daily run raises one desktop notification and stays in the tray until a run succeeds. */
function onScheduleStatus(status: ScheduleStatus): void {
  scheduleFailure = status.failure ? status.failure.message : null;
  const id = status.failure ? `${status.failure.since}|${status.failure.code}` : null;
  if (id && id !== notifiedFailure && Notification.isSupported()) {
    const note = new Notification({
      title: 'Audit Archive: the daily archive run failed',
      body: status.failure?.message ?? '',
      urgency: 'critical',
    });
    note.on('click', () => showMainWindow());
    note.show();
  }
  notifiedFailure = id;
  updateTray();
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
  tray.on('click', () => showMainWindow());
  updateTray();
}

function updateTray(): void {
  if (!tray) return;
  tray.setToolTip(scheduleFailure ? `Audit Archive: the daily run failed (${scheduleFailure})` : 'Audit Archive');
  tray.setContextMenu(
    Menu.buildFromTemplate([
      { label: 'Open Audit Archive', click: () => showMainWindow() },
      ...(scheduleFailure ? [{ label: 'The daily run failed: open for details', click: () => showMainWindow() }] : []),
      {
        label: 'Catch up now',
        click: () => {
          void runtime?.service['archive:catch-up']({}).catch(() => undefined);
          showMainWindow();
        },
      },
      { type: 'separator' },
      { label: 'Quit', click: () => app.quit() },
    ]),
  );
}
