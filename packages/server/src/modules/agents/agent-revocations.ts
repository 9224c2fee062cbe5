// In-process notices that an agent's credential stopped being valid (revoked or rotated).

/** Why an agent's credential stopped being valid. */
export type RevocationReason = 'revoked' | 'rotated';
export type RevocationListener = (reason: RevocationReason) => void;

/**
 * In-process notifications of credential invalidation, so the tunnel can close a live
 * connection the moment an agent is revoked or rotated. (Several replicas will need these
 * forwarded between processes: see the HA issue.)
 */
export class AgentRevocations {
  private readonly listeners = new Map<number, Set<RevocationListener>>();

  /** Calls `listener` when the agent's credential is invalidated; returns the unsubscribe function. */
  on(agentId: number, listener: RevocationListener): () => void {
    let set = this.listeners.get(agentId);
    if (!set) {
      set = new Set();
      this.listeners.set(agentId, set);
    }
    set.add(listener);
    return () => {
      const current = this.listeners.get(agentId);
      if (!current) return;
      current.delete(listener);
      if (current.size === 0) this.listeners.delete(agentId);
    };
  }

  emit(agentId: number, reason: RevocationReason): void {
    for (const listener of [...(this.listeners.get(agentId) ?? [])]) {
      try {
        listener(reason);
      } catch {
        // One failing listener must not keep the others from closing their connections.
      }
    }
  }

  listenerCount(agentId: number): number {
    return this.listeners.get(agentId)?.size ?? 0;
  }
}
