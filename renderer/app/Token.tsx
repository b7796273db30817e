/**
 * Long tokens as an officer reads and takes them: keys break after a `/`, hashes and ids every 16
 * characters (never mid-way at an arbitrary point, never "19 Ki / B"), and a Copy button beside
 * each hash, id and key puts the exact text on the clipboard.
 */
import { Fragment, useState } from 'react';

/** The text with break opportunities (`<wbr>`) at sensible points; its text content is unchanged. */
export function Breakable({ text }: { text: string }) {
  const pieces = text.includes('/') ? text.split(/(?<=\/)/) : (text.match(/.{1,16}/g) ?? [text]);
  return (
    <>
      {pieces.map((piece, i) => (
        <Fragment key={i}>
          {i > 0 && <wbr />}
          {piece}
        </Fragment>
      ))}
    </>
  );
}

/** A Copy button for `value`; `what` completes its name for a screen reader ("Copy SHA-256 of …"). */
export function CopyButton({ value, what }: { value: string; what: string }) {
  const [copied, setCopied] = useState<'idle' | 'copied' | 'failed'>('idle');
  const copy = () => {
    void navigator.clipboard.writeText(value).then(
      () => setCopied('copied'),
      () => setCopied('failed'),
    );
  };
  return (
    <button type="button" className="copy-button" onClick={copy}>
      {copied === 'copied' ? 'Copied' : copied === 'failed' ? 'Copy failed' : 'Copy'}
      <span className="visually-hidden"> {what}</span>
    </button>
  );
}

/** A token in `<code>` (class `className`), breakable, with its Copy button. */
export function Token({ value, what, className }: { value: string; what: string; className?: string }) {
  return (
    <span className="token">
      <code className={className}>
        <Breakable text={value} />
      </code>
      <CopyButton value={value} what={what} />
    </span>
  );
}
