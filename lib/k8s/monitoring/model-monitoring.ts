import { ApiObject, Chart, Yaml } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { DNS_LABEL, DNS_LABEL_RULE, PropsValidator } from '../../catalog';
import { TRACK_LABEL } from '../labels';
import { alertRules } from './alert-rules';
import { AlertThresholds, validateAlertThresholds } from './alert-thresholds';
import { LOKI_RULE_FOLDER_ANNOTATION, LOKI_RULE_LABEL, logAlertRuleGroup } from './log-alert-rules';
import { checkConstructProps } from '../../catalog/props-check';

/**
 * Where Prometheus finds the Istio workload certificates, as in Istio's Prometheus integration
 * ("TLS settings"): the Prometheus pod gets an Istio sidecar that only provisions certificates
 * (annotations `sidecar.istio.io/inject: "true"`, `traffic.sidecar.istio.io/includeInboundPorts: ""`,
 * `traffic.sidecar.istio.io/includeOutboundIPRanges: ""`, `proxy.istio.io/config` with
 * `proxyMetadata.OUTPUT_CERTS: /etc/istio-output-certs`, and `sidecar.istio.io/userVolumeMount`
 * of an in-memory emptyDir there), and the Prometheus container mounts the same emptyDir at this
 * path (kube-prometheus-stack: `prometheus.prometheusSpec.volumes` / `volumeMounts`).
 */
export const ISTIO_PROMETHEUS_CERTS_DIR = '/etc/prom-certs';

export interface ModelMonitoringProps {
  /** Name of the model's Service: the ServiceMonitor's target and Istio's `destination_service_name`. */
  readonly serviceName: string;
  /**
   * Namespace of the Service and of the objects created here.
   * @default - the chart's namespace, else "default"
   */
  readonly namespace?: string;
  /** Labels of the Service to scrape (the ServiceMonitor's selector). */
  readonly selectorLabels: Readonly<Record<string, string>>;
  /** Name of the Service port that serves metrics. */
  readonly metricsPortName: string;
  /**
   * Path of the metrics endpoint.
   * @default '/metrics'
   */
  readonly metricsPath?: string;
  /**
   * Deployments of the service (one per track); the CPU and memory alerts watch their pods.
   */
  readonly deploymentNames: readonly string[];
  /** Model registry id: a label (`model_id`) of every alert, and named in its summary. */
  readonly modelId: string;
  /**
   * HTTP statuses with which the server says it has no model (a version that failed to load
   * answers them to every request): the error-rate alert counts them with 5xx.
   * @default - none
   */
  readonly modelMissingStatusCodes?: readonly number[];
  /**
   * When the alerts fire.
   * @default DEFAULT_ALERT_THRESHOLDS
   */
  readonly thresholds?: AlertThresholds;
  /**
   * How often Prometheus scrapes the metrics.
   * @default 30
   */
  readonly scrapeIntervalSeconds?: number;
  /**
   * Scrape over the mesh's mutual TLS, with the Istio certificates mounted in the Prometheus pod
   * at ISTIO_PROMETHEUS_CERTS_DIR. Needed when the namespace runs STRICT mTLS, where the model's
   * sidecar refuses plain-text scrapes. `false` scrapes over plain HTTP (a metrics port excluded
   * from mTLS, or no mesh).
   * @default true
   */
  readonly scrapeOverIstioMtls?: boolean;
  /**
   * A Prometheus Operator scrape class (`Prometheus.spec.scrapeClasses`) that carries the Istio
   * TLS settings. When set, the ServiceMonitor names it instead of listing certificate files
   * itself; use it when the Prometheus denies file access from ServiceMonitors
   * (`arbitraryFSAccessThroughSMs.deny`).
   * @default - the TLS files are listed in the ServiceMonitor
   */
  readonly scrapeClass?: string;
  /**
   * Labels of both objects. Add the ones your Prometheus selects ServiceMonitors and
   * PrometheusRules by (kube-prometheus-stack: `release: <helm release>`).
   * @default - none
   */
  readonly labels?: Readonly<Record<string, string>>;
}

/**
 * Prometheus Operator objects for one model service: a ServiceMonitor that scrapes the model
 * server's metrics through the mesh, and a PrometheusRule with latency, error rate, CPU, memory and
 * model staleness alerts.
 */
export class ModelMonitoring extends Construct {
  public readonly namespace: string;
  public readonly serviceMonitor: ApiObject;
  public readonly prometheusRule: ApiObject;
  /** The Loki ruler's alert on the service's error logs (`<service>-log-alerts`, loaded by the Loki chart's rules sidecar). */
  public readonly logAlerts: kplus.ConfigMap;

  constructor(scope: Construct, id: string, props: ModelMonitoringProps) {
    checkConstructProps(ModelMonitoring, scope, id, props);
    super(scope, id);
    const check = new PropsValidator(this.node.path);
    validateModelMonitoringProps(check, props);
    const namespace = props.namespace ?? Chart.of(this).namespace ?? 'default';
    check.matches('namespace', namespace, DNS_LABEL, DNS_LABEL_RULE);
    this.namespace = namespace;
    const metadata = { name: props.serviceName, namespace, ...(props.labels ? { labels: { ...props.labels } } : {}) };

    const mtls = props.scrapeOverIstioMtls ?? true;
    const tls = !mtls || props.scrapeClass
      ? {}
      : {
        tlsConfig: {
          caFile: `${ISTIO_PROMETHEUS_CERTS_DIR}/root-cert.pem`,
          certFile: `${ISTIO_PROMETHEUS_CERTS_DIR}/cert-chain.pem`,
          keyFile: `${ISTIO_PROMETHEUS_CERTS_DIR}/key.pem`,
          // Istio workload certificates name a SPIFFE identity, not a DNS name, so the host name
          // cannot be verified; the client certificate still authenticates Prometheus to the
          // sidecar. This is Istio's documented setting.
          insecureSkipVerify: true,
        },
      };
    this.serviceMonitor = new ApiObject(this, 'service-monitor', {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'ServiceMonitor',
      metadata,
      spec: {
        selector: { matchLabels: { ...props.selectorLabels } },
        namespaceSelector: { matchNames: [namespace] },
        // Metrics carry the model version and track of the pod that served them.
        podTargetLabels: ['version', TRACK_LABEL],
        ...(props.scrapeClass ? { scrapeClass: props.scrapeClass } : {}),
        endpoints: [
          {
            port: props.metricsPortName,
            path: props.metricsPath ?? '/metrics',
            interval: `${props.scrapeIntervalSeconds ?? 30}s`,
            scheme: mtls ? 'https' : 'http',
            ...tls,
          },
        ],
      },
    });

    this.prometheusRule = new ApiObject(this, 'prometheus-rule', {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'PrometheusRule',
      metadata,
      spec: {
        groups: [
          {
            name: `modelserve.${namespace}.${props.serviceName}`,
            rules: alertRules({
              serviceName: props.serviceName,
              namespace,
              modelId: props.modelId,
              deploymentNames: props.deploymentNames,
              modelMissingStatusCodes: props.modelMissingStatusCodes,
              thresholds: props.thresholds,
            }),
          },
        ],
      },
    });

    const logRules = logAlertRuleGroup({ serviceName: props.serviceName, namespace, modelId: props.modelId, thresholds: props.thresholds });
    this.logAlerts = new kplus.ConfigMap(this, 'log-alerts', {
      metadata: {
        name: `${props.serviceName}-log-alerts`,
        namespace,
        labels: { ...props.labels, ...LOKI_RULE_LABEL },
        annotations: { ...LOKI_RULE_FOLDER_ANNOTATION },
      },
      // Unique over the cluster: the sidecar writes every namespace's files into one folder.
      data: { [`modelserve-${namespace}-${props.serviceName}.yaml`]: Yaml.stringify({ groups: [logRules] }) },
    });
  }
}

function validateModelMonitoringProps(check: PropsValidator, props: ModelMonitoringProps): void {
  check.that(typeof props === 'object' && props !== null, 'props', props, 'are not set', 'pass { serviceName, selectorLabels, metricsPortName, deploymentNames, modelId }');
  check.that(typeof props.serviceName === 'string', 'serviceName', props.serviceName, 'is not set', 'give the name of the model\'s Service');
  check.matches('serviceName', props.serviceName, DNS_LABEL, DNS_LABEL_RULE);
  check.that(
    typeof props.selectorLabels === 'object' && props.selectorLabels !== null && Object.keys(props.selectorLabels).length > 0,
    'selectorLabels',
    props.selectorLabels,
    'is empty, which would scrape every Service in the namespace',
    'pass the labels of the model\'s Service',
  );
  check.that(
    typeof props.metricsPortName === 'string' && /^[a-z0-9]([-a-z0-9]{0,13}[a-z0-9])?$/.test(props.metricsPortName) && /[a-z]/.test(props.metricsPortName),
    'metricsPortName',
    props.metricsPortName,
    'is not a Service port name (lowercase letters, digits and "-", at most 15 characters, at least one letter)',
    'give the name of the Service port that serves metrics, e.g. "http-metrics"',
  );
  const path = props.metricsPath;
  check.that(path === undefined || (typeof path === 'string' && /^\/[^\s?#]*$/.test(path)), 'metricsPath', path, 'must be a path starting with "/" without spaces, query or fragment', 'give the path of the metrics endpoint, e.g. "/metrics"');
  check.that(Array.isArray(props.deploymentNames) && props.deploymentNames.length > 0, 'deploymentNames', props.deploymentNames, 'is empty', 'pass the names of the service\'s Deployments, one per track');
  props.deploymentNames.forEach((d, i) =>
    check.that(typeof d === 'string' && d.length <= 253 && /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(d), `deploymentNames[${i}]`, d, 'is not a Deployment name', 'pass the names of the service\'s Deployments'),
  );
  check.that(
    typeof props.modelId === 'string' && props.modelId.length > 0 && !/[{}"\\\n\r]/.test(props.modelId),
    'modelId',
    props.modelId,
    'is empty or contains {, }, ", \\ or a line break, which would break the alert labels and templates',
    'use the model registry id, e.g. "model_abc123"',
  );
  check.integerInRange('scrapeIntervalSeconds', props.scrapeIntervalSeconds, 5, 3600, 'scrape every 5 to 3600 seconds; 30 is usual');
  const codes = props.modelMissingStatusCodes;
  if (codes !== undefined) {
    check.that(Array.isArray(codes) && codes.every((c) => Number.isInteger(c) && c >= 400 && c <= 499), 'modelMissingStatusCodes', codes, 'must list 4xx HTTP statuses', 'list the statuses the server answers when it has no model, e.g. [404]');
  }
  if (props.scrapeClass !== undefined) {
    check.matches('scrapeClass', props.scrapeClass, /^[a-zA-Z0-9][-a-zA-Z0-9_.]*$/, 'letters, digits, "-", "_" and ".", as the name in Prometheus.spec.scrapeClasses');
  }
  validateAlertThresholds(check, props.thresholds, 'thresholds');
}
