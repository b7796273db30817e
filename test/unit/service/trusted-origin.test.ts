import { describe, expect, it } from 'vitest';
import { isAllowedExternalUrl, isTrustedRendererUrl } from '../../../main/engine/service/trusted-origin';

describe('only our own renderer may call the engine over IPC', () => {
  it('trusts pages served from app://audit-archive/', () => {
    expect(isTrustedRendererUrl('app://audit-archive/index.html')).toBe(true);
    expect(isTrustedRendererUrl('app://audit-archive/')).toBe(true);
    expect(isTrustedRendererUrl('app://audit-archive/index.html#/settings')).toBe(true);
  });

  it('refuses other schemes, hosts, ports, credentials and garbage', () => {
    for (const url of [
      'https://audit-archive/index.html',
      'file:///index.html',
      'app://evil/index.html',
      'app://audit-archive.evil.com/index.html',
      'app://audit-archive:8080/index.html',
      'app://user:pw@audit-archive/index.html',
      'http://127.0.0.1:5173/',
      'about:blank',
      'devtools://devtools/bundled/inspector.html',
      '',
      'not a url',
    ]) {
      expect(isTrustedRendererUrl(url), url).toBe(false);
    }
  });
});

describe('external links open only for allow-listed help sites over https', () => {
  it('allows Genesys help and AWS docs', () => {
    expect(isAllowedExternalUrl('https://help.mypurecloud.com/articles/about-audit-viewer/')).toBe(true);
    expect(isAllowedExternalUrl('https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-lock.html')).toBe(true);
  });

  it('refuses http, look-alike hosts, other ports and other schemes', () => {
    for (const url of [
      'http://help.mypurecloud.com/',
      'https://help.mypurecloud.com.evil.com/',
      'https://evil.com/?https://docs.aws.amazon.com/',
      'https://docs.aws.amazon.com:8443/',
      'https://user@docs.aws.amazon.com/',
      'file:///etc/passwd',
      'javascript:alert(1)',
      'smb://docs.aws.amazon.com/share',
    ]) {
      expect(isAllowedExternalUrl(url), url).toBe(false);
    }
  });
});
