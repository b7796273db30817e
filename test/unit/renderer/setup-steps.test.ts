/** The setup wizard's gates: what each step must prove before "Next", and where a refusal at the end sends the officer. */
import { describe, expect, it } from 'vitest';
import { STEPS, stepGate, stepOfField } from '../../../renderer/setup/setup-steps';

const nothingProved = { genesysOk: false, storageOk: false, keyFingerprint: undefined, recorded: false };

describe('the setup steps', () => {
  it('holds each checked step until its check passed, saying what to do; the retention and connect steps need none', () => {
    expect(stepGate(0, nothingProved)).toEqual({
      canContinue: false,
      blocker: 'Test the connection (or sign in as yourself) first: it must log in and have audits:audit:view.',
    });
    expect(stepGate(0, { ...nothingProved, genesysOk: true }).canContinue).toBe(true);
    expect(stepGate(1, nothingProved).canContinue).toBe(false);
    expect(stepGate(1, { ...nothingProved, storageOk: true }).canContinue).toBe(true);
    // A second locked copy entered must be checked ready too; none entered asks nothing.
    expect(stepGate(1, { ...nothingProved, storageOk: true, copyOk: false })).toEqual({
      canContinue: false,
      blocker: "Check the second locked copy's bucket first (or empty its field): it must be able to hold the copy.",
    });
    expect(stepGate(1, { ...nothingProved, storageOk: true, copyOk: true }).canContinue).toBe(true);
    expect(stepGate(2, nothingProved).canContinue).toBe(true);
    expect(stepGate(4, nothingProved).canContinue).toBe(true);
  });

  it('needs a signing key and the confirmation that its fingerprint is on record, both', () => {
    const withKey = { ...nothingProved, keyFingerprint: 'ab'.repeat(32) };
    expect(stepGate(3, withKey).canContinue).toBe(false);
    expect(stepGate(3, { ...nothingProved, recorded: true }).canContinue).toBe(false);
    expect(stepGate(3, { ...withKey, recorded: true }).canContinue).toBe(true);
  });

  it('sends a refusal back to the step that holds the field it names', () => {
    expect(STEPS[stepOfField('genesys.clientId')]).toBe('Genesys Cloud');
    expect(STEPS[stepOfField('archive.target')]).toBe('Archive location');
    expect(STEPS[stepOfField('archive.s3.region')]).toBe('Archive location');
    expect(STEPS[stepOfField('archive.copy.target')]).toBe('Archive location');
    expect(STEPS[stepOfField('archive.retentionDays')]).toBe('Retention policy');
    expect(STEPS[stepOfField('archive.signingKeyFingerprint')]).toBe('Signing key');
  });
});
