/**
 * Who a legal hold's record says placed or released it: the officer's name when the installation
 * gives one (AUDIT_ARCHIVE_OFFICER), else the account and machine that acted. One rule for the CLI
 * (main/cli/commands/hold.ts) and the app (main/engine/service/hold-service.ts).
 */
import { hostname, userInfo } from 'node:os';
import { HOLD_WORD_LIMITS } from '../../../../shared/holds/hold-words';

export function holdOfficer(env: NodeJS.ProcessEnv): string {
  const named = env.AUDIT_ARCHIVE_OFFICER?.trim();
  if (named) return named.slice(0, HOLD_WORD_LIMITS.by);
  let user = 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // no account name on this system
  }
  return `${user}@${hostname()}`.slice(0, HOLD_WORD_LIMITS.by);
}
