#!/usr/bin/env node
// `audit-archive`: runs the TypeScript CLI directly through tsx, so no build step is needed
// after `npm install` (Node 20 and 22). tsx is a runtime dependency for this reason.
// Works through a symlink on PATH (Node resolves it to this file, so the paths below hold).
import { register } from 'tsx/esm/api';

// The AWS SDK warns on every run under Node < 22 that its 2027 releases will need Node 22: noise in
// every cron mail, and the lockfile pins the SDK. Its documented switch, set before the SDK loads
// (@aws-sdk/core emitWarningIfUnsupportedVersion); a value the user set is kept.
if (!process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED) {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
}

register();
await import(new URL('../main/cli/index.ts', import.meta.url).href);
