/**
 * Defence in depth for every webContents the app ever creates (the main window and anything else):
 * navigation stays on our own `app://` origin, new windows are denied (allow-listed https help links
 * open in the user's browser instead), <webview> is refused and no permission is ever granted.
 */
import { app, session, shell, type WebContents } from 'electron';
import { isAllowedExternalUrl, isTrustedRendererUrl } from '../engine/service/trusted-origin';

function openIfAllowed(url: string): void {
  if (isAllowedExternalUrl(url)) void shell.openExternal(url);
}

function lockDown(contents: WebContents): void {
  contents.on('will-navigate', (event, url) => {
    if (!isTrustedRendererUrl(url)) {
      event.preventDefault();
      openIfAllowed(url);
    }
  });
  contents.on('will-redirect', (event, url) => {
    if (!isTrustedRendererUrl(url)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    openIfAllowed(url);
    return { action: 'deny' };
  });
}

/** Call once, before any window is created. */
export function hardenAllWebContents(): void {
  app.on('web-contents-created', (_event, contents) => lockDown(contents));
  app.whenReady().then(
    () => {
      session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
      session.defaultSession.setPermissionCheckHandler(() => false);
    },
    () => undefined,
  );
}
