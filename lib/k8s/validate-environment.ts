import { isConfigKey, isDnsSubdomain, PropsValidator } from '../catalog';
import { ModelServiceProps } from './model-service-props';

const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;
/** Variables the service sets itself; a user value would silently lose. */
const RESERVED_ENV = ['MODEL_URI', 'MODEL_DIR', 'MODEL_ID', 'MODEL_VERSION', 'MODEL_CACHE_DIR', 'HOME'];

/** Environment variables, config and secrets; `serverEnv` is what the server preset sets. */
export function validateEnvironment(check: PropsValidator, props: ModelServiceProps, serverEnv: Readonly<Record<string, string>>): void {
  for (const key of Object.keys(props.env ?? {})) {
    check.that(ENV_NAME.test(key), `env["${key}"]`, key, 'is not a valid environment variable name', 'use letters, digits, "_", "-" and ".", not starting with a digit');
    check.that(!RESERVED_ENV.includes(key), `env["${key}"]`, key, 'is set by the ModelService itself', 'choose another name; the model is in MODEL_DIR (copied from MODEL_URI)');
    check.that(typeof props.env![key] === 'string', `env["${key}"]`, props.env![key], 'is not a string', 'quote numbers and booleans');
  }
  if (props.config) {
    check.that(Object.keys(props.config.data ?? {}).length > 0, 'config.data', props.config.data, 'is empty', 'give at least one key, or leave config out');
    for (const key of Object.keys(props.config.data)) {
      check.that(isConfigKey(key), `config.data["${key}"]`, key, 'is not a valid ConfigMap key', 'use letters, digits, "-", "_" and "."');
    }
    if (props.config.asEnv) validateConfigAsEnv(check, props, serverEnv);
    const mountPath = props.config.mountPath;
    check.that(mountPath === undefined || (mountPath.startsWith('/') && !['/', '/tmp', '/models', '/dev/shm'].includes(mountPath)), 'config.mountPath', mountPath, 'must be an absolute path other than /, /tmp, /models and /dev/shm', 'mount it at e.g. "/etc/model-config"');
  }
  for (const [key, ref] of Object.entries(props.secrets?.env ?? {})) {
    check.that(ENV_NAME.test(key), `secrets.env["${key}"]`, key, 'is not a valid environment variable name', 'use letters, digits, "_", "-" and "."');
    check.that(!RESERVED_ENV.includes(key) && !(key in (props.env ?? {})), `secrets.env["${key}"]`, key, 'is also set by env or by the ModelService', 'give each variable one source');
    check.that(isDnsSubdomain(ref?.secretName ?? ''), `secrets.env["${key}"].secretName`, ref?.secretName, 'is not a valid Secret name', 'use the name of an existing Secret (lowercase letters, digits, "-", ".")');
    check.that(isConfigKey(ref.key), `secrets.env["${key}"].key`, ref.key, 'is not a valid Secret key', 'use letters, digits, "-", "_" and "."');
  }
  (props.secrets?.envFrom ?? []).forEach((s, i) => check.that(isDnsSubdomain(s), `secrets.envFrom[${i}]`, s, 'is not a valid Secret name', 'use the name of an existing Secret'));
}

/**
 * With `config.asEnv` every key of the ConfigMap becomes a variable through envFrom, and Kubernetes
 * lets a variable of `env` (the service's, the user's, a Secret's) win over it without a word: one
 * name, one source.
 */
function validateConfigAsEnv(check: PropsValidator, props: ModelServiceProps, serverEnv: Readonly<Record<string, string>>): void {
  const env = props.env ?? {};
  for (const key of Object.keys(props.config!.data)) {
    const field = `config.data["${key}"]`;
    check.that(!(key in env), field, key, `is also set by env (${JSON.stringify(env[key])}), which silently wins over config.asEnv`, 'give each variable one source: remove it from env or from config.data');
    check.that(!(key in (props.secrets?.env ?? {})), field, key, 'is also set by secrets.env, which silently wins over config.asEnv', 'give each variable one source: remove it from secrets.env or from config.data');
    check.that(!RESERVED_ENV.includes(key), field, key, 'is set by the ModelService itself, which silently wins over config.asEnv', 'choose another name; the model is in MODEL_DIR (copied from MODEL_URI)');
    check.that(!(key in serverEnv), field, key, `is set by the server preset (${JSON.stringify(serverEnv[key])}), which silently wins over config.asEnv`, 'choose another name, or set it through env, which replaces the preset\'s value');
  }
}
