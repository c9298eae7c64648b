import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { examplesLlmChart } from '../support/llm-example';
import { schemaFailures } from '../support/schema';
import { one } from '../support/serving';

/**
 * The InferencePool, Gateway and HTTPRoute the library writes, checked against upstream schemas:
 * the InferencePool CRD copied from the Gateway API Inference Extension v1.6.0
 * (test/fixtures/crds, see its README) and @kubernetes-models/gateway-api. The validator must also
 * refuse what the API server would refuse, or a pass proves nothing.
 */
const llm = examplesLlmChart();
const pool = one(llm, 'InferencePool', 'chat');
const route = one(llm, 'HTTPRoute', 'chat');
const gateway = one(llm, 'Gateway', 'chat-inference');
const crd = parse(readFileSync(join(__dirname, '..', 'fixtures', 'crds', 'inference.networking.k8s.io_inferencepools.yaml'), 'utf8'));

const errors = (object: unknown) => schemaFailures([object]).failures.map((f) => f.error);

describe('the InferencePool against its upstream CRD', () => {
  test('the fixture is the GA InferencePool of inference.networking.k8s.io, v1 served, from v1.6.0', () => {
    expect(crd.metadata.annotations['inference.networking.k8s.io/bundle-version']).toBe('v1.6.0');
    expect(crd.spec.versions.map((v: { name: string; served: boolean }) => [v.name, v.served])).toEqual([['v1', true]]);
    expect(pool.apiVersion).toBe('inference.networking.k8s.io/v1');
  });

  test('the example\'s pool, Gateway and HTTPRoute are valid', () => {
    expect(schemaFailures([pool, gateway, route])).toEqual({ checked: 3, failures: [] });
  });

  test('the validator refuses what the CRD does not allow: a missing picker name, an empty selector, a port out of range, an unknown field', () => {
    const bad = structuredClone(pool);
    delete bad.spec.endpointPickerRef.name;
    bad.spec.selector.matchLabels = {};
    bad.spec.targetPorts = [{ number: 70000 }];
    bad.spec.targetPortNumber = 8000;
    expect(errors(bad)).toEqual(["/spec must NOT have additional properties; /spec/endpointPickerRef must have required property 'name'; /spec/selector/matchLabels must NOT have fewer than 1 properties; /spec/targetPorts/0/number must be <= 65535"]);
    const wrongMode = structuredClone(pool);
    wrongMode.spec.endpointPickerRef.failureMode = 'Open';
    expect(errors(wrongMode)[0]).toMatch(/\/spec\/endpointPickerRef\/failureMode must be equal to one of the allowed values/);
  });

  test('its CEL rules are not evaluated by a JSON Schema validator: a duplicate target port passes here, the API server would refuse it', () => {
    const rules = crd.spec.versions[0].schema.openAPIV3Schema.properties.spec.properties.targetPorts['x-kubernetes-validations'];
    expect(rules).toEqual([{ message: 'port number must be unique', rule: 'self.all(p1, self.exists_one(p2, p1.number==p2.number))' }]);
    const duplicate = structuredClone(pool);
    duplicate.spec.targetPorts = [{ number: 8000 }, { number: 8000 }];
    expect(errors(duplicate)).toEqual([]);
    // The rule holds by construction: a pool lists the server's one HTTP port.
    expect(pool.spec.targetPorts).toEqual([{ number: 8000 }]);
  });
});

describe('the Gateway and HTTPRoute against @kubernetes-models/gateway-api', () => {
  test('a listener on port 0 and a negative backend weight are refused', () => {
    const badGateway = structuredClone(gateway);
    badGateway.spec.listeners[0].port = 0;
    expect(errors(badGateway).length).toBe(1);
    const badRoute = structuredClone(route);
    badRoute.spec.rules[0].backendRefs[0].weight = -1;
    expect(errors(badRoute).length).toBe(1);
  });
});
