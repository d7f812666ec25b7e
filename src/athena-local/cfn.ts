/**
 * A small resolver of CloudFormation intrinsic functions, enough to turn the synthesized template's
 * definitions into the values CloudFormation would send to the APIs: Ref (of resources and pseudo
 * parameters), Fn::GetAtt, Fn::Join, Fn::Sub, Fn::Select and Fn::Split. Anything else fails loudly.
 */
export interface CfnEnvironment {
  readonly accountId: string;
  readonly region: string;
  readonly stackName?: string;
  /** What `{ Ref: logicalId }` resolves to (a bucket's name, a queue's URL, ...). */
  readonly refs: Readonly<Record<string, string>>;
  /** What `{ Fn::GetAtt: [logicalId, attribute] }` resolves to, keyed `logicalId.attribute`. */
  readonly attributes: Readonly<Record<string, string>>;
}

export class UnresolvableError extends Error {}

export function resolveCfn(value: unknown, env: CfnEnvironment): unknown {
  if (Array.isArray(value)) return value.map((item) => resolveCfn(item, env));
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value as Record<string, unknown>);
  const [first] = entries;
  if (entries.length === 1 && first && (first[0] === 'Ref' || first[0].startsWith('Fn::')))
    return intrinsic(first[0], first[1], env);
  return Object.fromEntries(entries.map(([key, item]) => [key, resolveCfn(item, env)]));
}

function intrinsic(name: string, argument: unknown, env: CfnEnvironment): unknown {
  switch (name) {
    case 'Ref':
      return ref(String(argument), env);
    case 'Fn::GetAtt': {
      const [logicalId, attribute] = Array.isArray(argument) ? argument : String(argument).split('.');
      return lookup(env.attributes, `${String(logicalId)}.${String(attribute)}`, 'Fn::GetAtt');
    }
    case 'Fn::Join': {
      const [separator, items] = argument as [string, unknown[]];
      return (resolveCfn(items, env) as unknown[]).map(String).join(separator);
    }
    case 'Fn::Select': {
      const [index, items] = argument as [unknown, unknown];
      return (resolveCfn(items, env) as unknown[])[Number(resolveCfn(index, env))];
    }
    case 'Fn::Split': {
      const [separator, text] = argument as [string, unknown];
      return String(resolveCfn(text, env)).split(separator);
    }
    case 'Fn::Sub': {
      const [template, variables] = (Array.isArray(argument) ? argument : [argument, {}]) as [
        string,
        Record<string, unknown>,
      ];
      return template.replace(/\$\{([^}!][^}]*)\}/g, (_match, variable: string) => {
        if (variable in variables) return String(resolveCfn(variables[variable], env));
        if (variable.includes('.')) return lookup(env.attributes, variable, 'Fn::Sub');
        return ref(variable, env);
      });
    }
    default:
      throw new UnresolvableError(`${name} is not supported by the local resolver`);
  }
}

function ref(name: string, env: CfnEnvironment): string {
  switch (name) {
    case 'AWS::AccountId':
      return env.accountId;
    case 'AWS::Region':
      return env.region;
    case 'AWS::Partition':
      return 'aws';
    case 'AWS::URLSuffix':
      return 'amazonaws.com';
    case 'AWS::StackName':
      return env.stackName ?? 'SparkifyLake';
    default:
      return lookup(env.refs, name, 'Ref');
  }
}

function lookup(values: Readonly<Record<string, string>>, key: string, what: string): string {
  const value = values[key];
  if (value === undefined) throw new UnresolvableError(`${what} ${key}: no local value for it`);
  return value;
}
