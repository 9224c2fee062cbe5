import { z } from 'zod';
import { IdSchema, NameSchema, PageQueryShape, TimestampSchema, pageOf } from './common.ts';

export const TeamSchema = z.object({
  id: IdSchema,
  name: z.string(),
  memberIds: z.array(z.number().int()),
  createdAt: TimestampSchema,
});
export type Team = z.infer<typeof TeamSchema>;

export const CreateTeamSchema = z.strictObject({
  name: NameSchema,
  memberIds: z.array(IdSchema).max(10_000).default([]),
});
export type CreateTeam = z.infer<typeof CreateTeamSchema>;

export const UpdateTeamSchema = z.strictObject({ name: NameSchema });
export type UpdateTeam = z.infer<typeof UpdateTeamSchema>;

export const TeamMemberParamsSchema = z.strictObject({ id: IdSchema, userId: IdSchema });
export type TeamMemberParams = z.infer<typeof TeamMemberParamsSchema>;

export const TeamListQuerySchema = z.strictObject({ ...PageQueryShape });
export const TeamPageSchema = pageOf(TeamSchema);
export type TeamPage = z.infer<typeof TeamPageSchema>;
