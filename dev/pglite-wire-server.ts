import { createServer, type Server, type Socket } from "node:net";
import type { PGlite } from "@electric-sql/pglite";

/**
 * Serves one PGlite over the Postgres wire protocol to many connections.
 *
 * Why not `@electric-sql/pglite-socket`'s server: it queues each protocol
 * message on its own, so one connection's Parse/Bind/Execute can be
 * interleaved with another's and fail with "prepared statement does not
 * exist" (26000) or hang under concurrent requests. Here a connection's
 * messages run as one unit up to its Sync (or simple Query), and a
 * connection that is inside a transaction keeps PGlite until it ends it.
 */
const SSL_REQUEST = 80877103;
const CANCEL_REQUEST = 80877102;
const PROTOCOL_V3 = 196608;

export interface WireServer {
  port: number;
  close(): Promise<void>;
}

export async function serveWire(
  db: PGlite,
  opts: { host: string; port: number },
): Promise<WireServer> {
  const lock = new ConnectionLock();
  let nextId = 1;
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    const conn = new Connection(nextId++, socket, db, lock);
    socket.on("close", () => {
      sockets.delete(socket);
      void conn.closed();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  return {
    port: (server.address() as { port: number }).port,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Who may use PGlite now; FIFO. The owner keeps it while in a transaction. */
class ConnectionLock {
  owner: number | undefined;
  readonly #waiting: { id: number; grant: () => void }[] = [];

  async acquire(id: number): Promise<void> {
    if (this.owner === undefined || this.owner === id) {
      this.owner = id;
      return;
    }
    await new Promise<void>((grant) => this.#waiting.push({ id, grant }));
  }

  release(id: number): void {
    if (this.owner !== id) return;
    const next = this.#waiting.shift();
    this.owner = next?.id;
    next?.grant();
  }
}

class Connection {
  #buffer = Buffer.alloc(0);
  #pending: Buffer[] = [];
  #chain: Promise<void> = Promise.resolve();
  #startedUp = false;

  constructor(
    readonly id: number,
    readonly socket: Socket,
    readonly db: PGlite,
    readonly lock: ConnectionLock,
  ) {
    socket.setNoDelay(true);
    socket.on("data", (chunk) => this.#onData(chunk));
    socket.on("error", () => socket.destroy());
  }

  #onData(chunk: Buffer): void {
    this.#buffer = Buffer.concat([this.#buffer, chunk]);
    for (;;) {
      if (!this.#startedUp) {
        if (this.#buffer.length < 8) return;
        const len = this.#buffer.readInt32BE(0);
        if (this.#buffer.length < len) return;
        const code = this.#buffer.readInt32BE(4);
        const message = this.#buffer.subarray(0, len);
        this.#buffer = this.#buffer.subarray(len);
        if (code === SSL_REQUEST) {
          this.socket.write("N");
          continue;
        }
        if (code === CANCEL_REQUEST) {
          this.socket.end();
          return;
        }
        if (code !== PROTOCOL_V3) {
          this.socket.destroy();
          return;
        }
        this.#startedUp = true;
        this.#run([Buffer.from(message)]);
        continue;
      }
      if (this.#buffer.length < 5) return;
      const len = 1 + this.#buffer.readInt32BE(1);
      if (this.#buffer.length < len) return;
      const type = String.fromCharCode(this.#buffer[0]!);
      const message = Buffer.from(this.#buffer.subarray(0, len));
      this.#buffer = this.#buffer.subarray(len);
      if (type === "X") {
        this.socket.end();
        return;
      }
      this.#pending.push(message);
      // Sync ends an extended-protocol cycle; Query is a whole simple cycle.
      if (type === "S" || type === "Q") this.#run(this.#pending.splice(0));
    }
  }

  #run(messages: Buffer[]): void {
    this.#chain = this.#chain.then(async () => {
      await this.lock.acquire(this.id);
      try {
        await this.db.execProtocolRawStream(Buffer.concat(messages), {
          onRawData: (data) => {
            if (!this.socket.destroyed) this.socket.write(data);
          },
        });
      } catch {
        this.socket.destroy();
      } finally {
        if (!inTransaction(this.db)) this.lock.release(this.id);
      }
    });
  }

  /** The client went away: roll back what it left open and let others in. */
  async closed(): Promise<void> {
    await this.#chain;
    if (this.lock.owner === this.id) {
      if (inTransaction(this.db)) await this.db.exec("ROLLBACK").catch(() => {});
      this.lock.release(this.id);
    }
  }
}

/** PGlite throws once closed; a closed database holds no transaction. */
function inTransaction(db: PGlite): boolean {
  try {
    return db.isInTransaction();
  } catch {
    return false;
  }
}
