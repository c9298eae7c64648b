import { PROGRESSIVE_SUBSETS } from '../progressive/progressive-options';
import { Rollout, Track } from '../rollout';
import { FaultInjectionOptions, withFaults } from './fault-injection';
import { cookieHeaderRegex } from './http-tokens';

export const DEFAULT_PREVIEW_HEADER = 'x-modelserve-color';
export const DEFAULT_MIRROR_PERCENT = 100;

export interface RouteContext {
  /** Fully qualified service host that every destination points at. */
  readonly host: string;
  /** Service port of the model's HTTP API. */
  readonly port: number;
  /** Service port of the model's gRPC API, when the server has one. */
  readonly grpcPort?: number;
  /**
   * Service port of the server's metrics: in-mesh calls to it get a route of their own to that
   * port, instead of the inference routes (and their subsets, retries and timeout).
   * @default - no metrics route
   */
  readonly metricsPort?: number;
  /** The ingress Gateway the VirtualService is bound to (`<namespace>/<name>`), besides the mesh. */
  readonly gateway?: string;
  readonly tracks: readonly Track[];
  readonly rollout: Rollout;
  readonly timeoutSeconds: number;
  readonly retries: { readonly attempts: number; readonly perTryTimeoutSeconds?: number; readonly retryOn: string };
  readonly stopped: boolean;
  /** Chaos faults on the inference routes (not the metrics route). @default - none */
  readonly faults?: FaultInjectionOptions;
}

/**
 * Body of the answer of a stopped service. A `directResponse` rather than a fault-injection abort:
 * it needs no destination (the stopped service has no pods), it says why, and it is not counted as
 * injected chaos (Envoy's `FI` flag) by dashboards. Every Istio that serves `networking.istio.io/v1`
 * (1.22+) supports it (since 1.15).
 */
export const STOPPED_BODY = '{"error":"model service is stopped"}';

/**
 * The `http` routes of the VirtualService, in match order. Each route matches its own Service port
 * for callers in the mesh: gRPC calls to the gRPC port reach that port, calls to the HTTP API port
 * the HTTP API, and calls to the metrics port the metrics (a route with no port match would catch
 * every port of the host and send metrics requests to the API). The gateway's traffic arrives on
 * the gateway's own port (443), so the HTTP routes also match the gateway by name, with no port.
 */
export function httpRoutes(ctx: RouteContext): Record<string, unknown>[] {
  const grpc = ctx.grpcPort === undefined ? [] : routesTo(ctx, ctx.grpcPort).map((route) => onPort(route, ctx.grpcPort!));
  const http = routesTo(ctx, ctx.port).map((route) => onHttpPort(route, ctx));
  const metrics = ctx.metricsPort === undefined ? [] : [{
    name: 'metrics',
    match: [{ port: ctx.metricsPort, ...(ctx.gateway ? { gateways: ['mesh'] } : {}) }],
    route: [{ destination: { host: ctx.host, port: { number: ctx.metricsPort } } }],
  }];
  const routes = [...withFaults([...grpc, ...http], ctx.faults), ...metrics];
  if (ctx.stopped) {
    // Timeout and retries do not apply: the proxy answers without calling anything.
    const stopped = { name: 'stopped', directResponse: { status: 503, body: { string: STOPPED_BODY } } };
    // A Rollout names the routes it re-weights and is invalid without them: keep them, behind a
    // match that every request meets (so that only the last route has no match).
    return ctx.rollout.kind === 'progressive' ? [{ ...stopped, match: [{ uri: { prefix: '/' } }] }, ...routes] : [stopped];
  }
  return routes;
}

/** Names of the routes that split a progressive rollout's traffic: what the Rollout re-weights. */
export function progressiveRouteNames(grpcPort: number | undefined): string[] {
  return grpcPort === undefined ? ['primary'] : ['primary-grpc', 'primary'];
}

function onPort(route: Record<string, unknown>, port: number): Record<string, unknown> {
  const match = (route.match as Record<string, unknown>[] | undefined) ?? [{}];
  return { ...route, name: `${route.name}-grpc`, match: match.map((m) => ({ ...m, port })) };
}

/** The HTTP API's routes: the Service's HTTP port in the mesh, any port through the gateway. */
function onHttpPort(route: Record<string, unknown>, ctx: RouteContext): Record<string, unknown> {
  const match = (route.match as Record<string, unknown>[] | undefined) ?? [{}];
  return {
    ...route,
    match: match.flatMap((m): Record<string, unknown>[] => {
      const meshOnly = Array.isArray(m.gateways) && m.gateways.length === 1 && m.gateways[0] === 'mesh';
      if (!ctx.gateway) return [{ ...m, port: ctx.port }];
      if (meshOnly) return [{ ...m, port: ctx.port }];
      return [{ ...m, port: ctx.port, gateways: ['mesh'] }, { ...m, gateways: [ctx.gateway] }];
    }),
  };
}

/** The routes of the rollout strategy, with every destination on `port`. */
function routesTo(ctx: RouteContext, port: number): Record<string, unknown>[] {
  const destination = (subset: string, weight: number) => ({ destination: { host: ctx.host, subset, port: { number: port } }, weight });
  const policy = {
    timeout: `${ctx.timeoutSeconds}s`,
    retries: {
      attempts: ctx.retries.attempts,
      ...(ctx.retries.perTryTimeoutSeconds !== undefined ? { perTryTimeout: `${ctx.retries.perTryTimeoutSeconds}s` } : {}),
      ...(ctx.retries.attempts > 0 ? { retryOn: ctx.retries.retryOn } : {}),
    },
  };
  const s = ctx.rollout.strategy;
  switch (s.kind) {
    case 'rolling-update':
    case 'recreate':
    case 'canary':
      // Weights come from the tracks, which add up to 100; a 0 % canary keeps its destination so
      // that raising the weight is a one-number change.
      return [{ name: 'primary', route: ctx.tracks.map((t) => destination(t.name, t.weight)), ...policy }];
    case 'blue-green': {
      const active = s.options.active ?? 'blue';
      const idle = active === 'blue' ? 'green' : 'blue';
      const header = s.options.previewHeader ?? DEFAULT_PREVIEW_HEADER;
      // The idle colour is untested by definition: by default only in-mesh callers may preview it.
      const from = s.options.previewFromGateway ? {} : { gateways: ['mesh'] };
      return [
        { name: 'preview', match: [{ headers: { [header]: { exact: idle } }, ...from }], route: [destination(idle, 100)], ...policy },
        { name: 'primary', route: [destination(active, 100)], ...policy },
      ];
    }
    case 'ab-test': {
      const { header, cookie } = s.options.match;
      const match = header
        ? { headers: { [header.name]: { exact: header.value } } }
        : { headers: { cookie: { regex: cookieHeaderRegex(cookie!.name, cookie!.value) } } };
      return [
        { name: 'variant-b', match: [match], route: [destination('b', 100)], ...policy },
        { name: 'variant-a', route: [destination('a', 100)], ...policy },
      ];
    }
    case 'shadow':
      return [
        {
          name: 'primary',
          route: [destination('stable', 100)],
          // Istio sends the copy fire-and-forget: its answer and its latency never reach the client.
          mirror: { host: ctx.host, subset: 'shadow', port: { number: port } },
          mirrorPercentage: { value: s.options.mirrorPercent ?? DEFAULT_MIRROR_PERCENT },
          ...policy,
        },
      ];
    case 'progressive':
      // The resting state: all to the stable subset. Argo Rollouts changes these weights while a
      // rollout runs and puts them back when it ends.
      return [{ name: 'primary', route: [destination(PROGRESSIVE_SUBSETS.stable, 100), destination(PROGRESSIVE_SUBSETS.canary, 0)], ...policy }];
  }
}

/** Track names each strategy routes to: the tracks given to ModelTraffic must be exactly these. */
export function expectedTrackNames(rollout: Rollout): string[] {
  switch (rollout.kind) {
    case 'rolling-update':
    case 'recreate':
      return ['stable'];
    case 'canary':
      return ['stable', 'canary'];
    case 'blue-green':
      return ['blue', 'green'];
    case 'ab-test':
      return ['a', 'b'];
    case 'shadow':
      return ['stable', 'shadow'];
    case 'progressive':
      return ['rollout'];
  }
}
