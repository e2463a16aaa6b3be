import { describe, expect, it } from "vitest";
import { AgentSocket, EventStream, enrollToken, register } from "../../test/agent-fixtures.ts";
import { api, newOrg } from "../../test/fixtures.ts";

/**
 * POST /api/hub/ping → agents answer (up the socket, or POST /v1/nodes/{id}/pong)
 * → GET /api/hub/pings/{id} lists who answered and how fast.
 */

async function mesh(size: number) {
  const org = await newOrg();
  const nodes = [];
  for (let i = 0; i < size; i++) nodes.push(await register(await enrollToken(org.orgId), `p${i}`));
  return { org, nodes };
}

describe("ping and pong", () => {
  it("lists the nodes that answered a ping, on either transport, and the one that did not", async () => {
    const { org, nodes } = await mesh(3);
    const [onSocket, onSse, silent] = nodes as [
      (typeof nodes)[0],
      (typeof nodes)[0],
      (typeof nodes)[0],
    ];
    const socket = await AgentSocket.open(onSocket);
    const stream = await EventStream.open(onSse);
    const quiet = await AgentSocket.open(silent);
    const sent = await api("POST", "/api/hub/ping", { key: org.adminKey });
    expect(sent.body.connected).toBe(3);
    const pingId = sent.body.id as string;

    const viaSocket = JSON.parse((await socket.nextOf(["ping"])).data);
    expect(viaSocket.id).toBe(pingId);
    socket.send({ type: "pong", id: pingId });
    expect(JSON.parse((await socket.nextOf(["pong_ack"])).data)).toEqual({
      id: pingId,
      recorded: true,
    });

    const viaSse = JSON.parse((await stream.next()).data);
    expect(viaSse.id).toBe(pingId);
    const pong = await api("POST", `/v1/nodes/${onSse.id}/pong`, {
      key: onSse.credential,
      body: { ping_id: pingId },
    });
    expect(pong.status).toBe(200);
    expect(pong.body).toEqual({ recorded: true });
    await quiet.nextOf(["ping"]);

    const result = await api("GET", `/api/hub/pings/${pingId}`, { key: org.readKey });
    expect(result.status).toBe(200);
    expect(result.body.sent).toBe(3);
    expect(result.body.answered.map((a: { node_id: string }) => a.node_id).sort()).toEqual(
      [onSocket.id, onSse.id].sort(),
    );
    for (const a of result.body.answered) expect(a.rtt_ms).toBeGreaterThanOrEqual(0);
    expect(result.body.missing).toEqual([silent.id]);
    socket.close();
    quiet.close();
    await stream.close();
  });

  it("answers a pong to an unknown ping with recorded: false and records nothing", async () => {
    const { org, nodes } = await mesh(1);
    const socket = await AgentSocket.open(nodes[0]!);
    const unknown = crypto.randomUUID();
    socket.send({ type: "pong", id: unknown });
    expect(JSON.parse((await socket.nextOf(["pong_ack"])).data)).toEqual({
      id: unknown,
      recorded: false,
    });
    const viaHttp = await api("POST", `/v1/nodes/${nodes[0]!.id}/pong`, {
      key: nodes[0]!.credential,
      body: { ping_id: unknown },
    });
    expect(viaHttp.body).toEqual({ recorded: false });
    const missing = await api("GET", `/api/hub/pings/${unknown}`, { key: org.readKey });
    expect(missing.status).toBe(404);
    expect(missing.body.error.message).toContain(unknown);
    socket.close();
  });

  it("answers recorded: false to a node without an open stream, and 400 naming a malformed ping_id", async () => {
    const { org, nodes } = await mesh(1);
    const node = nodes[0]!;
    const { id } = (await api("POST", "/api/hub/ping", { key: org.adminKey })).body;
    const offline = await api("POST", `/v1/nodes/${node.id}/pong`, {
      key: node.credential,
      body: { ping_id: id },
    });
    expect(offline.status).toBe(200);
    expect(offline.body).toEqual({ recorded: false });
    const bad = await api("POST", `/v1/nodes/${node.id}/pong`, {
      key: node.credential,
      body: { ping_id: "yesterday" },
    });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body.error.details)).toContain("ping_id");
  });

  it("answers a malformed pong up the socket with status_error naming the field", async () => {
    const { nodes } = await mesh(1);
    const socket = await AgentSocket.open(nodes[0]!);
    socket.send({ type: "pong" });
    const error = JSON.parse((await socket.nextOf(["status_error"])).data);
    expect(error).toMatchObject({ code: "validation_failed" });
    expect(error.message).toMatch(/^id: /);
    socket.close();
  });
});
