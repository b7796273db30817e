/**
 * The words an answer uses for the legal holds over its range, the same on the Discovery page and
 * on `audit-archive query`'s stderr: each matter with its reference and the held days in the range,
 * the period its hold placed when the range cuts it, and records that do not count counted apart.
 */
import { describe, expect, it } from 'vitest';
import {
  AnswerHoldsSchema,
  answerHoldsHeadline,
  describeAnswerHold,
  invalidHoldRecordsHeadline,
} from '../../../shared/discovery/answer-holds';

const hold = (matter: string, reference: string, from: string, to: string, heldFrom: string, heldTo: string) => ({
  matter,
  reference,
  from,
  to,
  heldFrom,
  heldTo,
});

describe('the legal holds an answer names', () => {
  it('names each matter once in the headline, and each period with the held days of the range', () => {
    const holds = AnswerHoldsSchema.parse({
      matters: [
        hold('Litigation B', '', '2026-11-02', '2026-11-03', '2026-11-02', '2026-11-03'),
        hold('Litigation B', '', '2026-11-03', '2026-11-03', '2026-11-03', '2026-11-03'),
        hold('SEC inquiry', 'HO-1234', '2026-10-01', '2026-12-31', '2026-11-01', '2026-11-03'),
      ],
      invalidRecords: [],
    });
    expect(answerHoldsHeadline(holds)).toBe(
      'Legal hold: 2 matters hold days of this range (Litigation B, SEC inquiry)',
    );
    expect(holds.matters.map(describeAnswerHold)).toEqual([
      'Litigation B: 2026-11-02 to 2026-11-03 held in this range',
      'Litigation B: 2026-11-03 held in this range',
      'SEC inquiry (HO-1234): 2026-11-01 to 2026-11-03 held in this range (its hold: 2026-10-01 to 2026-12-31)',
    ]);
  });

  it('counts records that do not count apart, in words that never call them holds', () => {
    expect(invalidHoldRecordsHeadline(1)).toBe(
      '1 record under holds/ does not count as a legal hold (not shown as holds; verify names it)',
    );
    expect(invalidHoldRecordsHeadline(3)).toBe(
      '3 records under holds/ do not count as a legal hold (not shown as holds; verify names them)',
    );
  });

  it('refuses metadata whose holds are not days', () => {
    const bad = {
      matters: [hold('X', '', '2026-13-01', '2026-11-03', '2026-11-02', '2026-11-03')],
      invalidRecords: [],
    };
    expect(AnswerHoldsSchema.safeParse(bad).success).toBe(false);
  });
});
