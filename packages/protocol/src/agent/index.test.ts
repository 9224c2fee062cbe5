import { describe, expect, it } from 'vitest';
import {
  AgentChallengeResponseSchema,
  AgentPublicKeySchema,
  CreateJoinTokenSchema,
  EnrolRequestSchema,
  agentAuthSigningInput,
} from './index.ts';

describe('agent protocol', () => {
  it('signs a canonical input binding context, purpose, agent and nonce', () => {
    expect(agentAuthSigningInput('connect', 12, 'n0nce')).toBe('capstan-agent-auth/v1\npurpose=connect\nagent=12\nnonce=n0nce\n');
    expect(agentAuthSigningInput('connect', 1, 'x')).not.toBe(agentAuthSigningInput('connect', 12, 'x'));
  });

  it('defaults the join token lifetime and bounds it', () => {
    expect(CreateJoinTokenSchema.parse({})).toEqual({ ttl: 86_400 });
    expect(CreateJoinTokenSchema.safeParse({ ttl: 59 }).success).toBe(false);
    expect(CreateJoinTokenSchema.safeParse({ ttl: 31 * 86_400 }).success).toBe(false);
    expect(CreateJoinTokenSchema.safeParse({ ttl: 600, extra: 1 }).success).toBe(false);
  });

  it('checks the shape of enrolment and challenge answers', () => {
    const good = { token: 'cjt_x', publicKey: 'MCowBQYDK2VwAyEA', hostname: 'host-1', agentVersion: '0.1.0' };
    expect(EnrolRequestSchema.safeParse(good).success).toBe(true);
    expect(EnrolRequestSchema.safeParse({ ...good, hostname: 'a\nb' }).success).toBe(false);
    expect(EnrolRequestSchema.safeParse({ ...good, agentVersion: '1.0 beta' }).success).toBe(false);
    expect(AgentPublicKeySchema.safeParse('not a key!').success).toBe(false);
    expect(AgentPublicKeySchema.safeParse('-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA\n-----END PUBLIC KEY-----\n').success).toBe(true);
    expect(AgentChallengeResponseSchema.safeParse({ agentId: 1, signature: 'A'.repeat(86) }).success).toBe(true);
    expect(AgentChallengeResponseSchema.safeParse({ agentId: 1, signature: 'A'.repeat(85) }).success).toBe(false);
  });
});
