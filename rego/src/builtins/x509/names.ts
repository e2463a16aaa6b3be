/** Distinguished names (Go's `pkix.Name` JSON) and ASN.1 times. */
import { RObject, type Value } from "../../value.ts";
import { Asn1Error, children, type Node, readOid, TAG } from "../crypto/asn1.ts";
import { fromUtf8 } from "../crypto/bytes.ts";

const FIELDS: Record<string, string> = {
  "2.5.4.6": "Country",
  "2.5.4.10": "Organization",
  "2.5.4.11": "OrganizationalUnit",
  "2.5.4.7": "Locality",
  "2.5.4.8": "Province",
  "2.5.4.9": "StreetAddress",
  "2.5.4.17": "PostalCode",
};

/** The text of a string-like ASN.1 element. */
export function asn1String(n: Node): string {
  if (n.tag === TAG.BMP) {
    let s = "";
    for (let i = 0; i + 1 < n.content.length; i += 2) {
      s += String.fromCharCode((n.content[i]! << 8) | n.content[i + 1]!);
    }
    return s;
  }
  return fromUtf8(n.content);
}

export function oidArray(oid: string): Value {
  return oid.split(".").map(Number);
}

export function nameValue(name: Node): RObject {
  const multi: Record<string, string[]> = {};
  let serialNumber = "";
  let commonName = "";
  const names: Value[] = [];
  for (const rdn of children(name)) {
    for (const atv of children(rdn)) {
      const [oidNode, valueNode] = children(atv);
      const oid = readOid(oidNode);
      const value = asn1String(valueNode!);
      names.push(RObject.fromRecord({ Type: oidArray(oid), Value: value }));
      const field = FIELDS[oid];
      if (field) {
        multi[field] ??= [];
        multi[field].push(value);
      } else if (oid === "2.5.4.3") commonName = value;
      else if (oid === "2.5.4.5") serialNumber = value;
    }
  }
  const list = (k: string): Value => multi[k] ?? null;
  return RObject.fromRecord({
    Country: list("Country"),
    Organization: list("Organization"),
    OrganizationalUnit: list("OrganizationalUnit"),
    Locality: list("Locality"),
    Province: list("Province"),
    StreetAddress: list("StreetAddress"),
    PostalCode: list("PostalCode"),
    SerialNumber: serialNumber,
    CommonName: commonName,
    Names: names.length ? names : null,
    ExtraNames: null,
  });
}

/** UTCTime or GeneralizedTime. */
export function readTime(n: Node | undefined): Date {
  if (!n || (n.tag !== TAG.UTC_TIME && n.tag !== TAG.GENERALIZED_TIME)) {
    throw new Asn1Error("x509: malformed validity");
  }
  const s = fromUtf8(n.content);
  const m =
    n.tag === TAG.UTC_TIME
      ? /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?Z$/.exec(s)
      : /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:\.\d+)?Z$/.exec(s);
  if (!m) throw new Asn1Error("x509: malformed time");
  let year = Number(m[1]);
  if (n.tag === TAG.UTC_TIME) year += year >= 50 ? 1900 : 2000;
  return new Date(
    Date.UTC(year, Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6] ?? 0)),
  );
}
