/**
 * This tool's version, as manifests record it and `audit-archive --version` prints it. A module of
 * its own so that printing it loads nothing else.
 */
export const TOOL_VERSION = '0.2.0';
