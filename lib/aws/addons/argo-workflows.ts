import { DNS_SUBDOMAIN_RULE, isDnsSubdomain, PropsValidator } from '../../catalog';
import { AddonProfile, resources, SERVICE_MONITOR_LABELS, spreadConstraints } from './addon-profile';
import { ARGO_HELM_REPOSITORY } from './argo-rollouts';
import { HelmChartPin } from './helm-chart-pin';

/** Argo Workflows chart 1.1.1 (2026-08-11, argo-helm release argo-workflows-1.1.1; Argo Workflows v4.1). */
export const ARGO_WORKFLOWS_CHART: HelmChartPin = { repository: ARGO_HELM_REPOSITORY, chart: 'argo-workflows', version: '1.1.1' };
export const ARGO_WORKFLOWS_NAMESPACE = 'argo';

export interface ArgoSsoOptions {
  /** OIDC issuer URL (`https://...`). */
  readonly issuer: string;
  /** Secret in the Argo Workflows namespace with keys `client-id` and `client-secret`. */
  readonly clientSecretName: string;
  /** `https://<argo server host>/oauth2/callback`, as registered with the identity provider. */
  readonly redirectUrl: string;
}

/**
 * How the Argo Server authenticates callers. `client()`: the caller's own Kubernetes token, so the
 * UI and CLI can do what the caller's RBAC allows and no more. `sso(...)`: an OIDC login, mapped to
 * service accounts by Argo's SSO RBAC. Argo's third mode, `server` (every caller acts as the
 * server's own service account), is not offered.
 */
export class ArgoServerAuth {
  public static client(): ArgoServerAuth {
    return new ArgoServerAuth('client');
  }

  public static sso(options: ArgoSsoOptions): ArgoServerAuth {
    const check = new PropsValidator('ArgoServerAuth.sso');
    check.that(typeof options?.issuer === 'string' && /^https:\/\/[^\s/]+/.test(options.issuer), 'issuer', options?.issuer, 'is not an https URL', 'give the OIDC issuer, e.g. https://login.example.com');
    check.that(typeof options.redirectUrl === 'string' && /^https:\/\/[^\s/]+\/.*oauth2\/callback$/.test(options.redirectUrl), 'redirectUrl', options.redirectUrl, 'is not an https URL ending in /oauth2/callback', 'use https://<argo server host>/oauth2/callback');
    check.that(isDnsSubdomain(options.clientSecretName), 'clientSecretName', options.clientSecretName, `is not a valid Secret name: ${DNS_SUBDOMAIN_RULE}`, 'rename it so that it follows that rule');
    return new ArgoServerAuth('sso', { ...options });
  }

  private constructor(
    public readonly mode: 'client' | 'sso',
    public readonly ssoOptions?: ArgoSsoOptions,
  ) {}
}

export interface ArgoWorkflowsValuesOptions {
  readonly profile: AddonProfile;
  readonly controllerReplicas: number;
  readonly auth: ArgoServerAuth;
  readonly serviceMonitor: boolean;
}

const RESTRICTED_CONTAINER_SECURITY_CONTEXT = {
  runAsNonRoot: true,
  allowPrivilegeEscalation: false,
  capabilities: { drop: ['ALL'] },
  seccompProfile: { type: 'RuntimeDefault' },
};

export function argoWorkflowsValues(o: ArgoWorkflowsValuesOptions): Record<string, unknown> {
  const ha = o.profile.highAvailability;
  return {
    crds: { install: true, keep: true },
    // ModelPipeline gives each pipeline its own ServiceAccount and Role beside its WorkflowTemplate.
    // The chart's per-namespace Role would be unused, and its namespaces (the serving ones, which
    // GitOps creates after this apply) do not exist yet: creating a Role there fails the install.
    workflow: { rbac: { create: false } },
    // Argo injects its own init and wait containers into every workflow pod; the serving
    // namespaces enforce Pod Security "restricted", so they must meet it too (ModelPipeline's
    // podSpecPatch does the same per template; this also covers pods that do not set it).
    executor: { securityContext: RESTRICTED_CONTAINER_SECURITY_CONTEXT },
    mainContainer: { securityContext: RESTRICTED_CONTAINER_SECURITY_CONTEXT },
    controller: {
      replicas: o.controllerReplicas,
      pdb: o.controllerReplicas > 1 ? { enabled: true, maxUnavailable: 1 } : { enabled: false },
      resources: resources('100m', '256Mi', '1', '1Gi'),
      nodeSelector: { ...o.profile.nodeSelector },
      topologySpreadConstraints: spreadConstraints(o.profile, { 'app.kubernetes.io/component': 'workflow-controller' }),
      logging: { format: 'json' },
      metricsConfig: { enabled: o.serviceMonitor },
      serviceMonitor: { enabled: o.serviceMonitor, additionalLabels: { ...SERVICE_MONITOR_LABELS } },
    },
    server: {
      enabled: true,
      authModes: [o.auth.mode],
      ...(o.auth.ssoOptions
        ? {
          sso: {
            enabled: true,
            issuer: o.auth.ssoOptions.issuer,
            clientId: { name: o.auth.ssoOptions.clientSecretName, key: 'client-id' },
            clientSecret: { name: o.auth.ssoOptions.clientSecretName, key: 'client-secret' },
            redirectUrl: o.auth.ssoOptions.redirectUrl,
            // Logins map to service accounts by their annotations, not to the server's account.
            rbac: { enabled: true },
          },
        }
        : {}),
      replicas: o.profile.replicas,
      pdb: ha ? { enabled: true, maxUnavailable: 1 } : { enabled: false },
      resources: resources('50m', '128Mi', '500m', '512Mi'),
      nodeSelector: { ...o.profile.nodeSelector },
      topologySpreadConstraints: spreadConstraints(o.profile, { 'app.kubernetes.io/component': 'server' }),
      // ClusterIP only: reach it through kubectl port-forward or your own authenticated ingress.
      serviceType: 'ClusterIP',
      logging: { format: 'json' },
    },
  };
}
