import { MANAGED_ADDONS, planManagedAddons } from '../../lib/aws/cluster-addons';

describe('planManagedAddons', () => {
  const plan = planManagedAddons(undefined);
  const of = (name: string) => plan.find((a) => a.name === name);

  test('every managed add-on once, the Pod Identity agent first: the add-ons with roles get their credentials from it', () => {
    expect(plan.map((a) => a.name)).toEqual([...MANAGED_ADDONS]);
    expect(plan[0].name).toBe('eks-pod-identity-agent');
    expect(of('vpc-cni')?.after).toEqual(['eks-pod-identity-agent']);
  });

  test('the DaemonSets a node needs to become Ready go before the node groups; coredns and the EBS CSI controller wait for nodes', () => {
    expect(plan.filter((a) => a.beforeNodes).map((a) => a.name)).toEqual(['eks-pod-identity-agent', 'vpc-cni', 'kube-proxy']);
    expect(plan.filter((a) => !a.beforeNodes).map((a) => a.name)).toEqual(['coredns', 'aws-ebs-csi-driver']);
  });

  test('the CNI and EBS CSI policies go to their service accounts through Pod Identity, not to the nodes', () => {
    expect(of('vpc-cni')?.podIdentity).toEqual({ serviceAccount: 'aws-node', policy: 'AmazonEKS_CNI_Policy' });
    expect(of('aws-ebs-csi-driver')?.podIdentity).toEqual({ serviceAccount: 'ebs-csi-controller-sa', policy: 'AmazonEBSCSIDriverPolicy' });
    expect(plan.filter((a) => a.podIdentity).map((a) => a.name)).toEqual(['vpc-cni', 'aws-ebs-csi-driver']);
  });

  // https://docs.aws.amazon.com/eks/latest/userguide/cni-network-policy-configure.html
  test('vpc-cni enforces NetworkPolicy (opt-in); no other add-on is configured', () => {
    expect(JSON.parse(of('vpc-cni')?.configurationValues ?? '{}')).toEqual({ enableNetworkPolicy: 'true' });
    expect(plan.filter((a) => a.configurationValues !== undefined).map((a) => a.name)).toEqual(['vpc-cni']);
  });

  test('versions are the pinned ones, or left to EKS', () => {
    const pinned = planManagedAddons({ 'vpc-cni': 'v1.20.4-eksbuild.1', coredns: 'v1.12.4-eksbuild.1' });
    expect(pinned.map((a) => [a.name, a.version])).toEqual([
      ['eks-pod-identity-agent', undefined],
      ['vpc-cni', 'v1.20.4-eksbuild.1'],
      ['kube-proxy', undefined],
      ['coredns', 'v1.12.4-eksbuild.1'],
      ['aws-ebs-csi-driver', undefined],
    ]);
    expect(plan.every((a) => a.version === undefined)).toBe(true);
  });
});
