/**
 * The write-only client secret: stored in the OS keychain under the client id, never read back;
 * the page only learns whether one is stored.
 */
import { useEffect, useId, useState } from 'react';
import type { Bridge } from '../../../shared/ipc/bridge';

type Message = { kind: 'ok' | 'error'; text: string };

export function ClientSecretField({ bridge, clientId }: { bridge: Bridge; clientId: string }) {
  const id = useId();
  const keychain = useStoredSecret(bridge, clientId);

  return (
    <div className="field">
      <label htmlFor={id}>Client secret</label>
      <div className="row">
        <input
          id={id}
          type="password"
          autoComplete="new-password"
          placeholder={keychain.stored ? '•••••••• (stored; type to replace)' : ''}
          value={keychain.secret}
          onChange={(e) => keychain.setSecret(e.target.value)}
        />
        <button
          type="button"
          onClick={() => void keychain.store()}
          disabled={keychain.secret.length === 0 || !clientId}
        >
          Store in keychain
        </button>
        {keychain.stored && (
          <button type="button" onClick={() => void keychain.clear()}>
            Remove
          </button>
        )}
      </div>
      <p className="hint">{storedHint(clientId, keychain.stored)}</p>
      {keychain.message && (
        <p
          className={keychain.message.kind === 'ok' ? 'field-ok' : 'field-error'}
          role={keychain.message.kind === 'ok' ? 'status' : 'alert'}
        >
          {keychain.message.text}
        </p>
      )}
    </div>
  );
}

function storedHint(clientId: string, stored: boolean | null): string {
  if (!clientId) return 'Enter the client ID first; its secret is stored under it.';
  if (stored === null) return 'Checking the OS keychain…';
  return stored
    ? 'A client secret for this client ID is stored in the OS keychain. It is never shown again.'
    : 'No client secret stored for this client ID. It is kept in the OS keychain, never in the settings file.';
}

/**
 * The secret being typed, whether the keychain holds one for the client id (asked once typing
 * pauses), and storing (the field empties) or removing it.
 */
function useStoredSecret(bridge: Bridge, clientId: string) {
  const [secret, setSecret] = useState('');
  const [stored, setStored] = useState<boolean | null>(null);
  const [message, setMessage] = useState<Message | null>(null);

  useEffect(() => {
    let live = true;
    if (!clientId) {
      setStored(false);
      return;
    }
    const timer = setTimeout(() => {
      void bridge.secretsStatus({ clientId }).then((r) => {
        if (!live) return;
        if (r.ok) setStored(r.value.genesysClientSecret);
        else setMessage({ kind: 'error', text: r.error.message });
      });
    }, 250);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [bridge, clientId]);

  async function store() {
    const r = await bridge.secretsSetGenesysClientSecret({ secret, ...(clientId ? { clientId } : {}) });
    if (!r.ok) return setMessage({ kind: 'error', text: r.error.message });
    setSecret('');
    setStored(true);
    setMessage({ kind: 'ok', text: 'Stored in the OS keychain.' });
  }

  async function clear() {
    const r = await bridge.secretsClearGenesysClientSecret(clientId ? { clientId } : {});
    if (!r.ok) return setMessage({ kind: 'error', text: r.error.message });
    setStored(false);
    setMessage({ kind: 'ok', text: r.value.cleared ? 'Removed from the OS keychain.' : 'No secret was stored.' });
  }

  return { secret, setSecret, stored, message, store, clear };
}
