/** Certificate extensions decoded into the fields of Go's `x509.Certificate`. */
import { RObject, type Value } from "../../value.ts";
import {
  children,
  expect,
  type Node,
  parseDer,
  readBitString,
  readInteger,
  readOid,
  seq,
  TAG,
} from "../crypto/asn1.ts";
import { base64Encode, fromUtf8 } from "../crypto/bytes.ts";
import { oidArray } from "./names.ts";

const EXT_KEY_USAGE: Record<string, number> = {
  "2.5.29.37.0": 0,
  "1.3.6.1.5.5.7.3.1": 1,
  "1.3.6.1.5.5.7.3.2": 2,
  "1.3.6.1.5.5.7.3.3": 3,
  "1.3.6.1.5.5.7.3.4": 4,
  "1.3.6.1.5.5.7.3.5": 5,
  "1.3.6.1.5.5.7.3.6": 6,
  "1.3.6.1.5.5.7.3.7": 7,
  "1.3.6.1.5.5.7.3.8": 8,
  "1.3.6.1.5.5.7.3.9": 9,
  "1.3.6.1.4.1.311.10.3.3": 10,
  "2.16.840.1.113730.4.1": 11,
  "1.3.6.1.4.1.311.2.1.22": 12,
  "1.3.6.1.4.1.311.61.1.1": 13,
};

export interface ExtensionInfo {
  fields: Record<string, Value>;
  isCA: boolean;
  basicConstraintsValid: boolean;
  extKeyUsage: number[];
}

function ipText(b: Uint8Array): string {
  if (b.length === 4) return [...b].join(".");
  const groups: string[] = [];
  for (let i = 0; i + 1 < b.length; i += 2) groups.push(((b[i]! << 8) | b[i + 1]!).toString(16));
  // Compress the longest run of zero groups, as Go prints IPv6.
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < groups.length; ) {
    let j = i;
    while (j < groups.length && groups[j] === "0") j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j > i ? j : i + 1;
  }
  if (best < 0) return groups.join(":");
  return `${groups.slice(0, best).join(":")}::${groups.slice(best + bestLen).join(":")}`;
}

/** Go's `url.URL` JSON for a URI from a certificate. */
function urlValue(u: string): Value {
  const m = /^([A-Za-z][A-Za-z0-9+.-]*):(?:\/\/([^/?#]*))?([^?#]*)(?:\?([^#]*))?(?:#(.*))?$/.exec(
    u,
  );
  const opaque = m && m[2] === undefined ? m[3]! : "";
  return RObject.fromRecord({
    Scheme: m?.[1]?.toLowerCase() ?? "",
    Opaque: opaque,
    User: null,
    Host: m?.[2] ?? "",
    Path: m && m[2] !== undefined ? decodeURIComponent(m[3]!) : m ? "" : u,
    RawPath: "",
    OmitHost: false,
    ForceQuery: false,
    RawQuery: m?.[4] ?? "",
    Fragment: m?.[5] ?? "",
    RawFragment: "",
  });
}

export function extensionFields(exts: Node[]): ExtensionInfo {
  const f: Record<string, Value> = {
    KeyUsage: 0,
    Extensions: null,
    ExtraExtensions: null,
    UnhandledCriticalExtensions: null,
    ExtKeyUsage: null,
    UnknownExtKeyUsage: null,
    BasicConstraintsValid: false,
    IsCA: false,
    MaxPathLen: 0,
    MaxPathLenZero: false,
    SubjectKeyId: null,
    AuthorityKeyId: null,
    OCSPServer: null,
    IssuingCertificateURL: null,
    DNSNames: null,
    EmailAddresses: null,
    IPAddresses: null,
    URIs: null,
    PermittedDNSDomainsCritical: false,
    PermittedDNSDomains: null,
    ExcludedDNSDomains: null,
    PermittedIPRanges: null,
    ExcludedIPRanges: null,
    PermittedEmailAddresses: null,
    ExcludedEmailAddresses: null,
    PermittedURIDomains: null,
    ExcludedURIDomains: null,
    CRLDistributionPoints: null,
    PolicyIdentifiers: null,
    URIStrings: null,
  };
  const info: ExtensionInfo = {
    fields: f,
    isCA: false,
    basicConstraintsValid: false,
    extKeyUsage: [],
  };
  const list: Value[] = [];
  const push = (k: string, v: Value) => {
    f[k] = [...((f[k] as Value[] | null) ?? []), v];
  };
  for (const e of exts) {
    const parts = seq(e, "extension");
    const oid = readOid(parts[0]);
    let critical = false;
    let valueNode = parts[1]!;
    if (valueNode.tag === TAG.BOOLEAN) {
      critical = valueNode.content[0] !== 0;
      valueNode = parts[2]!;
    }
    const value = expect(valueNode, TAG.OCTET_STRING, "extension value").content;
    list.push(
      RObject.fromRecord({ Id: oidArray(oid), Critical: critical, Value: base64Encode(value) }),
    );
    const inner = () => parseDer(value);
    switch (oid) {
      case "2.5.29.15": {
        const bits = readBitString(inner());
        let ku = 0;
        for (let i = 0; i < 9; i++) if ((bits[i >> 3] ?? 0) & (0x80 >> (i & 7))) ku |= 1 << i;
        f.KeyUsage = ku;
        break;
      }
      case "2.5.29.19": {
        const bc = seq(inner(), "basic constraints");
        let k = 0;
        if (bc[k]?.tag === TAG.BOOLEAN) info.isCA = bc[k++]!.content[0] !== 0;
        const maxPath = bc[k]?.tag === TAG.INTEGER ? Number(readInteger(bc[k])) : -1;
        info.basicConstraintsValid = true;
        f.BasicConstraintsValid = true;
        f.IsCA = info.isCA;
        f.MaxPathLen = maxPath;
        f.MaxPathLenZero = maxPath === 0;
        break;
      }
      case "2.5.29.14":
        f.SubjectKeyId = base64Encode(expect(inner(), TAG.OCTET_STRING, "subject key id").content);
        break;
      case "2.5.29.35":
        for (const c of seq(inner(), "authority key id")) {
          if (c.cls === 2 && c.tag === 0) f.AuthorityKeyId = base64Encode(c.content);
        }
        break;
      case "2.5.29.37":
        for (const c of seq(inner(), "extended key usage")) {
          const u = EXT_KEY_USAGE[readOid(c)];
          if (u !== undefined) {
            push("ExtKeyUsage", u);
            info.extKeyUsage.push(u);
          } else push("UnknownExtKeyUsage", oidArray(readOid(c)));
        }
        break;
      case "2.5.29.17":
        for (const g of seq(inner(), "subject alt name")) {
          if (g.cls !== 2) continue;
          const text = fromUtf8(g.content);
          if (g.tag === 1) push("EmailAddresses", text);
          else if (g.tag === 2) push("DNSNames", text);
          else if (g.tag === 6) {
            push("URIs", urlValue(text));
            push("URIStrings", text);
          } else if (g.tag === 7) push("IPAddresses", ipText(g.content));
        }
        break;
      case "1.3.6.1.5.5.7.1.1":
        for (const ad of seq(inner(), "authority info access")) {
          const [m, loc] = children(ad);
          if (loc?.cls !== 2 || loc.tag !== 6) continue;
          const method = readOid(m);
          if (method === "1.3.6.1.5.5.7.48.1") push("OCSPServer", fromUtf8(loc.content));
          if (method === "1.3.6.1.5.5.7.48.2") push("IssuingCertificateURL", fromUtf8(loc.content));
        }
        break;
      case "2.5.29.31":
        for (const dp of seq(inner(), "crl distribution points")) {
          for (const name of children(dp)) {
            if (name.cls !== 2 || name.tag !== 0) continue;
            for (const full of children(name)) {
              if (full.cls !== 2 || full.tag !== 0) continue;
              for (const g of children(full)) {
                if (g.cls === 2 && g.tag === 6) push("CRLDistributionPoints", fromUtf8(g.content));
              }
            }
          }
        }
        break;
      case "2.5.29.32":
        for (const p of seq(inner(), "certificate policies")) {
          push("PolicyIdentifiers", oidArray(readOid(seq(p, "policy")[0])));
        }
        break;
    }
  }
  if (list.length) f.Extensions = list;
  return info;
}
