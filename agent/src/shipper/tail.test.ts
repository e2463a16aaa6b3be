import {
  appendFileSync,
  mkdtempSync,
  renameSync,
  truncateSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FileTail, MAX_LINE_BYTES, type TailNotice } from "./tail.ts";

const setup = () => {
  const dir = mkdtempSync(join(tmpdir(), "tether-tail-"));
  return { dir, file: join(dir, "trace.jsonl") };
};
const texts = (tail: FileTail, max = 100) => tail.read(max).map((l) => l.text);

describe("FileTail", () => {
  it("waits for a file that does not exist yet, then follows appends line by line", () => {
    const { file } = setup();
    const tail = new FileTail(file);
    expect(tail.read(10)).toEqual([]);
    writeFileSync(file, "a\nb\n");
    const lines = tail.read(10);
    expect(lines.map((l) => [l.text, l.line, l.end.offset])).toEqual([
      ["a", 1, 2],
      ["b", 2, 4],
    ]);
    appendFileSync(file, "c\r\n");
    expect(texts(tail)).toEqual(["c"]);
    expect(tail.read(10)).toEqual([]);
  });

  it("holds a partial trailing line until its newline arrives", () => {
    const { file } = setup();
    writeFileSync(file, '{"a":1}\n{"b":');
    const tail = new FileTail(file);
    expect(texts(tail)).toEqual(['{"a":1}']);
    expect(tail.position.offset).toBe(8);
    expect(texts(tail)).toEqual([]);
    appendFileSync(file, "2}\n");
    expect(texts(tail)).toEqual(['{"b":2}']);
  });

  it("returns at most `max` lines per read and goes on from there", () => {
    const { file } = setup();
    writeFileSync(file, "1\n2\n3\n4\n5\n");
    const tail = new FileTail(file);
    expect(texts(tail, 2)).toEqual(["1", "2"]);
    expect(texts(tail, 2)).toEqual(["3", "4"]);
    expect(texts(tail, 2)).toEqual(["5"]);
  });

  it("starts again at 0 when the file is truncated", () => {
    const { file } = setup();
    const notices: TailNotice[] = [];
    writeFileSync(file, "old 1\nold 2\n");
    const tail = new FileTail(file, undefined, (n) => notices.push(n));
    expect(texts(tail)).toEqual(["old 1", "old 2"]);
    truncateSync(file, 0);
    appendFileSync(file, "new\n");
    expect(tail.read(10).map((l) => [l.text, l.line])).toEqual([["new", 1]]);
    expect(notices).toEqual([{ kind: "truncated", ino: expect.any(Number), at: 12 }]);
  });

  it("drains the old file after a rotation (rename + new file), then reads the new one", () => {
    const { dir, file } = setup();
    const notices: TailNotice[] = [];
    writeFileSync(file, "1\n");
    const tail = new FileTail(file, undefined, (n) => notices.push(n));
    expect(texts(tail)).toEqual(["1"]);
    appendFileSync(file, "2\n3-without-newline");
    renameSync(file, join(dir, "trace.jsonl.1"));
    writeFileSync(file, "4\n");
    expect(tail.read(10).map((l) => [l.text, l.line])).toEqual([
      ["2", 2],
      ["3-without-newline", 3],
      ["4", 1],
    ]);
    expect(notices.map((n) => n.kind)).toEqual(["rotated"]);
  });

  it("resumes from a saved position after a restart, neither losing nor repeating a line", () => {
    const { file } = setup();
    writeFileSync(file, "1\n2\n3\n");
    const first = new FileTail(file);
    const [, two] = first.read(2);
    first.close();
    appendFileSync(file, "4\n");
    const again = new FileTail(file, two!.end);
    expect(again.read(10).map((l) => [l.text, l.line])).toEqual([
      ["3", 3],
      ["4", 4],
    ]);
  });

  it("finds the file it was reading when it was rotated while the agent was down", () => {
    const { dir, file } = setup();
    const notices: TailNotice[] = [];
    writeFileSync(file, "1\n2\n");
    const first = new FileTail(file);
    const saved = first.read(1)[0]!.end;
    first.close();
    appendFileSync(file, "3\n");
    renameSync(file, join(dir, "trace.jsonl.1"));
    writeFileSync(file, "new 1\n");
    const again = new FileTail(file, saved, (n) => notices.push(n));
    expect(texts(again)).toEqual(["2", "3", "new 1"]);
    expect(notices.map((n) => n.kind)).toEqual(["resumed-rotated", "rotated"]);

    // Rotated and deleted while down: nothing to drain, the new file from its start.
    const gone = new FileTail(file, again.position);
    gone.read(10);
    const pos = gone.position;
    gone.close();
    renameSync(file, join(dir, "trace.jsonl.2"));
    unlinkSync(join(dir, "trace.jsonl.2"));
    writeFileSync(file, "fresh\n");
    const lost: TailNotice[] = [];
    expect(texts(new FileTail(file, pos, (n) => lost.push(n)))).toEqual(["fresh"]);
    expect(lost.map((n) => n.kind)).toEqual(["lost-rotated"]);
  });

  it("treats a saved offset past the end of the same file as a truncation", () => {
    const { file } = setup();
    writeFileSync(file, "1\n2\n3\n");
    const first = new FileTail(file);
    first.read(10);
    const saved = first.position;
    first.close();
    writeFileSync(file, "x\n"); // same inode, shorter
    const notices: TailNotice[] = [];
    expect(texts(new FileTail(file, saved, (n) => notices.push(n)))).toEqual(["x"]);
    expect(notices.map((n) => n.kind)).toEqual(["truncated"]);
  });

  it("reports a line over the limit as null once and skips to its newline", () => {
    const { file } = setup();
    writeFileSync(file, `a\n${"x".repeat(MAX_LINE_BYTES + 10)}`);
    const tail = new FileTail(file);
    expect(texts(tail)).toEqual(["a", null]);
    appendFileSync(file, "yyy\nb\n");
    expect(tail.read(10).map((l) => [l.text, l.line])).toEqual([["b", 3]]);
  });
});
