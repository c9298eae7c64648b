import { readFileSync, writeFileSync } from 'node:fs';
import { App, S3Backend, TerraformStack, Testing } from 'cdktf';
import { NodePools } from '../../../lib/catalog';
import { ModelServePlatform } from '../../../lib/aws/model-serve-platform';
import { PlatformAddons } from '../../../lib/aws/addons/platform-addons';
import { expectRejectedBeforeSynth } from '../../support/aws-stack';
import { productionStacks } from '../../../examples/platform/production';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { AlertReceiver } from '../../../lib/aws/addons/alert-routing';
import { alertmanagerConfig, AlertRoutingOptions } from '../../../lib/aws/addons/alertmanager-config';
import { kubePrometheusStackValues } from '../../../lib/aws/addons/prometheus-stack';
import { AlertmanagerServer } from '../../support/engine-servers';
import { describeWith, requireEngines, run, tempDir } from '../../support/engines';
import { rejectionOf } from '../../support/validation';

const SECRET = 'alertmanager-receivers';
const ref = (key: string) => ({ secretName: SECRET, key });

/** Every kind of receiver, as the README shows them. */
const ROUTING: AlertRoutingOptions = {
  receivers: [
    AlertReceiver.pagerDuty('ml-oncall', { routingKey: ref('pagerduty-routing-key') }),
    AlertReceiver.slack('ml-alerts', { channel: '#ml-alerts', apiUrl: ref('slack-webhook-url') }),
    AlertReceiver.email('ml-team', { to: ['ml-team@example.com'], from: 'alertmanager@example.com', smarthost: 'email-smtp.us-east-1.amazonaws.com:587', username: 'AKIAEXAMPLE', password: ref('smtp-password') }),
    AlertReceiver.webhook('incidents', { url: 'https://incidents.example.com/hooks/alertmanager', bearerToken: { secretName: 'incident-bot', key: 'token' } }),
  ],
  routes: { critical: ['ml-oncall', 'ml-alerts'], warning: ['ml-alerts'], info: ['ml-team'] },
  services: [{ namespace: 'models-production', service: 'ocr', routes: { warning: ['ml-team', 'incidents'] } }],
};

const config = () => alertmanagerConfig(ROUTING);

describe('alert routing: what is rendered', () => {
  test('credentials are files of the mounted Secrets, never values', () => {
    const c = config() as any;
    const receivers = Object.fromEntries(c.receivers.map((r: any) => [r.name, r]));
    expect(receivers['ml-oncall'].pagerduty_configs).toEqual([{ routing_key_file: `/etc/alertmanager/secrets/${SECRET}/pagerduty-routing-key`, send_resolved: true }]);
    expect(receivers['ml-alerts'].slack_configs).toEqual([{ api_url_file: `/etc/alertmanager/secrets/${SECRET}/slack-webhook-url`, channel: '#ml-alerts', send_resolved: true }]);
    expect(receivers['ml-team'].email_configs[0]).toMatchObject({ to: 'ml-team@example.com', auth_password_file: `/etc/alertmanager/secrets/${SECRET}/smtp-password`, require_tls: true });
    expect(receivers.incidents.webhook_configs[0].http_config).toEqual({ authorization: { type: 'Bearer', credentials_file: '/etc/alertmanager/secrets/incident-bot/token' } });
    expect(JSON.stringify(c)).not.toMatch(/api_url"|routing_key"|auth_password"|service_key"/);
  });

  test('kube-prometheus-stack mounts each Secret once and carries the configuration', () => {
    const values = kubePrometheusStackValues({ environment: 'production', alerting: ROUTING }) as any;
    expect(values.alertmanager.alertmanagerSpec.secrets).toEqual(['alertmanager-receivers', 'incident-bot']);
    expect(values.alertmanager.config).toEqual(config());
    const without = kubePrometheusStackValues({ environment: 'production' }) as any;
    expect(without.alertmanager.config).toBeUndefined();
    expect(without.alertmanager.alertmanagerSpec.secrets).toBeUndefined();
  });

  test('Helm\'s merge with the chart\'s default configuration leaves exactly ours (every default key is set)', () => {
    const chartDefault = parse(readFileSync(join(__dirname, '..', '..', 'fixtures', 'kube-prometheus-stack-alertmanager-config.yaml'), 'utf8'));
    expect(helmMerge(chartDefault, config())).toEqual(config());
  });

  test('a critical alert of a service mutes that service\'s warnings; the chart\'s own inhibitions stay', () => {
    const rules = (config() as any).inhibit_rules;
    expect(rules[0]).toEqual({ source_matchers: ['severity = "critical"', 'service =~ ".+"'], target_matchers: ['severity =~ "warning|info"'], equal: ['namespace', 'service'] });
    expect(rules).toHaveLength(5);
  });
});

/** Helm's coalescing of user values over chart defaults: maps merge key by key, anything else is replaced. */
function helmMerge(base: unknown, over: unknown): unknown {
  if (isMap(base) && isMap(over)) {
    const out: Record<string, unknown> = { ...base };
    for (const [k, v] of Object.entries(over)) out[k] = k in base ? helmMerge(base[k], v) : v;
    return out;
  }
  return over;
}

function isMap(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

describe('alert routing: bad input is refused before anything is written', () => {
  test('a receiver without its secret', () => {
    expect(rejectionOf(() => AlertReceiver.slack('ml-alerts', { channel: '#ml-alerts' } as never))).toBe(
      'AlertReceiver.slack(ml-alerts): apiUrl (not set) is not set: the Slack incoming-webhook URL must come from a Kubernetes Secret; give { secretName, key } of a Secret in the monitoring namespace holding the Slack incoming-webhook URL; never the value itself',
    );
    expect(rejectionOf(() => AlertReceiver.pagerDuty('oncall', { routingKey: 'R0123456789' } as never))).toMatch(/^AlertReceiver\.pagerDuty\(oncall\): routingKey \("R0123456789"\) is not set: the Events API v2 integration key must come from a Kubernetes Secret/);
    expect(rejectionOf(() => AlertReceiver.webhook('hook', { url: 'https://hooks.example.com/x' }))).toBe(
      'AlertReceiver.webhook(hook): bearerToken (not set) is not set, so anyone who can reach the webhook could forge alerts; give { secretName, key } of the token the receiver expects, or set allowUnauthenticated: true',
    );
    expect(rejectionOf(() => AlertReceiver.webhook('hook', { url: 'https://user:pw@hooks.example.com/x', allowUnauthenticated: true }))).toMatch(/url \("https:\/\/user:pw@hooks\.example\.com\/x"\) is not an https URL without credentials/);
  });

  test('an unknown severity', () => {
    expect(rejectionOf(() => alertmanagerConfig({ ...ROUTING, routes: { critical: ['ml-oncall'], page: ['ml-alerts'] } as never }, 'platform/addons/prometheus'))).toBe(
      'platform/addons/prometheus: alerting.routes.page (["ml-alerts"]) is not a severity the alerts carry; use critical, warning, info',
    );
    expect(rejectionOf(() => alertmanagerConfig({ ...ROUTING, services: [{ namespace: 'models-production', service: 'ocr', routes: { error: ['ml-team'] } as never }] }))).toMatch(/^alertmanagerConfig: alerting\.services\[0\]\.routes\.error/);
  });

  test('a route to a receiver that does not exist, nothing that pages, two receivers of one name', () => {
    expect(rejectionOf(() => alertmanagerConfig({ ...ROUTING, routes: { critical: ['pagerduty'] } }))).toBe(
      'alertmanagerConfig: alerting.routes.critical ("pagerduty") is not one of the receivers; use one of ml-oncall, ml-alerts, ml-team, incidents, or add an AlertReceiver named "pagerduty"',
    );
    expect(rejectionOf(() => alertmanagerConfig({ ...ROUTING, routes: { warning: ['ml-alerts'] } }))).toMatch(/alerting\.routes\.critical \(not set\) lists no receiver, so nothing would page/);
    expect(rejectionOf(() => alertmanagerConfig({ ...ROUTING, receivers: [...ROUTING.receivers, AlertReceiver.slack('ml-alerts', { channel: '#other', apiUrl: ref('other') })] }))).toMatch(/alerting\.receivers \("ml-alerts"\) names two receivers the same/);
  });

  test('through the add-ons\' options: refused, and no file written', () => {
    expectRejectedBeforeSynth((addonsStack: TerraformStack) => {
      const platformStack = new TerraformStack(addonsStack.node.root as App, 'platform');
      new S3Backend(platformStack, { bucket: 'state', key: 'platform.tfstate', region: 'us-east-1', encrypt: true });
      const platform = new ModelServePlatform(platformStack, 'platform', {
        name: 'modelserve',
        environment: 'production',
        region: 'us-east-1',
        nodePools: [NodePools.general(), NodePools.gpu({ gpu: 'T4' })],
        cluster: { publicEndpointCidrs: ['198.51.100.0/24'] },
      });
      new S3Backend(addonsStack, { bucket: 'state', key: 'addons.tfstate', region: 'us-east-1', encrypt: true });
      new PlatformAddons(addonsStack, 'addons', {
        cluster: platform.cluster,
        prometheus: { alerting: { ...ROUTING, routes: { critical: ['ml-oncall'], urgent: ['ml-alerts'] } as never } },
      });
    }, /alerting\.routes\.urgent \(\["ml-alerts"\]\) is not a severity the alerts carry; use critical, warning, info$/);
  });

  test('through kubePrometheusStackValues, at the caller\'s path', () => {
    expect(rejectionOf(() => kubePrometheusStackValues({ environment: 'production', path: 'platform/addons/prometheus', alerting: { ...ROUTING, repeatIntervalHours: 0 } }))).toMatch(/^platform\/addons\/prometheus: alerting\.repeatIntervalHours \(0\) must be a whole number from 1 to 168/);
  });
});

const engines = requireEngines('amtool', 'alertmanager');

/** The Alertmanager configuration of the platform example's production stack, as its Helm release carries it. */
function exampleValues(): any {
  const [, addonsStack] = productionStacks(Testing.app());
  const out = JSON.parse(Testing.synth(addonsStack));
  const release = Object.values(out.resource.helm_release as Record<string, { chart: string; values: string[] }>).find((r) => r.chart === 'kube-prometheus-stack')!;
  return JSON.parse(release.values[0]);
}

function withConfigFile<T>(use: (file: string, dir: string) => T, rendered: unknown = config()): T {
  const dir = tempDir('amtool');
  try {
    const file = join(dir.path, 'alertmanager.yml');
    writeFileSync(file, stringify(rendered));
    return use(file, dir.path);
  } finally {
    dir.remove();
  }
}

describeWith(engines)('alert routing: amtool and a running Alertmanager', () => {
  test('amtool check-config accepts the rendered configuration', () => {
    const r = withConfigFile((file) => run(engines!.amtool, ['check-config', file]));
    expect(`${r.stdout}${r.stderr}`).toMatch(/SUCCESS[\s\S]*5 receivers/);
    expect(r.status).toBe(0);
  });

  test('the platform example routes by severity to its placeholder receivers, and amtool accepts it', () => {
    const values = exampleValues();
    expect(values.alertmanager.alertmanagerSpec.secrets).toEqual(['alertmanager-receivers']);
    const example = values.alertmanager.config;
    expect(withConfigFile((file) => run(engines!.amtool, ['check-config', file]).status, example)).toBe(0);
    const route = (...labels: string[]) => withConfigFile((file) => run(engines!.amtool, ['config', 'routes', 'test', `--config.file=${file}`, ...labels]).stdout.trim(), example);
    expect(route('severity=critical', 'service=resnet', 'namespace=models-production')).toBe('ml-oncall,ml-alerts');
    expect(route('severity=warning', 'service=resnet', 'namespace=models-production')).toBe('ml-alerts');
  });

  test('amtool routes each alert by severity and service', () => {
    const route = (...labels: string[]) => withConfigFile((file) => run(engines!.amtool, ['config', 'routes', 'test', `--config.file=${file}`, ...labels]).stdout.trim());
    expect(route('severity=critical', 'namespace=models-production', 'service=resnet')).toBe('ml-oncall,ml-alerts');
    expect(route('severity=warning', 'namespace=models-production', 'service=resnet')).toBe('ml-alerts');
    expect(route('severity=info', 'namespace=models-production', 'service=resnet')).toBe('ml-team');
    // ocr's own warning route; its critical alerts follow the severity routes.
    expect(route('severity=warning', 'namespace=models-production', 'service=ocr')).toBe('ml-team,incidents');
    expect(route('severity=critical', 'namespace=models-production', 'service=ocr')).toBe('ml-oncall,ml-alerts');
    expect(route('alertname=Watchdog', 'severity=none')).toBe('null');
    // No severity at all: the default receiver, never dropped.
    expect(route('alertname=SomethingElse')).toBe('ml-alerts');
  });

  let alertmanager: AlertmanagerServer | undefined;
  afterAll(async () => {
    await alertmanager?.stop();
  });

  test('a running Alertmanager mutes a service\'s warnings under its critical alert, and the README\'s amtool silence mutes a service', async () => {
    alertmanager = await AlertmanagerServer.start(engines!.alertmanager, stringify(config()));
    const alert = (alertname: string, severity: string, service: string) => ({ labels: { alertname, severity, namespace: 'models-production', service, model_id: `${service}-model` } });
    await alertmanager.post([
      alert('ModelServeErrorRateHigh', 'critical', 'resnet'),
      alert('ModelServeLatencyP99High', 'warning', 'resnet'),
      alert('ModelServeLatencyP99High', 'warning', 'ocr'),
    ]);
    const state = async (alertname: string, service: string) => {
      const found = (await alertmanager!.alerts()).find((a) => a.labels.alertname === alertname && a.labels.service === service);
      return found && { state: found.status.state, inhibited: found.status.inhibitedBy.length > 0, silenced: found.status.silencedBy.length > 0 };
    };
    // Alertmanager's inhibitor and silencer mark alerts asynchronously: on a busy machine the first
    // answer can predate the mark. Ask again until it settles on the expected state, or give up.
    const settled = async (alertname: string, service: string, expected: Awaited<ReturnType<typeof state>>) => {
      let last = await state(alertname, service);
      for (const deadline = Date.now() + 15_000; JSON.stringify(last) !== JSON.stringify(expected) && Date.now() < deadline;) {
        await new Promise((r) => setTimeout(r, 200));
        last = await state(alertname, service);
      }
      return last;
    };
    expect(await settled('ModelServeLatencyP99High', 'resnet', { state: 'suppressed', inhibited: true, silenced: false })).toEqual({ state: 'suppressed', inhibited: true, silenced: false });
    expect(await state('ModelServeErrorRateHigh', 'resnet')).toEqual({ state: 'active', inhibited: false, silenced: false });
    expect(await state('ModelServeLatencyP99High', 'ocr')).toEqual({ state: 'active', inhibited: false, silenced: false });

    // The maintenance-window silence, as the README writes it.
    const silence = run(engines!.amtool, ['silence', 'add', `--alertmanager.url=${alertmanager.url}`, 'namespace=models-production', 'service=ocr', '--duration=2h', '--author=platform-team', '--comment=ocr maintenance window']);
    expect(silence.status).toBe(0);
    expect(silence.stdout.trim()).toMatch(/^[0-9a-f-]{36}$/);
    expect(await settled('ModelServeLatencyP99High', 'ocr', { state: 'suppressed', inhibited: false, silenced: true })).toEqual({ state: 'suppressed', inhibited: false, silenced: true });
    expect(await state('ModelServeErrorRateHigh', 'resnet')).toEqual({ state: 'active', inhibited: false, silenced: false });
  }, 30_000);
});
