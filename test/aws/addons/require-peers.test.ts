import { checkAddonPeers } from '../../../lib/aws/addons/require-peers';

describe('modelserve/addons peer check', () => {
  const without = (...absent: string[]) => (id: string): string => {
    if (absent.some((pkg) => id.startsWith(`${pkg}/`))) throw new Error(`Cannot find module '${id}'`);
    return `/node_modules/${id}`;
  };

  test('passes when both providers resolve (as in this repository)', () => {
    expect(() => checkAddonPeers()).not.toThrow();
    expect(() => checkAddonPeers(without())).not.toThrow();
  });

  test('names every missing provider and the command that installs it, in one line', () => {
    expect(() => checkAddonPeers(without('@cdktf/provider-helm', '@cdktf/provider-kubernetes'))).toThrow(
      'modelserve/addons: peerDependencies (["@cdktf/provider-helm","@cdktf/provider-kubernetes"]) are not installed, and the cluster add-ons are Helm releases and Kubernetes objects made through them; npm install @cdktf/provider-helm@^12.1.2 @cdktf/provider-kubernetes@^12.1.1',
    );
    expect(() => checkAddonPeers(without('@cdktf/provider-kubernetes'))).toThrow(/^modelserve\/addons: peerDependencies \(\["@cdktf\/provider-kubernetes"\]\) .*; npm install @cdktf\/provider-kubernetes@\^12\.1\.1$/);
  });

  test('the ranges it suggests are the package\'s own peer ranges', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const pkg = require('../../../package.json');
    const message = (() => {
      try {
        checkAddonPeers(without('@cdktf/provider-helm', '@cdktf/provider-kubernetes'));
      } catch (e) {
        return (e as Error).message;
      }
      return '';
    })();
    expect(message).toContain(`@cdktf/provider-helm@${pkg.peerDependencies['@cdktf/provider-helm']}`);
    expect(message).toContain(`@cdktf/provider-kubernetes@${pkg.peerDependencies['@cdktf/provider-kubernetes']}`);
  });
});
