import { randomBytes } from 'node:crypto';
import type { Profile, SAML, ValidateInResponseTo } from '@node-saml/node-saml';
import { lazy } from '../../common/lazy.js';
import type { SamlProviderConfig } from '../../config/config.js';
import { SAML_REQUEST_TTL_S, SamlStore, SamlStoreError } from '../saml-store.js';
import { LoginSecrets, ProviderError, ProviderIdentity, ProviderStrategy } from './provider-strategy.js';

/** node-saml (and its XML stack) is loaded by the first SAML login or metadata request. */
const samlLibrary = lazy(() => import('@node-saml/node-saml'));

type XmlNode = { $?: Record<string, string> } & Record<string, unknown>;

function children(node: unknown, name: string): XmlNode[] {
  const value = (node as Record<string, unknown> | undefined)?.[name];
  return Array.isArray(value) ? (value as XmlNode[]) : [];
}

/** The SubjectConfirmationData Recipients of a (verified) assertion, as node-saml parsed it. */
function recipients(assertion: XmlNode): string[] {
  const out: string[] = [];
  for (const subject of children(assertion, 'Subject')) {
    for (const confirmation of children(subject, 'SubjectConfirmation')) {
      for (const data of children(confirmation, 'SubjectConfirmationData')) out.push(data.$?.Recipient ?? '');
    }
  }
  return out;
}

/**
 * SP-initiated SAML 2.0 with @node-saml/node-saml (the engine of @node-saml/passport-saml; the
 * Passport wrapper only routes requests, which the controller does): AuthnRequests by
 * HTTP-Redirect with our state as RelayState, responses by HTTP-POST to the ACS. Accepted only
 * when the assertion is signed by SAML_IDP_CERT (a signed Response around it too), answers the
 * AuthnRequest this login sent (InResponseTo, kept in Postgres and spent once), is for our audience
 * with our ACS as Recipient, is within its validity window, and carries an ID never seen before.
 */
export class SamlStrategy implements ProviderStrategy {
  readonly name = 'saml' as const;
  readonly callbackUrl: string;
  readonly keepsTokens = false;
  private readonly validator: () => Promise<SAML>;

  constructor(
    private readonly config: SamlProviderConfig,
    /** PUBLIC_URL + the ACS route. */
    callbackUrl: string,
    private readonly store: SamlStore,
    /** Who a verified assertion names (the provider's attribute mapping). */
    private readonly identity: (profile: Profile) => ProviderIdentity,
  ) {
    this.callbackUrl = callbackUrl;
    this.validator = lazy(() => this.saml(() => SamlStrategy.requestId()));
  }

  /** SAML IDs must start with a letter or underscore (xs:ID). */
  static requestId(): string {
    return `_${randomBytes(20).toString('hex')}`;
  }

  private async saml(generateUniqueId: () => string): Promise<SAML> {
    const { SAML } = await samlLibrary();
    return new SAML({
      entryPoint: this.config.entryPoint,
      issuer: this.config.issuer,
      callbackUrl: this.callbackUrl,
      idpCert: this.config.idpCerts,
      audience: this.config.audience,
      wantAssertionsSigned: true,
      wantAuthnResponseSigned: false,
      validateInResponseTo: 'always' as ValidateInResponseTo,
      requestIdExpirationPeriodMs: SAML_REQUEST_TTL_S * 1000,
      cacheProvider: this.store,
      acceptedClockSkewMs: 30_000,
      // Let the IdP pick its NameID format and authentication context (MFA, passkeys, ...).
      identifierFormat: null,
      disableRequestedAuthnContext: true,
      generateUniqueId,
    });
  }

  async begin(state: string): Promise<{ url: string; secrets: LoginSecrets }> {
    const samlRequestId = SamlStrategy.requestId();
    // One SAML object per request, so the AuthnRequest ID is known and bound to this state.
    const url = await (await this.saml(() => samlRequestId)).getAuthorizeUrlAsync(state, undefined, {});
    return { url, secrets: { samlRequestId } };
  }

  async finish(params: URLSearchParams, secrets: LoginSecrets): Promise<ProviderIdentity> {
    const response = params.get('SAMLResponse');
    if (!response) throw new ProviderError('the ACS was called without a SAMLResponse');
    let profile: Profile | null;
    try {
      ({ profile } = await (await this.validator()).validatePostResponseAsync({ SAMLResponse: response }));
    } catch (err) {
      if (err instanceof SamlStoreError) throw err;
      throw new ProviderError(`SAML response refused: ${(err as Error).message}`, 'invalid SAML response');
    }
    if (!profile) throw new ProviderError('the SAML response carries no login', 'invalid SAML response');
    if (!secrets.samlRequestId || profile.inResponseTo !== secrets.samlRequestId) {
      throw new ProviderError('the SAML response answers another AuthnRequest', 'invalid SAML response');
    }
    const assertion = (profile.getAssertion?.() as { Assertion?: XmlNode } | undefined)?.Assertion;
    const found = assertion ? recipients(assertion) : [];
    if (!found.length || found.some((r) => r !== this.callbackUrl)) {
      throw new ProviderError(
        `the assertion is for another recipient (${found.join(', ')})`,
        'invalid SAML response',
      );
    }
    const assertionId = assertion?.$?.ID;
    if (!assertionId) throw new ProviderError('the assertion has no ID', 'invalid SAML response');
    if (!(await this.store.rememberAssertion(assertionId))) {
      throw new ProviderError(`assertion ${assertionId} was already used`, 'assertion replayed');
    }
    return this.identity(profile);
  }

  /** Our SP metadata (entity id, ACS, wants signed assertions) for the IdP's administrator. */
  async metadata(): Promise<string> {
    return (await this.validator()).generateServiceProviderMetadata(null, null);
  }
}
