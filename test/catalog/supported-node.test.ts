import { checkNodeVersion } from '../../lib/catalog/supported-node';
import { rejectionOf } from '../support/validation';

describe('checkNodeVersion', () => {
  test.each(['v20.9.0', 'v20.20.2', 'v22.23.5', 'v24.22.3', 'v26.12.1'])('%s runs', (version) => {
    expect(() => checkNodeVersion(version)).not.toThrow();
  });

  test.each(['v18.20.8', 'v16.20.2'])('%s is refused in one line that says which Node.js to use', (version) => {
    expect(rejectionOf(() => checkNodeVersion(version))).toBe(
      `modelserve: Node.js ("${version}") is older than Node.js 20, which modelserve does not run on; run the app with Node.js 22 or 24 (LTS)`,
    );
  });

  test('the Node.js running this test passes (the check runs when the catalog loads)', () => {
    expect(() => checkNodeVersion(process.version)).not.toThrow();
  });
});
