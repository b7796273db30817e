/**
 * The Genesys simulator as the benchmarks run it: in a child process of its own (its CPU is
 * Genesys's work, not ours), which prints its URLs and credentials as one JSON line and stops when
 * its parent closes stdin; and the audit client a benchmark reads it with (no rate limit to wait on).
 */
import type { ChildProcess } from 'node:child_process';
import { ClientCredentialsAuth } from '../../main/engine/genesys/auth';
import { GenesysAuditClient } from '../../main/engine/genesys/client';
import { RateBudget } from '../../main/engine/genesys/rate-budget';
import type { SimulatorOptions } from '../../main/engine/genesys/simulator/server';

export interface SimInfo {
  apiUrl: string;
  loginUrl: string;
  clientId: string;
  clientSecret: string;
}

/** The child's side: starts the simulator, prints its SimInfo line, and exits once stdin closes. */
export async function serveSimulator(options: Partial<SimulatorOptions>): Promise<void> {
  const { startGenesysSimulator } = await import('../../main/engine/genesys/simulator/server');
  const sim = await startGenesysSimulator(options);
  const info: SimInfo = {
    apiUrl: sim.apiUrl,
    loginUrl: sim.loginUrl,
    clientId: sim.clientId,
    clientSecret: sim.clientSecret,
  };
  process.stdout.write(JSON.stringify(info) + '\n');
  process.stdin.resume();
  process.stdin.on('end', () => void sim.close().then(() => process.exit(0)));
}

/** The parent's side: the SimInfo line a child started with serveSimulator prints. */
export function simulatorInfo(child: ChildProcess): Promise<SimInfo> {
  return new Promise((resolve, reject) => {
    let buf = '';
    child.stdout?.on('data', (c: Buffer) => {
      buf += c.toString();
      const nl = buf.indexOf('\n');
      if (nl >= 0) resolve(JSON.parse(buf.slice(0, nl)) as SimInfo);
    });
    child.on('exit', (code) => reject(new Error(`the simulator exited with ${code}`)));
  });
}

/** An audit client on the simulator, polling fast and never held back by a rate budget. */
export function benchAuditClient(info: SimInfo): GenesysAuditClient {
  return new GenesysAuditClient({
    apiUrl: info.apiUrl,
    loginUrl: info.loginUrl,
    auth: new ClientCredentialsAuth({
      loginUrl: info.loginUrl,
      clientId: info.clientId,
      clientSecret: info.clientSecret,
    }),
    budget: new RateBudget({ requestsPerMinute: 10_000_000 }),
    pollInitialMs: 1,
    pollMaxMs: 5,
  });
}
