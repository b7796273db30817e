/** Refusals beside a field read as an officer would say them: no request paths, no schema wording. */
import { describe, expect, it } from 'vitest';
import { officerMessage, officerSummary } from '../../../renderer/app/officer-words';

describe("a refusal in the officer's words", () => {
  it('drops the request path and says what to enter instead of what the schema expected', () => {
    expect(officerMessage('request.query.parameters.1.value: must be an ISO-8601 UTC instant')).toBe(
      'must be an ISO-8601 UTC instant',
    );
    expect(officerMessage('Too small: expected number to be >=1')).toBe('must be at least 1');
    expect(officerMessage('Too big: expected number to be <=3650')).toBe('must be at most 3650');
    expect(officerMessage('Invalid input: expected number, received NaN')).toBe('enter a whole number');
    expect(officerMessage('Invalid input: expected int, received number')).toBe('enter a whole number (no decimals)');
    expect(officerMessage('Too small: expected string to have >=1 characters')).toBe('must not be empty');
    expect(officerMessage('settings.schedule.time: Invalid option: expected one of "02:00"|"03:00"')).toBe(
      'choose one of "02:00", "03:00"',
    );
  });

  it('keeps a message that is already in plain words, and rewrites each clause of a joined one', () => {
    expect(officerMessage('must be an IANA time zone such as Europe/London or UTC')).toBe(
      'must be an IANA time zone such as Europe/London or UTC',
    );
    expect(
      officerSummary(
        'request.archive.target: must be s3://bucket/prefix; request.ui.calendarYears: Too big: expected number to be <=10',
      ),
    ).toBe('must be s3://bucket/prefix; must be at most 10');
  });
});
