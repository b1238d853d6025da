import { z } from 'zod';

const bytes = z.instanceof(Uint8Array);

/** The parts of an ExecutePlanResponse the client uses (decoded with keepCase, longs as strings). */
export const executePlanResponseSchema = z.object({
  server_side_session_id: z.string().optional(),
  arrow_batch: z
    .object({
      row_count: z.union([z.string(), z.number()]).optional(),
      data: bytes,
    })
    .optional(),
});

/** One decoded ExecutePlanResponse. */
export type ExecutePlanResponse = z.infer<typeof executePlanResponseSchema>;
