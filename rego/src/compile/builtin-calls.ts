import type { BuiltinDef, BuiltinFn } from "../builtins/types.ts";
import { type Location, RegoError } from "../errors.ts";
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
  gets: readonly Getter[],
  loc: Location,
  mocked: MockedCall,
  failure: (q: Query, e: unknown) => boolean,
): TermFn {
  const site: Site = {
    fn: def.fn,
    key,
    nondet: def.nondeterministic === true,
    loc,
    mocked,
    failure,
  };
  let value: Getter;
  let truthy: (q: Query, env: Env) => 0 | 1;
  switch (gets.length) {
    case 1: {
      const [g0] = gets as [Getter];
      value = (q, env) => call1(q, env, g0, site);
      truthy = (q, env) => holds(call1(q, env, g0, site));
      break;
    }
    case 2: {
      const [g0, g1] = gets as [Getter, Getter];
      value = (q, env) => call2(q, env, g0, g1, site);
      truthy = (q, env) => holds(call2(q, env, g0, g1, site));
      break;
    }
    case 3: {
      const [g0, g1, g2] = gets as [Getter, Getter, Getter];
      value = (q, env) => call3(q, env, g0, g1, g2, site);
      truthy = (q, env) => holds(call3(q, env, g0, g1, g2, site));
      break;
    }
    default:
      value = (q, env) => callN(q, env, gets, site);
      truthy = (q, env) => holds(callN(q, env, gets, site));
  }
  const term = fromGetter(value);
  term.truthy = truthy;
  return term;
}

function call1(q: Query, env: Env, g0: Getter, site: Site): Value | undefined {
  const a = g0(q, env);
  return a === undefined ? undefined : run(q, [a], site);
}

function call2(q: Query, env: Env, g0: Getter, g1: Getter, site: Site): Value | undefined {
  const a = g0(q, env);
  if (a === undefined) return undefined;
  const b = g1(q, env);
  return b === undefined ? undefined : run(q, [a, b], site);
}

function call3(
  q: Query,
  env: Env,
  g0: Getter,
  g1: Getter,
  g2: Getter,
  site: Site,
): Value | undefined {
  const a = g0(q, env);
  if (a === undefined) return undefined;
  const b = g1(q, env);
  if (b === undefined) return undefined;
  const c = g2(q, env);
  return c === undefined ? undefined : run(q, [a, b, c], site);
}

function callN(q: Query, env: Env, gets: readonly Getter[], site: Site): Value | undefined {
  const args = new Array<Value>(gets.length);
  for (let i = 0; i < gets.length; i++) {
    const v = gets[i]!(q, env);
    if (v === undefined) return undefined;
    args[i] = v;
  }
  return run(q, args, site);
}

function run(q: Query, args: Value[], site: Site): Value | undefined {
  if (q.fnOverrides?.has(site.key)) return site.mocked(q, args);
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
