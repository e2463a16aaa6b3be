import { z } from "zod";

/** A mesh firewall rule as stored and sent to agents (validated in issue 3's routes). */
export const MeshRule = z.object({
  src: z.string(),
  dst: z.string(),
  port: z.union([z.number().int(), z.string()]),
  protocol: z.string(),
  action: z.string(),
});
export type MeshRule = z.infer<typeof MeshRule>;
