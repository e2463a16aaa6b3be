import { describe, expect, it } from "vitest";
import { fromJSON, type RObject } from "../value.ts";
import { renderTemplate } from "./template.ts";

const r = (t: string, vars: unknown) => renderTemplate(t, fromJSON(vars) as RObject);

describe("strings.render_template", () => {
  it("renders fields, ranges and conditionals", () => {
    expect(r("{{.test}}", { test: 2023 })).toBe("2023");
    expect(
      r("{{range $i, $name := .names}}{{if $i}},{{end}}hello {{$name}}{{end}}", {
        names: ["rohan", "john doe"],
      }),
    ).toBe("hello rohan,hello john doe");
    expect(r("{{if eq .a 1}}one{{else if eq .a 2}}two{{else}}many{{end}}!", { a: 2 })).toBe("two!");
    expect(
      r("{{with .o}}{{.k}}{{end}} {{len .l}} {{index .l 1}}", { o: { k: "v" }, l: [1, 2] }),
    ).toBe("v 2 2");
    expect(r("a  {{- .x -}}  b {{/* note */}}", { x: "X" })).toBe("aXb ");
    expect(r('{{printf "%05d" .n | print}}', { n: 42 })).toBe("00042");
  });
  it("prints <undefined> for missing keys", () => {
    expect(r("test {{.foo}} {{.bar}} {{.baz}}", { baz: 1 })).toBe("test <undefined> <undefined> 1");
  });
  it("rejects malformed templates", () => {
    expect(() => r("{{if .a}}x", {})).toThrow("unexpected EOF");
    expect(() => r("{{nofunc 1}}", {})).toThrow("not defined");
  });
});
