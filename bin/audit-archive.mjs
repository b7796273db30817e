#!/usr/bin/env node
// `npx audit-archive`: runs the TypeScript CLI directly through tsx, so no build step is needed
// after `npm install` (Node 20 and 22). tsx is a runtime dependency for this reason.
import { register } from 'tsx/esm/api';

register();
await import(new URL('../main/cli/index.ts', import.meta.url).href);
