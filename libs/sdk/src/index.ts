/**
 * @auth-bff/sdk: a dependency-free TypeScript client of the auth-bff service (API.md section 11).
 * Runs in browsers and in Node >= 20 (fetch and Web Crypto only).
 */
export { AuthClient, AuthApi, toTokens } from './auth-client.js';
export type { AuthClientOptions, RawApi, RawOptions, TokenInput } from './auth-client.js';
export { HeadlessAuthClient } from './headless-auth-client.js';
export type { HeadlessAuthClientOptions } from './headless-auth-client.js';
export { ApiError, MfaRequiredError } from './errors.js';
export type { ErrorBody, MfaRequiredBody } from './errors.js';
export type { FetchLike } from './http.js';
export { buildAuthorizeUrl, parseAuthorizeCallback } from './authorize-url.js';
export type { AuthorizeCallback, AuthorizeUrlParams } from './authorize-url.js';
export { createCodeChallenge, createCodeVerifier, createPkcePair, createState } from './pkce.js';
export type { PkcePair } from './pkce.js';
export { MemoryTokenStorage, WebStorageTokenStorage } from './storage.js';
export type { RefreshGrant, TokenRole, Tokens, TokenStorage, WebStorageLike } from './storage.js';
export type * from './models.js';
