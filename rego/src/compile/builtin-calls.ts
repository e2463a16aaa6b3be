import type { BuiltinDef, BuiltinFn } from "../builtins/types.ts";
import { type Location, RegoError } from "../errors.ts";
import { type Arg, argValue } from "../eval/args.ts";
import {
  type Env,
  fromGetter,
  type Getter,
  holds,
  type Query,
  type TermFn,
} from "../eval/types.ts";
import type { Value } from "../value.ts";

/** What a mocked builtin (`with count as ...`) returns for evaluated operands. */
export type MockedCall = (q: Query, args: readonly Value[]) => Value | undefined;

/** Everything a direct call needs besides its operands. */
interface Site {
  /**
   * The call's argument array, filled anew on every call: builtins read
   * their operands synchronously and keep none of them, and a call site
   * cannot be re-entered while its operands are placed (no recursion), so
   * one array per site serves every call without allocating.
   */
  readonly args: Value[];
  readonly fn: BuiltinFn;
  readonly key: string;
  readonly nondet: boolean;
  readonly loc: Location;
  readonly mocked: MockedCall;
  readonly failure: (q: Query, e: unknown) => boolean;
}

/**
 * A single-valued builtin whose operands are single-valued terms, called in
 * place: operands go straight into the argument array, no continuation and
 * no intermediate closure; as a body literal (`startswith(p, "/tmp")`) it is
 * tested in place too. Errors follow `builtinFailure` (undefined unless
 * strict) and carry the call's location.
 */
export function directBuiltinCall(
  def: BuiltinDef,
  key: string,
  args: readonly Arg[],
  loc: Location,
  mocked: MockedCall,
  failure: (q: Query, e: unknown) => boolean,
): TermFn {
  const site: Site = {
    args: new Array<Value>(args.length).fill(null),
    fn: def.fn,
    key,
    nondet: def.nondeterministic === true,
    loc,
    mocked,
    failure,
  };
  let value: Getter;
  let truthy: (q: Query, env: Env) => 0 | 1;
  switch (args.length) {
    case 1: {
      const [a0] = args as [Arg];
      value = (q, env) => call1(q, env, a0, site);
      truthy = (q, env) => holds(call1(q, env, a0, site));
      break;
    }
    case 2: {
      const [a0, a1] = args as [Arg, Arg];
      value = (q, env) => call2(q, env, a0, a1, site);
      truthy = (q, env) => holds(call2(q, env, a0, a1, site));
      break;
    }
    case 3: {
      const [a0, a1, a2] = args as [Arg, Arg, Arg];
      value = (q, env) => call3(q, env, a0, a1, a2, site);
      truthy = (q, env) => holds(call3(q, env, a0, a1, a2, site));
      break;
    }
    default:
      value = (q, env) => callN(q, env, args, site);
      truthy = (q, env) => holds(callN(q, env, args, site));
  }
  const term = fromGetter(value);
  term.truthy = truthy;
  return term;
}

// Operands are all evaluated before the first is stored: evaluating one may
// run other call sites, never this one.
function call1(q: Query, env: Env, a0: Arg, site: Site): Value | undefined {
  const a = argValue(q, env, a0);
  if (a === undefined) return undefined;
  const vs = site.args;
  vs[0] = a;
  return run(q, vs, site);
}

function call2(q: Query, env: Env, a0: Arg, a1: Arg, site: Site): Value | undefined {
  const a = argValue(q, env, a0);
  if (a === undefined) return undefined;
  const b = argValue(q, env, a1);
  if (b === undefined) return undefined;
  const vs = site.args;
  vs[0] = a;
  vs[1] = b;
  return run(q, vs, site);
}

function call3(q: Query, env: Env, a0: Arg, a1: Arg, a2: Arg, site: Site): Value | undefined {
  const a = argValue(q, env, a0);
  if (a === undefined) return undefined;
  const b = argValue(q, env, a1);
  if (b === undefined) return undefined;
  const c = argValue(q, env, a2);
  if (c === undefined) return undefined;
  const vs = site.args;
  vs[0] = a;
  vs[1] = b;
  vs[2] = c;
  return run(q, vs, site);
}

function callN(q: Query, env: Env, args: readonly Arg[], site: Site): Value | undefined {
  const vs = new Array<Value>(args.length);
  for (let i = 0; i < args.length; i++) {
    const v = argValue(q, env, args[i]!);
    if (v === undefined) return undefined;
    vs[i] = v;
  }
  return run(q, vs, site);
}

/**
 * Calls the builtin on the site's filled argument array. The array keeps
 * the last operands until the next call: one set per site, as a memo would.
 */
function run(q: Query, args: Value[], site: Site): Value | undefined {
  // a mock may be a Rego function, which binds its operands: it gets its own copy
  if (q.fnOverrides?.has(site.key)) return site.mocked(q, args.slice());
  if (site.nondet) q.track.impure = true;
  try {
    return site.fn(args, q.bctx);
  } catch (e) {
    try {
      site.failure(q, e);
    } catch (err) {
      if (err instanceof RegoError && !err.location) {
        throw new RegoError(err.code, err.message, site.loc);
      }
      throw err;
    }
    return undefined;
  }
}
