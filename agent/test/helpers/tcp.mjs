// Tiny TCP tools for the namespace tests, run with `ip netns exec <ns> node tcp.mjs …`.
//   serve <port>[,<port>…] <seconds>   accept on 0.0.0.0 and answer "ok", exit after <seconds>
//   probe <ip> <port> <timeout-ms>      exit 0 when a connection is answered, 1 otherwise
import { connect, createServer } from "node:net";

const [mode, a, b, c] = process.argv.slice(2);
if (mode === "serve") {
  for (const port of a.split(",")) {
    createServer((s) => s.end("ok")).listen(Number(port), "0.0.0.0");
  }
  setTimeout(() => process.exit(0), Number(b) * 1000);
} else if (mode === "probe") {
  const socket = connect({ host: a, port: Number(b) });
  const timer = setTimeout(() => {
    process.stdout.write("timeout");
    process.exit(1);
  }, Number(c));
  socket.on("data", (d) => {
    clearTimeout(timer);
    process.stdout.write(String(d));
    process.exit(String(d) === "ok" ? 0 : 1);
  });
  socket.on("error", (e) => {
    clearTimeout(timer);
    process.stdout.write(e.code ?? e.message);
    process.exit(1);
  });
} else {
  process.stderr.write("usage: tcp.mjs serve <ports> <seconds> | probe <ip> <port> <ms>\n");
  process.exit(2);
}
