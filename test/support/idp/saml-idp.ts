import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { signSamlPost } from '@node-saml/node-saml/lib/saml-post-signing.js';
import { listen } from './http.js';

const ASSERTION_XPATH = '/*[local-name(.)="Response"]/*[local-name(.)="Assertion"]';
const RESPONSE_XPATH = '/*[local-name(.)="Response"]';

/** A self-signed certificate and its key, made with openssl for this test run. */
export function selfSignedCertificate(commonName: string): { cert: string; key: string } {
  const dir = mkdtempSync(join(tmpdir(), 'saml-idp-'));
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-sha256',
        '-days',
        '2',
        '-subj',
        `/CN=${commonName}`,
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    return {
      cert: readFileSync(join(dir, 'cert.pem'), 'utf8'),
      key: readFileSync(join(dir, 'key.pem'), 'utf8'),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface SamlPerson {
  nameId: string;
  email?: string;
  firstName?: string;
  lastName?: string;
}

/** What the next response looks like; every field defaults to a correct, signed response. */
export interface ResponseOptions {
  sign?: 'assertion' | 'response' | 'both' | 'none';
  /** Signs with this key/cert instead of the IdP's. */
  signer?: { cert: string; key: string };
  audience?: string;
  recipient?: string;
  inResponseTo?: string;
  assertionId?: string;
  /** Seconds from now the assertion stops being valid (negative: already expired). */
  validForSeconds?: number;
}

export interface SamlAuthnRequest {
  id: string;
  acsUrl: string;
  issuer: string;
}

export interface SamlIdp {
  /** SAML_* variables of the service for this IdP. */
  env: Record<string, string>;
  loginAs(person: SamlPerson): void;
  nextResponse(options: ResponseOptions): void;
  /** The AuthnRequests the SSO endpoint received. */
  requests: SamlAuthnRequest[];
  close(): Promise<void>;
}

function xml(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Parses a redirect-binding AuthnRequest (base64 of raw DEFLATE). */
export function parseAuthnRequest(samlRequest: string): SamlAuthnRequest {
  const text = inflateRawSync(Buffer.from(samlRequest, 'base64')).toString('utf8');
  const id = /\sID="([^"]+)"/.exec(text)?.[1];
  const acsUrl = /AssertionConsumerServiceURL="([^"]+)"/.exec(text)?.[1];
  const issuer = /<saml:Issuer[^>]*>([^<]+)<\/saml:Issuer>/.exec(text)?.[1];
  if (!id || !acsUrl || !issuer) throw new Error(`not an AuthnRequest: ${text}`);
  return { id, acsUrl: acsUrl.replace(/&amp;/g, '&'), issuer };
}

/**
 * A SAML 2.0 IdP on loopback: its SSO endpoint (HTTP-Redirect binding) reads our AuthnRequest and
 * answers the HTTP-POST binding page a browser submits to our ACS, with a Response whose
 * assertion it signed (node-saml's signing helper, an openssl self-signed certificate).
 */
export async function startSamlIdp(spEntityId: string): Promise<SamlIdp & { buildResponse: typeof build }> {
  const idpEntityId = 'https://idp.example.test/metadata';
  const { cert, key } = selfSignedCertificate('test-idp');
  const requests: SamlAuthnRequest[] = [];
  let person: SamlPerson | undefined;
  let options: ResponseOptions = {};

  function build(request: SamlAuthnRequest, who: SamlPerson, o: ResponseOptions = {}): string {
    const now = new Date();
    const until = new Date(now.getTime() + (o.validForSeconds ?? 300) * 1000).toISOString();
    const before = new Date(now.getTime() - 60_000).toISOString();
    const inResponseTo = o.inResponseTo ?? request.id;
    const recipient = o.recipient ?? request.acsUrl;
    const attributes = (
      [
        ['email', who.email],
        ['firstName', who.firstName],
        ['lastName', who.lastName],
      ] as const
    )
      .filter(([, v]) => v !== undefined)
      .map(
        ([n, v]) =>
          `<saml:Attribute Name="${n}"><saml:AttributeValue>${xml(v!)}</saml:AttributeValue></saml:Attribute>`,
      )
      .join('');
    let doc =
      `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ` +
      `ID="_r${randomBytes(16).toString('hex')}" Version="2.0" IssueInstant="${now.toISOString()}" ` +
      `Destination="${xml(recipient)}" InResponseTo="${xml(inResponseTo)}">` +
      `<saml:Issuer>${idpEntityId}</saml:Issuer>` +
      `<samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>` +
      `<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="${xml(o.assertionId ?? `_a${randomBytes(16).toString('hex')}`)}" ` +
      `Version="2.0" IssueInstant="${now.toISOString()}">` +
      `<saml:Issuer>${idpEntityId}</saml:Issuer>` +
      `<saml:Subject><saml:NameID Format="urn:oasis:names:tc:SAML:2.0:nameid-format:persistent">${xml(who.nameId)}</saml:NameID>` +
      `<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer">` +
      `<saml:SubjectConfirmationData NotOnOrAfter="${until}" Recipient="${xml(recipient)}" InResponseTo="${xml(inResponseTo)}"/>` +
      `</saml:SubjectConfirmation></saml:Subject>` +
      `<saml:Conditions NotBefore="${before}" NotOnOrAfter="${until}">` +
      `<saml:AudienceRestriction><saml:Audience>${xml(o.audience ?? spEntityId)}</saml:Audience></saml:AudienceRestriction>` +
      `</saml:Conditions>` +
      `<saml:AuthnStatement AuthnInstant="${now.toISOString()}" SessionIndex="_s${randomBytes(8).toString('hex')}">` +
      `<saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef></saml:AuthnContext>` +
      `</saml:AuthnStatement>` +
      (attributes ? `<saml:AttributeStatement>${attributes}</saml:AttributeStatement>` : '') +
      `</saml:Assertion></samlp:Response>`;
    const signer = o.signer ?? { cert, key };
    const signing = {
      privateKey: signer.key,
      publicCert: signer.cert,
      signatureAlgorithm: 'sha256' as const,
    };
    const sign = o.sign ?? 'assertion';
    if (sign === 'assertion' || sign === 'both') doc = signSamlPost(doc, ASSERTION_XPATH, signing);
    if (sign === 'response' || sign === 'both') doc = signSamlPost(doc, RESPONSE_XPATH, signing);
    return Buffer.from(doc, 'utf8').toString('base64');
  }

  const server = await listen((req, res) => {
    const url = new URL(req.url ?? '/', 'http://idp');
    try {
      if (url.pathname !== '/sso' || !person) throw new Error('unexpected request');
      const request = parseAuthnRequest(url.searchParams.get('SAMLRequest') ?? '');
      requests.push(request);
      const samlResponse = build(request, person, options);
      options = {};
      const relayState = url.searchParams.get('RelayState') ?? '';
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(
        `<html><body><form method="post" action="${xml(request.acsUrl)}">` +
          `<input type="hidden" name="SAMLResponse" value="${samlResponse}">` +
          `<input type="hidden" name="RelayState" value="${xml(relayState)}">` +
          `</form></body></html>`,
      );
    } catch (err) {
      res.writeHead(400).end((err as Error).message);
    }
  });

  return {
    env: { SAML_ENTRY_POINT: `${server.url}/sso`, SAML_ISSUER: spEntityId, SAML_IDP_CERT: cert },
    loginAs: (p) => {
      person = p;
    },
    nextResponse: (o) => {
      options = o;
    },
    requests,
    buildResponse: build,
    close: () => server.close(),
  };
}
