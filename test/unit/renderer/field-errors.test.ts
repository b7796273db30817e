/** The settings form marks each refused field from the issues' paths, never by parsing a message. */
import { describe, expect, it } from 'vitest';
import { fieldErrorsFrom } from '../../../renderer/settings/field-errors';

describe('field errors from a refusal', () => {
  it('keys each issue under the form by the rest of its path, first issue of a field first', () => {
    expect(
      fieldErrorsFrom(
        [
          { path: ['settings', 'archive', 'retentionDays'], message: 'Too small: expected number to be >=1' },
          { path: ['settings', 'archive', 'retentionDays'], message: 'second' },
          {
            path: ['settings', 'genesys', 'requestsPerMinute'],
            message: 'Invalid input: expected number, received null',
          },
          { path: ['clientId'], message: 'not under settings' },
        ],
        ['settings'],
      ),
    ).toEqual({
      'archive.retentionDays': 'must be at least 1',
      'genesys.requestsPerMinute': 'enter a whole number',
    });
  });

  it('is empty for a refusal without issues', () => {
    expect(fieldErrorsFrom(undefined, ['settings'])).toEqual({});
  });
});
