/**
 * The attributes of every UTC-day field: typed as ISO `YYYY-MM-DD`, the form the whole app shows
 * days in, rather than the browser's date picker, which shows the day in the computer's locale
 * (mm/dd/yyyy in the US) and says nothing of UTC. The engine checks the value and names the field.
 */
export const UTC_DAY_INPUT = {
  type: 'text',
  inputMode: 'numeric',
  placeholder: 'YYYY-MM-DD',
  pattern: '\\d{4}-\\d{2}-\\d{2}',
  maxLength: 10,
  autoComplete: 'off',
  spellCheck: false,
  className: 'utc-day',
} as const;
