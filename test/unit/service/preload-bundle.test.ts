/**
 * The preload as it ships (bundled by scripts/build.mjs), run against a recording stand-in for the
 * two Electron objects it touches, because Electron's binary cannot run on these machines. Proves
 * what the renderer can reach: exactly one named function per contract channel, each bound to its
 * own channel, and no other module.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import vm from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bridgeName, BRIDGE_GLOBAL } from '../../../shared/ipc/bridge';
import { CHANNELS, EVENT_CHANNEL, IPC_PREFIX } from '../../../shared/ipc/contract';

let outDir: string;
let exposed: Map<string, unknown>;
let invoked: Array<{ channel: string; payload: unknown }>;
/** Listeners the preload put on ipcRenderer, by channel. */
let listening: Map<string, Set<(event: unknown, message: unknown) => void>>;
let required: string[];
/** Modules the build leaves to node_modules at run time (native ones, electron). */
let external: string[];

beforeAll(async () => {
  outDir = await mkdtemp(path.join(os.tmpdir(), 'aa-preload-'));
  // @ts-expect-error: plain ESM script without type declarations
  const build = (await import('../../../scripts/build.mjs')) as {
    buildMain: (o: { quiet: boolean; outDir: string }) => Promise<void>;
    EXTERNAL: string[];
  };
  external = build.EXTERNAL;
  const { buildMain } = build;
  await buildMain({ quiet: true, outDir });
  const code = await readFile(path.join(outDir, 'preload.cjs'), 'utf8');

  exposed = new Map();
  invoked = [];
  required = [];
  listening = new Map();
  const electron = {
    contextBridge: { exposeInMainWorld: (key: string, api: unknown) => exposed.set(key, api) },
    ipcRenderer: {
      invoke: async (channel: string, payload: unknown) => {
        invoked.push({ channel, payload });
        return { ok: true, value: null };
      },
      on: (channel: string, listener: (event: unknown, message: unknown) => void) => {
        listening.set(channel, new Set([...(listening.get(channel) ?? []), listener]));
      },
      removeListener: (channel: string, listener: (event: unknown, message: unknown) => void) => {
        listening.get(channel)?.delete(listener);
      },
    },
  };
  const module = { exports: {} };
  vm.runInNewContext(code, {
    module,
    exports: module.exports,
    require: (name: string) => {
      required.push(name);
      if (name === 'electron') return electron;
      throw new Error(`a sandboxed preload cannot require ${name}`);
    },
  });
});

afterAll(async () => {
  await rm(outDir, { recursive: true, force: true });
});

describe('the shipped preload', () => {
  it('requires nothing but electron (a sandboxed preload can load nothing else)', () => {
    expect(new Set(required)).toEqual(new Set(['electron']));
  });

  it('exposes one object, with exactly one named function per contract channel, one subscription, and no generic invoke', () => {
    expect([...exposed.keys()]).toEqual([BRIDGE_GLOBAL]);
    const bridge = exposed.get(BRIDGE_GLOBAL) as Record<string, unknown>;
    expect(Object.keys(bridge).sort()).toEqual([...CHANNELS.map(bridgeName), 'subscribe'].sort());
    for (const fn of Object.values(bridge)) expect(typeof fn).toBe('function');
    expect(bridge).not.toHaveProperty('invoke');
    expect(bridge).not.toHaveProperty('send');
  });

  it('sends each function to its own channel with the payload untouched', async () => {
    const bridge = exposed.get(BRIDGE_GLOBAL) as Record<string, (req: unknown) => Promise<unknown>>;
    for (const channel of CHANNELS) {
      invoked.length = 0;
      const payload = { probe: channel };
      await bridge[bridgeName(channel)]!(payload);
      expect(invoked).toEqual([{ channel: IPC_PREFIX + channel, payload }]);
    }
  });
});

describe('events pushed from main', () => {
  it("reach the page on the one event channel, without Electron's event object, until unsubscribed", () => {
    const bridge = exposed.get(BRIDGE_GLOBAL) as { subscribe: (l: (m: unknown) => void) => () => void };
    const received: unknown[] = [];
    const unsubscribe = bridge.subscribe((m) => received.push(m));
    expect([...listening.keys()]).toEqual([EVENT_CHANNEL]);
    const sender = { sender: 'the WebContents, which the page must never hold' };
    for (const listener of listening.get(EVENT_CHANNEL) ?? []) listener(sender, { event: 'job', payload: { id: '1' } });
    expect(received).toEqual([{ event: 'job', payload: { id: '1' } }]);
    unsubscribe();
    expect(listening.get(EVENT_CHANNEL)?.size).toBe(0);
  });
});

describe('the shipped main process', () => {
  it("loads only electron, native modules from the build's external list and Node built-ins at run time", async () => {
    const code = await readFile(path.join(outDir, 'main.cjs'), 'utf8');
    // `[require("…")` is prose: the AWS SDK's SigV4a error message quotes `[require("@aws-sdk/signature-v4-crt");]`.
    const modules = new Set([...code.matchAll(/(?<!\[)\brequire\("([^"]+)"\)/g)].map((m) => m[1]!));
    expect(modules).toContain('electron');
    expect(modules).toContain('keytar');
    const isExternal = (m: string) =>
      external.some((e) => (e.endsWith('/*') ? m.startsWith(e.slice(0, -1)) : m === e || m.startsWith(`${e}/`)));
    const others = [...modules].filter((m) => !m.startsWith('node:') && !isExternal(m));
    expect(others).toEqual([]);
    // A dynamic import() would bypass Electron's asar-aware CommonJS loader.
    expect(code).not.toMatch(/\bimport\(\s*"/);
  });
});
