/**
 * The legal-hold forms' model (renderer/calendar/hold-forms-model.ts): each bad field found by the
 * contract's schema before anything is sent, a refusal's issues on their fields by path, and the
 * sentences said after a hold was placed or released, or refused.
 */
import { describe, expect, it } from 'vitest';
import {
  placeDraft,
  placedWords,
  placeErrors,
  placeRequest,
  refusalFieldErrors,
  refusalWords,
  releasedWords,
  releaseErrors,
  spanText,
} from '../../../renderer/calendar/hold-forms-model';

const good = { ...placeDraft('2026-03-02'), matter: 'SEC inquiry HO-1234' };

describe('the place form', () => {
  it('opens on the day chosen, as a one-day period, and sends the days trimmed and the words as typed', () => {
    expect(placeDraft('2026-03-02')).toEqual({
      from: '2026-03-02',
      to: '2026-03-02',
      matter: '',
      reference: '',
      reason: '',
    });
    expect(placeDraft(null).from).toBe('');
    expect(placeRequest({ ...good, from: ' 2026-03-01 ', reason: ' as typed ' })).toEqual({
      from: '2026-03-01',
      to: '2026-03-02',
      matter: 'SEC inquiry HO-1234',
      reference: '',
      reason: ' as typed ',
    });
  });

  it('finds nothing wrong in a good draft', () => {
    expect(placeErrors(good)).toEqual({});
  });

  it('names each bad field in plain words', () => {
    const errors = placeErrors({
      from: '03/01/2026',
      to: '2026-02-30',
      matter: '',
      reference: 'a\nb',
      reason: 'x'.repeat(501),
    });
    expect(errors).toEqual({
      from: 'must be a UTC day written YYYY-MM-DD, such as 2026-01-31',
      to: 'is not a real calendar day',
      matter: 'must not be empty or start or end with spaces',
      reference: 'must be one line without control characters',
      reason: 'must be at most 500 characters',
    });
  });

  it('refuses a period that ends before it starts, on its end', () => {
    expect(placeErrors({ ...good, from: '2026-03-05', to: '2026-03-01' })).toEqual({
      to: 'must not be before the first day',
    });
  });

  it("puts the engine's refusal on the fields its issues name, the period's days on the period", () => {
    const error = {
      code: 'INVALID_ARGUMENT' as const,
      message: '2 day(s) of 2026-02-27 to 2026-03-01 are not archived …',
      issues: [{ path: ['period'], message: 'not archived: 2026-02-27, 2026-02-28' }],
    };
    expect(refusalFieldErrors(error, 'place')).toEqual({ period: 'not archived: 2026-02-27, 2026-02-28' });
    expect(refusalWords(error, 'place').title).toBe('The hold was not placed: see the fields marked below.');
    // Any other failure claims nothing it does not know (a record may have been written before it).
    expect(refusalWords({ code: 'ARCHIVE_LOCK_NOT_CONFIRMED', message: 'x' }, 'place').title).toBe(
      'Placing the hold failed.',
    );
  });
});

describe('the release form', () => {
  it('releases only once the matter is typed out exactly', () => {
    expect(releaseErrors('SEC inquiry', 'SEC inquiry')).toEqual({});
    for (const typed of ['', 'sec inquiry', 'SEC inquiry '])
      expect(releaseErrors('SEC inquiry', typed)).toEqual({
        confirm: "type the matter's name exactly as shown to release it",
      });
  });

  it("shows the engine's word on the matter on the one field the officer typed", () => {
    const error = {
      code: 'INVALID_ARGUMENT' as const,
      message: "No matter named 'SEC inquiry' holds anything …",
      issues: [{ path: ['matter'], message: 'no matter of this name holds anything now' }],
    };
    expect(refusalFieldErrors(error, 'release')).toEqual({ confirm: 'no matter of this name holds anything now' });
  });
});

describe('what the officer is told', () => {
  const outcome = {
    matter: 'SEC inquiry',
    recordKey: 'acme/holds/000001.json',
    days: { count: 2, first: '2026-03-01', last: '2026-03-02' },
    later: { count: 0, first: null, last: null },
    stillHeld: { count: 1, first: '2026-03-02', last: '2026-03-02' },
    versions: 7,
  };

  it('says what a placement held, and the later days it will hold as they land', () => {
    expect(placedWords(outcome)).toEqual([
      "Held 2 archived day(s) (2026-03-01 to 2026-03-02) for 'SEC inquiry': 7 object version(s) now have their legal hold ON. Record acme/holds/000001.json (signed, locked like a manifest).",
    ]);
    expect(placedWords({ ...outcome, later: { count: 3, first: '2026-03-03', last: '2026-03-05' } })[1]).toBe(
      '3 later day(s) (2026-03-03 to 2026-03-05) of the period will be held as they are archived.',
    );
  });

  it('says what a release let go, what stays held, and that the lock stays', () => {
    expect(releasedWords(outcome)).toEqual([
      "Released 'SEC inquiry': 7 object version(s) had their legal hold turned OFF. Record acme/holds/000001.json (signed, locked like a manifest).",
      '1 day(s) (2026-03-02) stay held for other matters.',
      'Released versions stay locked until their retention ends.',
    ]);
    expect(spanText({ count: 0, first: null, last: null }, 'archived day')).toBe('no archived day');
  });

  it('says a refusal by the bucket policy in words: which permission, and whose credentials to use', () => {
    const words = refusalWords(
      {
        code: 'ARCHIVE_HOLD_DENIED',
        message:
          's3://b/p refused to turn the legal hold of p/root.json ON: these credentials may not change legal holds (s3:PutObjectLegalHold).',
      },
      'release',
    );
    expect(words.title).toMatch(/^The matter was not released: the archive refused the credentials this app uses/);
    expect(words.title).toContain('s3:PutObjectLegalHold');
    expect(words.title).toContain('no release record was written');
    expect(words.detail).toContain('refused to turn the legal hold of p/root.json ON');
  });
});
