/**
 * What the TorchServe preset mounts at SERVER_CONFIG_DIR, with the keys of TorchServe 0.12's
 * ConfigManager (pytorch/serve, frontend/server/src/main/java/org/pytorch/serve/util/ConfigManager.java).
 */

/** The name the preset registers the archive under: `/predictions/model`. */
export const TORCHSERVE_MODEL_NAME = 'model';
/** Management API: the startup probe's `GET /models/model`. */
export const TORCHSERVE_MANAGEMENT_PORT = 8081;

/**
 * - Management on all addresses so that the kubelet's probe (rewritten by Istio to the pod's IP)
 *   reaches it; the pod's NetworkPolicy admits no caller to 8081, and with the model API off
 *   (`enable_model_api=false`, TorchServe's default) it can only describe, never register or
 *   delete models.
 * - Token authorization off: the mesh authenticates callers (mTLS, and `auth` when set).
 * - Prometheus metrics on the metrics port, not in the log.
 * - No per-model `pip install` at load time: the pod has no route to PyPI.
 */
const CONFIG_PROPERTIES = [
  'inference_address=http://0.0.0.0:8080',
  `management_address=http://0.0.0.0:${TORCHSERVE_MANAGEMENT_PORT}`,
  'metrics_address=http://0.0.0.0:8082',
  'grpc_inference_port=7070',
  'grpc_management_port=7071',
  'enable_model_api=false',
  'disable_token_authorization=true',
  'enable_envvars_config=false',
  'metrics_mode=prometheus',
  'install_py_dep_per_model=false',
].join('\n') + '\n';

/** Every log to stdout (the default config writes rolling files under the read-only image). */
const LOG4J2_XML = `<?xml version="1.0" encoding="UTF-8"?>
<Configuration>
  <Appenders>
    <Console name="STDOUT" target="SYSTEM_OUT">
      <PatternLayout pattern="%d{ISO8601} [%-5p] %t %c - %m%n"/>
    </Console>
  </Appenders>
  <Loggers>
    <Root level="info">
      <AppenderRef ref="STDOUT"/>
    </Root>
  </Loggers>
</Configuration>
`;

export const TORCHSERVE_CONFIG_FILES: Readonly<Record<string, string>> = Object.freeze({
  'config.properties': CONFIG_PROPERTIES,
  'log4j2.xml': LOG4J2_XML,
});
