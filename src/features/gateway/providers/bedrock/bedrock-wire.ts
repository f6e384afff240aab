// What every Bedrock Runtime request of the gateway shares: the Anthropic body version Bedrock takes,
// and SigV4 signing (the AWS SDK's own signer) with the upstream's credentials.

import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import type { ProviderRequest, ProviderRequestInput } from '../provider.ts';

export const BEDROCK_ANTHROPIC_VERSION = 'bedrock-2023-05-31';

/** A POST of `payload` to `path` on the upstream's base URL, signed for service `bedrock`. */
export async function signedBedrockRequest(
  input: ProviderRequestInput,
  path: string,
  payload: Buffer,
  accept: string,
): Promise<ProviderRequest> {
  const { config, baseUrl } = input;
  const sessionToken = input.secret('aws_session_token');
  const signer = new SignatureV4({
    service: 'bedrock',
    region: config.region!,
    sha256: Sha256,
    credentials: {
      accessKeyId: config.aws_access_key_id ?? '',
      secretAccessKey: input.secret('aws_secret_access_key') ?? '',
      ...(sessionToken ? { sessionToken } : {}),
    },
  });
  const signed = await signer.sign({
    method: 'POST',
    protocol: baseUrl.protocol,
    hostname: baseUrl.hostname,
    ...(baseUrl.port ? { port: Number(baseUrl.port) } : {}),
    path,
    headers: { host: baseUrl.host, 'content-type': 'application/json', accept },
    body: payload,
  });
  return { path, method: 'POST', headers: signed.headers as Record<string, string>, body: payload };
}
