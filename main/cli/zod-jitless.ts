/**
 * zod compiles a parser for each object schema at its first use: worth it in the app, which parses
 * the same shapes all day, not in one CLI run, which parses most schemas once or twice. Imported by
 * main/cli/index.ts before any schema is made. A named import, as every module imports zod
 * (`import * as z`), lets the bundle leave out what no module uses (zod's 40-odd locales).
 */
import { config } from 'zod';

config({ jitless: true });
