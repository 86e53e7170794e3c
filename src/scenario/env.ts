// `${VAR}` in scenario values (target.headers, target.accessKey) is replaced from the environment. The parts are
// kept apart so a check on the result can say which variable brought a bad character in, without printing it.
import type { Checker } from './check.js';
import type { Path } from './errors.js';

const ENV_REF = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

interface Expanded {
  value: string;
  /** The variables substituted, in order, with their values (never print these: they are usually secrets). */
  vars: { name: string; value: string }[];
  /** The text written in the scenario, around the references. */
  literal: string;
}

/** `${VAR}` from the environment; a variable that is not set is a problem naming where it was used. */
export function expandEnv(value: string, path: Path, env: NodeJS.ProcessEnv, chk: Checker): Expanded {
  const vars: Expanded['vars'] = [];
  const expanded = value.replace(ENV_REF, (whole, name: string) => {
    const v = env[name];
    if (v === undefined) {
      chk.add(path, `uses \${${name}}, but the environment variable ${name} is not set`);
      return whole;
    }
    vars.push({ name, value: v });
    return v;
  });
  return { value: expanded, vars, literal: value.replace(ENV_REF, '') };
}

export const substituteEnv = (value: string, path: Path, env: NodeJS.ProcessEnv, chk: Checker): string => expandEnv(value, path, env, chk).value;
