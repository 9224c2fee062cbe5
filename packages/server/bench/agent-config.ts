// What the Edge Agent figures measure and for how long (`npm run bench:agent`, also part of `npm run bench`).

export const AGENT_CONFIG = {
  /** Figure 1: sequential GET /containers/json?all=1, after a warm-up, direct and through the tunnel. */
  list: { warmup: 30, requests: 300, containers: 3 },
  /** Figure 2: one container writes this many bytes of 1 KiB log lines; read twice each way, alternating. */
  logs: { bytes: 128 * 1024 * 1024, rounds: 2 },
  /** Figure 3: the agent and the bare-Node baseline sit idle this long after both are connected. */
  footprint: { settleMs: 2_000, idleMs: 10_000 },
  /** Figure 4: simulated agents, the server's heartbeat, and the measured windows. */
  fleet: {
    agents: 1_000,
    /** Parallel API calls while enrolling, and WebSocket handshakes in flight while connecting. */
    enrolConcurrency: 16,
    connectConcurrency: 50,
    /** Passed as --agent-heartbeat: 5× the default 5 s, so the figure is a worst case. */
    heartbeat: '1s',
    settleMs: 3_000,
    idleMs: 10_000,
    connectedMs: 20_000,
  },
  /** Cgroup parent of the benchmark engine's containers (crash cleanup finds them by it). */
  cgroupParent: `/capstan-rig/bench-${process.pid}`,
  upTimeoutMs: 15_000,
};
