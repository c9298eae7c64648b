import { PropsValidator } from '../../lib/catalog';
import { COST_ALLOCATION_TAG_KEYS, COST_ALLOCATION_TAGS } from '../../lib/catalog/cost-allocation';
import { LABEL_KEY } from '../../lib/catalog/kubernetes-names';
import { validateTags } from '../../lib/aws/aws-names';

// One set of keys for both sides: AWS tags that Cost Explorer and Budgets split by, and Kubernetes
// labels that in-cluster cost tools (Kubecost, OpenCost) group by.
describe('the cost-allocation keys', () => {
  test('are environment, service and team, in that order', () => {
    expect(COST_ALLOCATION_TAG_KEYS).toEqual(['modelserve.io/environment', 'modelserve.io/service', 'modelserve.io/team']);
    expect(COST_ALLOCATION_TAGS.team).toBe('modelserve.io/team');
  });

  // https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#syntax-and-character-set
  test('are valid Kubernetes label keys', () => {
    for (const key of COST_ALLOCATION_TAG_KEYS) expect(key).toMatch(LABEL_KEY);
  });

  // https://docs.aws.amazon.com/tag-editor/latest/userguide/tagging.html#tag-conventions
  test('are tag keys AWS accepts, outside the aws: prefix it reserves', () => {
    expect(() => validateTags(new PropsValidator('keys'), 'keys', Object.fromEntries(COST_ALLOCATION_TAG_KEYS.map((k) => [k, 'x'])))).not.toThrow();
  });
});
