import { addonProfile } from '../../../lib/aws/addons/addon-profile';
import { argoWorkflowsValues, ArgoServerAuth } from '../../../lib/aws/addons/argo-workflows';
import { rejectionOf } from '../../support/validation';


const sso = { issuer: 'https://login.example.com', clientSecretName: 'argo-sso', redirectUrl: 'https://argo.example.com/oauth2/callback' };

describe('ArgoServerAuth', () => {
  test('client: the caller\'s own token; sso: an OIDC login; never the server\'s account', () => {
    expect(ArgoServerAuth.client().mode).toBe('client');
    expect(ArgoServerAuth.sso(sso)).toMatchObject({ mode: 'sso', ssoOptions: sso });
    const values = (auth: ArgoServerAuth) => argoWorkflowsValues({ profile: addonProfile('production'), controllerReplicas: 2, auth, serviceMonitor: false }) as any;
    expect(values(ArgoServerAuth.client()).server.authModes).toEqual(['client']);
    expect(values(ArgoServerAuth.sso(sso)).server.authModes).toEqual(['sso']);
  });

  test('rejects an issuer or callback that is not https, and a Secret name Kubernetes refuses', () => {
    expect(rejectionOf(() => ArgoServerAuth.sso({ ...sso, issuer: 'http://login.example.com' }))).toBe(
      'ArgoServerAuth.sso: issuer ("http://login.example.com") is not an https URL; give the OIDC issuer, e.g. https://login.example.com',
    );
    expect(rejectionOf(() => ArgoServerAuth.sso({ ...sso, redirectUrl: 'https://argo.example.com/callback' }))).toBe(
      'ArgoServerAuth.sso: redirectUrl ("https://argo.example.com/callback") is not an https URL ending in /oauth2/callback; use https://<argo server host>/oauth2/callback',
    );
    expect(rejectionOf(() => ArgoServerAuth.sso({ ...sso, clientSecretName: 'Argo_SSO' }))).toBe(
      'ArgoServerAuth.sso: clientSecretName ("Argo_SSO") is not a valid Secret name: lowercase letters, digits, "-" and ".", starting and ending with a letter or digit, at most 253 characters; rename it so that it follows that rule',
    );
  });
});
