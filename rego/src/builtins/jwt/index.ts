/** The `io.jwt.*` builtins. */
import { named } from "../crypto/named.ts";
import type { BuiltinTable } from "../types.ts";
import { jwtEncodeBuiltins } from "./encode.ts";
import { jwtVerifyBuiltins } from "./verify.ts";

export const jwtBuiltins: BuiltinTable = named([...jwtEncodeBuiltins, ...jwtVerifyBuiltins]);
