import { describe, expect, it } from "vitest";
import { RegoError } from "../errors.ts";
import { lex } from "./lexer.ts";

describe("lex", () => {
  it("gives every token a location and marks line breaks", () => {
    const { tokens } = lex('p := "a"\nq[x] if x > 1', "f.rego");
    const q = tokens.find((t) => t.text === "q")!;
    expect(q.loc).toMatchObject({ file: "f.rego", line: 2, col: 1 });
    expect(q.nl).toBe(true);
    expect(tokens.map((t) => t.text)).toEqual([
      "p",
      ":=",
      "a",
      "q",
      "[",
      "x",
      "]",
      "if",
      "x",
      ">",
      "1",
      "",
    ]);
  });

  it("decodes strings, keeps raw strings verbatim, collects comments", () => {
    const { tokens, comments } = lex('a := "\\u00e9\\n" # hi\nb := `x\\ny`');
    expect(tokens[2]!.text).toBe("é\n");
    expect(tokens[5]!).toMatchObject({ text: "x\\ny", raw: true });
    expect(comments[0]!.text).toBe(" hi");
  });

  it("splits template strings into text and expression ranges", () => {
    const src = 'x := $"a {y} \\{z}"';
    const t = lex(src).tokens[2]!;
    expect(t.kind).toBe("template");
    const [text, expr, rest] = t.parts!;
    expect(text).toBe("a ");
    expect(src.slice((expr as { start: number }).start, (expr as { end: number }).end)).toBe("y");
    expect(rest).toBe(" {z}");
  });

  it("treats \\{ and \\} as literal braces in templates", () => {
    const t = lex('x := $"a \\{b\\} {1}\\}"').tokens[2]!;
    expect(t.parts?.[0]).toBe("a {b} ");
    expect(t.parts?.[2]).toBe("}");
  });

  it("reports a positioned rego_parse_error on bad input", () => {
    try {
      lex('p := 1\nq := "open', "bad.rego");
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(RegoError);
      const err = e as RegoError;
      expect(err.code).toBe("rego_parse_error");
      expect(err.location).toMatchObject({ line: 2, col: 6 });
      expect(err.render('p := 1\nq := "open')).toContain("bad.rego:2:6: rego_parse_error");
    }
  });
});
