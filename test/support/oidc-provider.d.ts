// oidc-provider ships no type declarations; the test IdP uses a small part of it, typed where it is used.
declare module 'oidc-provider';
