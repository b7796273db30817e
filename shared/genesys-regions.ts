/** Genesys Cloud regions: each host has `api.{host}` and `login.{host}`. */
export const GENESYS_HOSTS = [
  'mypurecloud.com',
  'mypurecloud.ie',
  'mypurecloud.de',
  'mypurecloud.jp',
  'mypurecloud.com.au',
  'usw2.pure.cloud',
  'cac1.pure.cloud',
  'apne2.pure.cloud',
  'euw2.pure.cloud',
  'aps1.pure.cloud',
  'use2.us-gov-pure.cloud',
  'sae1.pure.cloud',
  'mec1.pure.cloud',
  'apne3.pure.cloud',
  'euc2.pure.cloud',
  'mxc1.pure.cloud',
  'apse1.pure.cloud',
  'edee1.eusc-pure.cloud',
] as const;
type GenesysHost = (typeof GENESYS_HOSTS)[number];

export function apiBaseUrl(host: GenesysHost): string {
  return `https://api.${host}`;
}

export function loginBaseUrl(host: GenesysHost): string {
  return `https://login.${host}`;
}
