import { z } from 'zod';

/** One result column, as GET /api/analyses describes it. */
export const columnSchema = z.object({
  name: z.string(),
  type: z.enum(['string', 'integer', 'number', 'boolean']),
  nullable: z.boolean(),
  format: z.enum(['money', 'percent', 'number']),
});
export type ColumnInfo = z.infer<typeof columnSchema>;

/** One parameter's JSON Schema, the parts the form reads. */
export const paramSchema = z.object({
  type: z.string().optional(),
  description: z.string().optional(),
  enum: z.array(z.string()).optional(),
  pattern: z.string().optional(),
  default: z.union([z.string(), z.number(), z.boolean()]).optional(),
  minimum: z.number().optional(),
  maximum: z.number().optional(),
  exclusiveMinimum: z.number().optional(),
  exclusiveMaximum: z.number().optional(),
});
export type ParamSchema = z.infer<typeof paramSchema>;

export const analysisInfoSchema = z.object({
  name: z.string(),
  description: z.string(),
  engines: z.string(),
  params: z.object({
    properties: z.record(z.string(), paramSchema).optional(),
    required: z.array(z.string()).optional(),
  }),
  columns: z.array(columnSchema),
});
export type AnalysisInfo = z.infer<typeof analysisInfoSchema>;

export type Row = Record<string, unknown>;

export const noteSchema = z.object({ code: z.string(), message: z.string(), count: z.number() });

export const analysisResultSchema = z.object({
  analysis: z.string(),
  params: z.record(z.string(), z.unknown()),
  computedAt: z.string(),
  refreshMs: z.number(),
  rows: z.array(z.record(z.string(), z.unknown())),
  notes: z.array(noteSchema),
});
export type AnalysisResult = z.infer<typeof analysisResultSchema>;

export const sqlAnswerSchema = z.object({
  columns: z.array(z.object({ name: z.string(), numeric: z.boolean(), decimals: z.number().nullable() })),
  rows: z.array(z.record(z.string(), z.unknown())),
  truncated: z.boolean(),
});
export type SqlAnswer = z.infer<typeof sqlAnswerSchema>;

export const liveSchema = z.object({
  at: z.string(),
  tz: z.string(),
  today: z.string(),
  ordersTotal: z.number().nullable(),
  ordersToday: z.number().nullable(),
  revenueToday: z.number().nullable(),
  eventsTotal: z.number().nullable(),
  perMinute: z.array(z.object({ minute: z.string(), orders: z.number(), revenue: z.number() })),
  rowsPerSecond: z.number(),
  walBytes: z.number(),
  lagSeconds: z.number(),
  history: z.array(z.object({ at: z.string(), rowsPerSecond: z.number(), lagSeconds: z.number() })),
  problem: z.string().nullable(),
});
export type LiveSnapshot = z.infer<typeof liveSchema>;

export const errorSchema = z.object({
  error: z.object({ message: z.string(), code: z.string(), status: z.number() }),
});

/** Who is signed in: a key's name and role (`keys`: whether the server has keys to sign in with). */
export const sessionSchema = z.object({
  name: z.string(),
  role: z.string(),
  keys: z.boolean().optional(),
});
export type Session = z.infer<typeof sessionSchema>;
