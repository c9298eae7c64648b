import { DNS_SUBDOMAIN_RULE, isDnsSubdomain, PropsValidator } from '../../catalog';

/**
 * Where Alertmanager sends alerts, configured through kube-prometheus-stack's values. Every
 * credential stays in a Kubernetes Secret of the monitoring namespace that you create (External
 * Secrets, Sealed Secrets, `kubectl create secret`): the Alertmanager pods mount it
 * (`alertmanagerSpec.secrets`) and the configuration names the mounted files (`*_file` fields),
 * so neither Terraform state, `helm get values` nor Git ever holds a webhook URL, key or password.
 *
 * Only fields Alertmanager 0.25 already knows are written (amtool 0.25 checks them in the tests),
 * which the pinned chart's newer Alertmanager reads unchanged.
 */

/** Severities the routes know: the library's alerts use critical and warning, kube-prometheus-stack's also info. */
export const ALERT_SEVERITIES = ['critical', 'warning', 'info'] as const;
export type AlertSeverity = (typeof ALERT_SEVERITIES)[number];

/** One key of a Kubernetes Secret in the Alertmanager's namespace. */
export interface SecretKeyRef {
  /** Name of the Secret (in MONITORING_NAMESPACE). */
  readonly secretName: string;
  /** Key in the Secret that holds the value. */
  readonly key: string;
}

/** Where Alertmanager mounts `alertmanagerSpec.secrets` (the Prometheus Operator's fixed path). */
export const ALERTMANAGER_SECRETS_DIR = '/etc/alertmanager/secrets';

export interface SlackReceiverOptions {
  /** Channel, `#name` (or a channel id); the webhook may be bound to one already. */
  readonly channel: string;
  /** The incoming-webhook URL (`https://hooks.slack.com/services/...`). */
  readonly apiUrl: SecretKeyRef;
}

export interface EmailReceiverOptions {
  /** Recipients. */
  readonly to: readonly string[];
  /** Sender address. */
  readonly from: string;
  /** SMTP server, `host:port` (e.g. `email-smtp.us-east-1.amazonaws.com:587`). STARTTLS is required. */
  readonly smarthost: string;
  /** SMTP user name (not a secret: Amazon SES SMTP credentials' user name, for example). */
  readonly username: string;
  /** SMTP password. */
  readonly password: SecretKeyRef;
}

export interface PagerDutyReceiverOptions {
  /** The Events API v2 integration (routing) key of the PagerDuty service. */
  readonly routingKey: SecretKeyRef;
}

export interface WebhookReceiverOptions {
  /** Where Alertmanager POSTs its JSON payload; https, no credentials in it. */
  readonly url: string;
  /**
   * Token sent as `Authorization: Bearer <token>`, so the receiver can tell Alertmanager from
   * anyone else on the network.
   * @default - required, unless allowUnauthenticated is set
   */
  readonly bearerToken?: SecretKeyRef;
  /**
   * Send without a token (an in-cluster receiver that checks nothing). Anyone who can reach it
   * can then forge alerts.
   * @default false
   */
  readonly allowUnauthenticated?: boolean;
}

type ReceiverKind = 'slack' | 'email' | 'pagerduty' | 'webhook';

/** A notification channel: Slack, email, PagerDuty or a generic webhook. */
export class AlertReceiver {
  public static slack(name: string, options: SlackReceiverOptions): AlertReceiver {
    const v = receiverValidator('slack', name, options);
    v.that(typeof options.channel === 'string' && /^[#@]?[a-zA-Z0-9][a-zA-Z0-9._-]{0,79}$/.test(options.channel), 'channel', options.channel, 'is not a Slack channel', 'give it as "#channel-name" or a channel id');
    const apiUrl = secretRef(v, 'apiUrl', options.apiUrl, 'the Slack incoming-webhook URL');
    return new AlertReceiver(name, 'slack', [apiUrl], (file) => ({ slack_configs: [{ api_url_file: file(apiUrl), channel: options.channel, send_resolved: true }] }));
  }

  public static email(name: string, options: EmailReceiverOptions): AlertReceiver {
    const v = receiverValidator('email', name, options);
    const address = /^[^\s@<>",]+@[^\s@<>",]+\.[^\s@<>",]+$/;
    v.that(Array.isArray(options.to) && options.to.length > 0 && options.to.every((a) => typeof a === 'string' && address.test(a)), 'to', options.to, 'is not a list of e-mail addresses', 'list the recipients, e.g. ["ml-oncall@example.com"]');
    v.that(typeof options.from === 'string' && address.test(options.from), 'from', options.from, 'is not an e-mail address', 'give the sender, e.g. "alertmanager@example.com"');
    v.that(typeof options.smarthost === 'string' && /^[a-zA-Z0-9.-]+:\d{1,5}$/.test(options.smarthost), 'smarthost', options.smarthost, 'is not host:port', 'give the SMTP server, e.g. "email-smtp.us-east-1.amazonaws.com:587"');
    v.that(typeof options.username === 'string' && options.username.length > 0, 'username', options.username, 'is not set', 'give the SMTP user name');
    const password = secretRef(v, 'password', options.password, 'the SMTP password');
    return new AlertReceiver(name, 'email', [password], (file) => ({
      email_configs: [{
        to: options.to.join(', '),
        from: options.from,
        smarthost: options.smarthost,
        auth_username: options.username,
        auth_password_file: file(password),
        require_tls: true,
        send_resolved: true,
      }],
    }));
  }

  public static pagerDuty(name: string, options: PagerDutyReceiverOptions): AlertReceiver {
    const v = receiverValidator('pagerDuty', name, options);
    const routingKey = secretRef(v, 'routingKey', options.routingKey, 'the Events API v2 integration key');
    return new AlertReceiver(name, 'pagerduty', [routingKey], (file) => ({ pagerduty_configs: [{ routing_key_file: file(routingKey), send_resolved: true }] }));
  }

  public static webhook(name: string, options: WebhookReceiverOptions): AlertReceiver {
    const v = receiverValidator('webhook', name, options);
    v.that(typeof options.url === 'string' && /^https:\/\/[^\s/@]+(\/\S*)?$/.test(options.url), 'url', options.url, 'is not an https URL without credentials', 'give the endpoint as https://host/path and the credential as bearerToken');
    const unauthenticated = options.allowUnauthenticated ?? false;
    v.that(options.bearerToken !== undefined || unauthenticated === true, 'bearerToken', options.bearerToken, 'is not set, so anyone who can reach the webhook could forge alerts', 'give { secretName, key } of the token the receiver expects, or set allowUnauthenticated: true');
    const token = options.bearerToken === undefined ? undefined : secretRef(v, 'bearerToken', options.bearerToken, 'the bearer token');
    return new AlertReceiver(name, 'webhook', token ? [token] : [], (file) => ({
      webhook_configs: [{
        url: options.url,
        send_resolved: true,
        ...(token ? { http_config: { authorization: { type: 'Bearer', credentials_file: file(token) } } } : {}),
      }],
    }));
  }

  private constructor(
    public readonly name: string,
    public readonly kind: ReceiverKind,
    /** The Secret keys it reads. */
    public readonly secrets: readonly SecretKeyRef[],
    private readonly render: (file: (ref: SecretKeyRef) => string) => Record<string, unknown>,
  ) {}

  /** Its entry in Alertmanager's `receivers`. */
  public toConfig(): Record<string, unknown> {
    return { name: this.name, ...this.render((ref) => `${ALERTMANAGER_SECRETS_DIR}/${ref.secretName}/${ref.key}`) };
  }
}

const RECEIVER_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_-]{0,62}$/;

function receiverValidator(factory: string, name: string, options: object | undefined): PropsValidator {
  const v = new PropsValidator(`AlertReceiver.${factory}(${typeof name === 'string' ? name : ''})`);
  v.that(typeof name === 'string' && RECEIVER_NAME.test(name) && name !== 'null', 'name', name, 'is not a receiver name (letters, digits, "-" and "_", at most 63, not "null")', 'name it after the channel, e.g. "ml-oncall"');
  v.that(typeof options === 'object' && options !== null, 'options', options, 'are not set', 'pass the channel\'s options');
  return v;
}

function secretRef(v: PropsValidator, field: string, given: SecretKeyRef | undefined, what: string): SecretKeyRef {
  v.that(
    typeof given === 'object' && given !== null,
    field,
    given,
    `is not set: ${what} must come from a Kubernetes Secret`,
    `give { secretName, key } of a Secret in the monitoring namespace holding ${what}; never the value itself`,
  );
  const ref = given as SecretKeyRef;
  v.that(typeof ref.secretName === 'string' && isDnsSubdomain(ref.secretName), `${field}.secretName`, ref.secretName, `is not a Secret name: ${DNS_SUBDOMAIN_RULE}`, 'name the Secret in the monitoring namespace, e.g. "alertmanager-receivers"');
  v.that(typeof ref.key === 'string' && /^[-._a-zA-Z0-9]{1,253}$/.test(ref.key), `${field}.key`, ref.key, 'is not a Secret key (letters, digits, "-", "_" and ".")', 'give the key that holds the value, e.g. "slack-webhook-url"');
  return { secretName: ref.secretName, key: ref.key };
}
