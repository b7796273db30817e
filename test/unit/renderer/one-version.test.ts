/**
 * One version everywhere: the app's (package.json: the sidebar and `app:info`) is the tool's that
 * manifests, reports and `audit-archive --version` record (main/engine/archive/tool-version.ts).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { projectVersion } from '../../../main/devweb/dev-web-server';
import { TOOL_VERSION } from '../../../main/engine/archive/tool-version';

describe('the version', () => {
  it('is the same in package.json, its lock file and TOOL_VERSION', () => {
    const lock = JSON.parse(readFileSync('package-lock.json', 'utf8')) as {
      version: string;
      packages: Record<string, { version?: string }>;
    };
    expect(projectVersion()).toBe(TOOL_VERSION);
    expect(lock.version).toBe(TOOL_VERSION);
    expect(lock.packages['']?.version).toBe(TOOL_VERSION);
  });
});
