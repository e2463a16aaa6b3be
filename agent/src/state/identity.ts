import { join } from "node:path";
import { z } from "zod";
import { readJsonFile, writeJsonFile } from "./files.ts";

/** Who this machine is in the mesh, written by `join` (mode 0600: it holds the credential and the WireGuard private key). */
export const IdentitySchema = z.object({
  node_id: z.string(),
  server: z.string(),
  credential: z.string(),
  private_key: z.string(),
  public_key: z.string(),
  mesh_ip: z.string(),
  mesh_cidr: z.string(),
  hostname: z.string(),
});
export type Identity = z.infer<typeof IdentitySchema>;

export const identityPath = (dataDir: string) => join(dataDir, "identity.json");

export function saveIdentity(dataDir: string, identity: Identity): void {
  writeJsonFile(identityPath(dataDir), identity, 0o600);
}

/** The stored identity, or undefined before `join`. A damaged file throws with its path. */
export function loadIdentity(dataDir: string): Identity | undefined {
  const path = identityPath(dataDir);
  const raw = readJsonFile(path);
  if (raw === undefined) return undefined;
  const parsed = IdentitySchema.safeParse(raw);
  if (!parsed.success)
    throw new Error(`identity: ${path} is damaged: ${parsed.error.issues[0]?.message}`);
  return parsed.data;
}
