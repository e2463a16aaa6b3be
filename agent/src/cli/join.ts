import { hostname as osHostname } from "node:os";
import { ConfigError } from "../config/load.ts";
import { register } from "../daemon/api.ts";
import { saveCachedState } from "../state/cache.ts";
import { identityPath, loadIdentity, saveIdentity } from "../state/identity.ts";
import { generateWireGuardKeyPair } from "./keys.ts";

export interface JoinOptions {
  server: string;
  token: string;
  dataDir: string;
  name?: string;
  hostname?: string;
  /** host:port where peers reach this machine's WireGuard. */
  endpoint?: string;
  /** Replace an existing identity. */
  force?: boolean;
}

/**
 * Enrolls this machine: a fresh WireGuard key pair, `POST /v1/register` with
 * the enrollment token, and the identity (credential, private key) stored
 * 0600 under the data dir, with the initial state as the first cache.
 *
 * @example
 * const id = await join({ server: "https://tether.example.com", token, dataDir: "/var/lib/tether" });
 * id.node_id;
 */
export async function join(opts: JoinOptions): Promise<{ node_id: string; mesh_ip: string }> {
  if (!/^https?:\/\/[^\s/]+/.test(opts.server)) {
    throw new ConfigError(
      "config: server: must be an http(s) URL, e.g. https://tether.example.com",
    );
  }
  if (!opts.force && loadIdentity(opts.dataDir)) {
    throw new ConfigError(
      `join: this machine is enrolled already (${identityPath(opts.dataDir)}); pass --force to enroll again`,
    );
  }
  const keys = generateWireGuardKeyPair();
  const hostname = opts.hostname ?? osHostname();
  const res = await register(opts.server, opts.token, {
    public_key: keys.publicKey,
    hostname,
    ...(opts.name ? { name: opts.name } : {}),
    ...(opts.endpoint ? { endpoint: opts.endpoint } : {}),
  });
  saveIdentity(opts.dataDir, {
    node_id: res.node_id,
    server: opts.server.replace(/\/+$/, ""),
    credential: res.credential,
    private_key: keys.privateKey,
    public_key: keys.publicKey,
    mesh_ip: res.mesh_ip,
    mesh_cidr: res.mesh_cidr,
    hostname,
  });
  saveCachedState(opts.dataDir, res.state);
  return { node_id: res.node_id, mesh_ip: res.mesh_ip };
}
