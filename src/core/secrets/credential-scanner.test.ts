import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { generateApiKey } from '../credentials/api-key-format.ts';
import { describeFindings, scanForCredentials } from './credential-scanner.ts';

const random = (n: number) => crypto.getRandomValues(new Uint8Array(n));
// Built at run time so this file itself contains no credential-shaped literals.
const fake = {
  anthropic: `sk-ant-api03-${'Ab3_'.repeat(20)}`,
  openai: `sk-proj-${'x9Y'.repeat(16)}`,
  awsId: `AKIA${'IOSFODNN7EXAMPL'}E`,
  awsSecret: `aws_secret_access_key = ${'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'}`,
  github: `ghp_${'a1B2c3D4e5'.repeat(4)}`,
  githubPat: `github_pat_${'11ABCDEFG0'.repeat(3)}`,
  privateKey: `-----BEGIN ${'OPENSSH'} PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----`,
  slack: `xoxb-${'123456789012-abcdefABCDEF'}`,
  assignment: `DB_PASSWORD=${'Tr0ub4dor&3-x7Qz!'}`,
};

describe('scanForCredentials', () => {
  it.each([
    ['Anthropic API key', fake.anthropic],
    ['OpenAI API key', fake.openai],
    ['AWS access key id', fake.awsId],
    ['AWS secret access key', fake.awsSecret],
    ['GitHub token', fake.github],
    ['GitHub token', fake.githubPat],
    ['private key', fake.privateKey],
    ['Slack token', fake.slack],
    ['secret assignment', fake.assignment],
  ])('finds a %s inside a prompt', (kind, secret) => {
    const prompt = `please deploy with ${secret} and tell me if it works`;
    const findings = scanForCredentials(prompt);
    expect(findings.map((f) => f.kind)).toContain(kind);
    const finding = findings.find((f) => f.kind === kind)!;
    expect(secret).toContain(prompt.slice(finding.index, finding.index + finding.length));
  });

  it('finds our own keys only when their checksum holds', () => {
    const { plaintext } = generateApiKey(random);
    expect(scanForCredentials(`key ${plaintext}`).map((f) => f.kind)).toEqual(['LLM-RULES API key']);
    const mangled = `${plaintext.slice(0, -1)}${plaintext.endsWith('a') ? 'b' : 'a'}`;
    expect(scanForCredentials(`key ${mangled}`)).toEqual([]);
  });

  it.each([
    'READSECRET now',
    'set password: changeme please',
    'token = ${GITHUB_TOKEN}',
    'the api_key=<your-key-here> goes in .env',
    'commit sha 3f2c1a9b7e6d5c4b3a291807f6e5d4c3b2a19080',
    'refactor the sk-learn pipeline and the AKIA prefix parser',
    'password = xxxxxxxxxxxxxxxx',
  ])('does not flag ordinary text: %s', (prompt) => {
    expect(scanForCredentials(prompt)).toEqual([]);
  });

  it('describes findings without repeating the secret', () => {
    const prompt = `use ${fake.awsId} and ${fake.github}`;
    const reason = describeFindings(scanForCredentials(prompt));
    expect(reason).toMatch(/credentials \(AWS access key id, GitHub token\)/);
    expect(reason).not.toContain(fake.awsId);
    expect(reason).not.toContain(fake.github);
  });

  it('finds a key wherever it is embedded', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), fc.string({ maxLength: 40 }), (before, after) => {
        const text = `${before} ${fake.anthropic} ${after}`;
        expect(scanForCredentials(text).some((f) => f.kind === 'Anthropic API key')).toBe(true);
      }),
    );
  });
});
