import { ValidationError } from '../../catalog';

/**
 * The add-ons need two providers that `modelserve/aws` does not. The `modelserve/addons` entry
 * point loads this module first, so an app that lacks them gets one line naming them and the
 * command that installs them, instead of a module-resolution stack from deep inside a provider.
 */
const ADDON_PEERS = ['@cdktf/provider-helm', '@cdktf/provider-kubernetes'] as const;
/** The versions the library is built and tested with (package.json peerDependencies). */
const PEER_RANGES: Readonly<Record<(typeof ADDON_PEERS)[number], string>> = {
  '@cdktf/provider-helm': '^12.1.2',
  '@cdktf/provider-kubernetes': '^12.1.1',
};

/** Throws, in the library's one-line form, when a peer the add-ons import cannot be resolved. */
export function checkAddonPeers(resolve: (id: string) => string = require.resolve): void {
  const missing = ADDON_PEERS.filter((pkg) => {
    try {
      resolve(`${pkg}/package.json`);
      return false;
    } catch {
      return true;
    }
  });
  if (missing.length === 0) return;
  throw new ValidationError(
    'modelserve/addons',
    'peerDependencies',
    missing,
    'are not installed, and the cluster add-ons are Helm releases and Kubernetes objects made through them',
    `npm install ${missing.map((pkg) => `${pkg}@${PEER_RANGES[pkg]}`).join(' ')}`,
  );
}

checkAddonPeers();
