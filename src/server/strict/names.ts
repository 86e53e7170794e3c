// The strict servers' names, apart from their code: the CLI lists them in --help without loading any server.
export const STRICT_NAMES = ['kserve-sklearn', 'mlserver', 'triton', 'tf-serving-keras', 'mlflow', 'cml-record', 'cml-registry'] as const;
export type StrictName = (typeof STRICT_NAMES)[number];

export function isStrictName(name: string): name is StrictName {
  return (STRICT_NAMES as readonly string[]).includes(name);
}
