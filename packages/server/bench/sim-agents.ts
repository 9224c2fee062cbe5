// Simulated Edge Agents for figure A4, run as a forked child so their CPU is not the driver's or the
// server's: enrols N agents through the API (sim-enrol.ts: environment, join token, Ed25519 key, enrol), then
// holds N WebSocket connections doing the real handshake (challenge → signed hello → welcome) and
// sending / answering heartbeats with the protocol's codec. No Docker engine behind them.
//
// IPC: driver sends SimEnrol → child answers SimEnrolled; SimConnect → SimConnected; SimStop → SimStopped.
import { sign } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import {
  TUNNEL_PROTOCOL_VERSION,
  agentAuthSigningInput,
  decodeFrame,
  encodeFrame,
  type Frame,
} from '@capstan/protocol';
import WebSocket from 'ws';
import { errorText } from './lib.ts';
import { enrolSimAgents, pool, type SimIdentity } from './sim-enrol.ts';

export interface SimEnrol {
  cmd: 'enrol';
  port: number;
  apiKey: string;
  count: number;
  enrolConcurrency: number;
  connectConcurrency: number;
}
export interface SimEnrolled {
  phase: 'enrolled';
  ms: number;
  environmentIds: number[];
}
export interface SimConnected {
  phase: 'connected';
  ms: number;
  connected: number;
  heartbeatIntervalMs: number;
}
export interface SimStopped {
  phase: 'stopped';
  heartbeatsSent: number;
  heartbeatAcks: number;
  unexpectedCloses: number;
}
type Command = SimEnrol | { cmd: 'connect' } | { cmd: 'stop' };

const stats = { heartbeatsSent: 0, heartbeatAcks: 0, unexpectedCloses: 0 };
let stopping = false;
let job: SimEnrol | null = null;
const identities: SimIdentity[] = [];
const sockets: WebSocket[] = [];
const timers: NodeJS.Timeout[] = [];

async function enrolAll(j: SimEnrol): Promise<SimEnrolled> {
  const t0 = performance.now();
  identities.push(
    ...(await enrolSimAgents({
      port: j.port,
      apiKey: j.apiKey,
      count: j.count,
      concurrency: j.enrolConcurrency,
      namePrefix: `sim-${process.pid}`,
    })),
  );
  return {
    phase: 'enrolled',
    ms: performance.now() - t0,
    environmentIds: identities.map((x) => x.environmentId),
  };
}

/** Opens one connection and completes the handshake; resolves with the welcome's heartbeat interval. */
function connect(port: number, id: SimIdentity): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`wss://127.0.0.1:${port}/api/agents/connect`, {
      rejectUnauthorized: false,
      perMessageDeflate: false,
    });
    sockets.push(ws);
    let welcomed = false;
    let seq = 0;
    const send = (frame: Frame) => ws.send(encodeFrame(frame));
    ws.on('error', (err) => {
      if (!welcomed) reject(err);
    });
    ws.on('close', (code) => {
      if (!welcomed) reject(new Error(`agent ${id.agentId}: closed (${code}) before welcome`));
      else if (!stopping) stats.unexpectedCloses++;
    });
    ws.on('message', (data: Buffer) => {
      const decoded = decodeFrame(new Uint8Array(data));
      if (!decoded.ok) {
        ws.terminate();
        reject(new Error(`agent ${id.agentId}: undecodable frame: ${decoded.error.message}`));
        return;
      }
      const f = decoded.frame;
      switch (f.type) {
        case 'challenge': {
          const input = Buffer.from(agentAuthSigningInput('connect', id.agentId, f.nonce), 'utf8');
          send({
            type: 'hello',
            agentId: id.agentId,
            signature: sign(null, input, id.privateKey).toString('base64url'),
            protocolVersion: TUNNEL_PROTOCOL_VERSION,
            agentVersion: '0.0.0-sim',
            capabilities: [],
            engine: { version: 'simulated', apiVersion: '1.41' },
          });
          return;
        }
        case 'welcome': {
          welcomed = true;
          const every = f.heartbeatIntervalMs;
          const beat = () => {
            if (ws.readyState !== WebSocket.OPEN) return;
            send({ type: 'heartbeat', seq: ++seq, sentAtMs: Date.now() });
            stats.heartbeatsSent++;
          };
          // A random phase, as real agents started at different times would have.
          const first = setTimeout(() => {
            beat();
            timers.push(setInterval(beat, every));
          }, Math.random() * every);
          timers.push(first);
          resolve(every);
          return;
        }
        case 'heartbeat':
          send({ type: 'heartbeat-ack', seq: f.seq });
          return;
        case 'heartbeat-ack':
          stats.heartbeatAcks++;
          return;
        case 'error':
          if (!welcomed) reject(new Error(`agent ${id.agentId}: refused: ${f.code}: ${f.message}`));
          return;
        default:
          return;
      }
    });
  });
}

async function connectAll(j: SimEnrol): Promise<SimConnected> {
  const t0 = performance.now();
  let heartbeatIntervalMs = 0;
  await pool(identities.length, j.connectConcurrency, async (i) => {
    heartbeatIntervalMs = await connect(j.port, identities[i] as SimIdentity);
  });
  return {
    phase: 'connected',
    ms: performance.now() - t0,
    connected: identities.length,
    heartbeatIntervalMs,
  };
}

function stop(): SimStopped {
  stopping = true;
  for (const t of timers) clearTimeout(t);
  for (const ws of sockets) ws.terminate();
  return { phase: 'stopped', ...stats };
}

const reply = (msg: unknown, exit?: number) =>
  process.send?.(msg, () => (exit === undefined ? undefined : process.exit(exit)));

process.on('message', (msg: Command) => {
  const step = async () => {
    if (msg.cmd === 'enrol') {
      job = msg;
      reply(await enrolAll(msg));
    } else if (msg.cmd === 'connect') {
      if (!job) throw new Error('connect before enrol');
      reply(await connectAll(job));
    } else {
      reply(stop(), 0);
    }
  };
  step().catch((err: unknown) => reply({ error: errorText(err) }, 1));
});
